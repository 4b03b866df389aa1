"""The transition-system interface every checker in aioctx.model explores.

Two producers implement it: the Python modelling API (aioctx.model's own ``Model``) and
the Promela compiler (aioctx.promela).  The checkers only ever see this interface, so a
Promela model and a notebook model get the same searches, statistics and
counterexamples.

A state is any hashable value, ideally a flat tuple of ints (cheap to hash and store).
A transition is reported as ``(pid, step, next_state)``: ``pid`` is the process that
moves (what weak fairness is about), ``step`` indexes a static table of ``StepInfo``
(the statement and its source location, shared by every process running that code).

Additions made by the checker (all optional, so existing producers keep working):

* ``StepInfo.at``: the control location's name inside its process ("poll+2"), shown
  in counterexamples next to the source location.
* ``AssertionViolation.kind``: ``"assertion"`` (default) or ``"claim"`` (a never
  claim reached its end, SPIN's "end state in claim reached").
* ``TransitionSystem.exclusive``: which process holds an atomic sequence in a state;
  weak fairness needs it (see below).
* ``STUTTER``: the pid and step of the never claim's own move in a product state where
  the system has no transition (SPIN's stutter extension of finite runs).
* ``TransitionSystem.extend_dead_ends``: whether the acceptance search treats a state
  without successors as repeating forever (SPIN's "accept stutter"); a product with a
  never claim stutters by itself and turns it off.
* ``TransitionSystem.spin_stutter_fairness``: how weak fairness judges the claim's
  stuttering at a dead end (see the attribute).
* ``TransitionSystem.movers``: which processes can move in a state whose successors
  a partial-order reduction limited to one process (weak fairness needs it).

Weak fairness (SPIN's ``-f``), as the checkers decide it: a cycle is fair iff every
process either moves on it or is *blocked* in some state of it.  A process is blocked in
a state when the state is not ``exclusive`` and ``successors`` offers that process no
transition there (or, where ``successors`` offers one process's transitions only and
``movers`` is set, when ``movers`` does not name it).  In an exclusive state (some
process inside an atomic sequence) the other processes are not scheduled at all: they
neither move nor count as blocked, as in SPIN, whose fairness counter only advances for
processes it actually tried.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

State = Hashable
Transition = tuple[int, int, State]          # (pid, step, next_state)

#: pid and step of a never claim's move while the system itself cannot move
STUTTER = -1


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What a transition does and where it is written."""

    label: str            # the statement, as a reader would write it: "notified = 1"
    location: str         # "file.pml:12:5" or "module.py:34"
    at: str = ""          # control location in its process ("poll", "poll+2"), if named


class AssertionViolation(Exception):
    """Raised by ``successors`` when executing ``step`` of ``pid`` fails an assertion.

    The checker turns it into a counterexample ending with that step.  ``kind`` is
    ``"assertion"`` for an ``assert`` and ``"claim"`` when a never claim reaches its end.
    """

    #: for a Promela product with a never claim (promela/claimgen.py), the round of the
    #: system's moves that failed: 1 the ordinary one, 2 the one with ``timeout`` true
    #: (the claim moves first in both), 0 inside an atomic sequence or a rendezvous
    #: (the claim does not move)
    phase = 1

    def __init__(self, pid: int, step: int, message: str, kind: str = "assertion") -> None:
        super().__init__(message)
        self.pid = pid
        self.step = step
        self.message = message
        self.kind = kind


class ModelError(Exception):
    """The model itself is broken (unhashable state, a predicate that raises, ...).

    The message names the model element at fault; it is reported, never retried.
    """


class TransitionSystem(ABC):
    """A finite transition system with SPIN-style properties.

    Predicates left as ``None`` are not checked, which keeps the search loop free of
    calls that would always say "fine".
    """

    name: str = "model"

    #: state -> message if a safety invariant is violated, else None
    invariant: Callable[[State], str | None] | None = None
    #: state -> True if the system may legally stop here (SPIN's valid end state)
    valid_end: Callable[[State], bool] | None = None
    #: state -> True if the state is accepting (Büchi acceptance; SPIN's accept labels
    #: or the never claim's accepting states in a product)
    accepting: Callable[[State], bool] | None = None
    #: state -> True if some process is at a progress mark (for non-progress cycles)
    progress: Callable[[State], bool] | None = None
    #: state -> pid of the process running an atomic sequence in ``state`` (then only it
    #: is scheduled there), or None.  Only weak fairness looks at it; leave it None when
    #: the system has no multi-step atomic sequences.
    exclusive: Callable[[State], int | None] | None = None
    #: True: in acceptance mode a state without successors repeats forever (so an
    #: accepting one is an acceptance cycle).  False for systems that already extend
    #: finite runs themselves, such as a product with a never claim.
    extend_dead_ends: bool = True
    #: How weak fairness judges a cycle in which only the never claim moves (the system
    #: at a dead end, the claim stuttering).  True: as SPIN's ``pan -f`` does, where only
    #: a cycle of accepting states alone counts (an artifact of its fairness counters;
    #: right for a claim written for SPIN).  False: as the runs are, where a run that
    #: ends is weakly fair and any accepting cycle counts (for claims aioctx translated
    #: from a formula itself, whose shape is not the one SPIN would give them).
    spin_stutter_fairness: bool = True
    #: (state, pid) -> the pids with a transition in the state, where ``successors``
    #: offered ``pid``'s alone, for a system whose ``successors`` may expand one
    #: process alone (a partial-order reduction: the others are then postponed, not
    #: blocked).  The fair searches ask it only about such states.  None:
    #: ``successors`` offers every process's transitions.
    movers: Callable[[State, int], Iterable[int]] | None = None

    @abstractmethod
    def initial_states(self) -> Sequence[State]:
        """The initial state(s)."""

    @abstractmethod
    def successors(self, state: State) -> Iterable[Transition]:
        """Every enabled transition of ``state``; may raise ``AssertionViolation``."""

    def next_states(self, state: State) -> list[State]:
        """The successor states of ``state`` without their moves: all a safety search
        needs.  A system may offer a faster one (Promela's generated code does)."""
        return [move[2] for move in self.successors(state)]

    @abstractmethod
    def step_info(self, step: int) -> StepInfo:
        """Static description of ``step``."""

    @abstractmethod
    def process_name(self, state: State, pid: int) -> str:
        """Display name of process ``pid`` in ``state`` ("waiter", "reader:2")."""

    def locations(self, state: State) -> dict[str, str]:
        """Process name -> where it is in ``state`` (a label or the statement it runs
        next), for pictures of the state graph; a system may leave it empty."""
        return {}

    @abstractmethod
    def variables(self, state: State) -> dict[str, Any]:
        """Named values of ``state`` (globals and ``proc.local``), for counterexamples
        that show what each step changed."""
