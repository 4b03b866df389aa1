"""The transition-system interface every checker in aioctx.model explores.

Two producers implement it: the Python modelling API (aioctx.model's own ``Model``) and
the Promela compiler (aioctx.promela).  The checkers only ever see this interface, so a
Promela model and a notebook model get the same searches, statistics and
counterexamples.

A state is any hashable value, ideally a flat tuple of ints (cheap to hash and store).
A transition is reported as ``(pid, step, next_state)``: ``pid`` is the process that
moves (what weak fairness is about), ``step`` indexes a static table of ``StepInfo``
(the statement and its source location, shared by every process running that code).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

State = Hashable
Transition = tuple[int, int, State]          # (pid, step, next_state)


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What a transition does and where it is written."""

    label: str            # the statement, as a reader would write it: "notified = 1"
    location: str         # "file.pml:12:5" or "module.py:34"


class AssertionViolation(Exception):
    """Raised by ``successors`` when executing ``step`` of ``pid`` fails an assertion.

    The checker turns it into a counterexample ending with that step.
    """

    def __init__(self, pid: int, step: int, message: str) -> None:
        super().__init__(message)
        self.pid = pid
        self.step = step
        self.message = message


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

    @abstractmethod
    def initial_states(self) -> Sequence[State]:
        """The initial state(s)."""

    @abstractmethod
    def successors(self, state: State) -> Iterable[Transition]:
        """Every enabled transition of ``state``; may raise ``AssertionViolation``."""

    @abstractmethod
    def step_info(self, step: int) -> StepInfo:
        """Static description of ``step``."""

    @abstractmethod
    def process_name(self, state: State, pid: int) -> str:
        """Display name of process ``pid`` in ``state`` ("waiter", "reader:2")."""

    @abstractmethod
    def variables(self, state: State) -> dict[str, Any]:
        """Named values of ``state`` (globals and ``proc.local``), for counterexamples
        that show what each step changed."""
