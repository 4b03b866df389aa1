"""The interface between the runtime and a search strategy, plus the default policy.

At every choice moment (a controlled thread reached a scheduling point, or one ended)
the runtime hands a ``Decider`` its *options* and the decider returns the one that
happens next.  Every strategy (random walk, PCT, DFS, DPOR, replay, Hypothesis) is a
decider built per execution; the runtime never knows which one it is talking to.

An option has ``tid`` (the thread it concerns), ``decision`` (the value recorded in
``Execution.decisions`` and stored in schedule documents when the choice was a real
one, i.e. there was more than one option) and ``runs_thread`` (True: the option runs
that thread's next operation).  Under sequential consistency the options are the
enabled ``SimThread`` objects themselves: ``decision`` is the thread number and
``runs_thread`` is True, so the hot path builds nothing.  A memory model with store
buffers adds options that are not threads (a flush of a buffered store: ``runs_thread``
False, a ``decision`` that is not a plain thread number, offered after the threads);
deciders that replay or enumerate choices compare ``decision`` values, never assume
they are thread numbers, ``default_choice`` never picks an option that does not run a
thread, and ``is_preemption`` counts choosing one as a preemption.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .execution import Execution, SimThread

#: what a schedule records for one choice: a thread number for "run that thread";
#: other kinds of decision (a store-buffer flush) use values that are not ints
Decision = Hashable


class Option(Protocol):
    """Something a decider can choose (a ``SimThread`` under sequential consistency)."""

    tid: int
    decision: Decision
    runs_thread: bool


class Decider:
    """Picks what happens next.  ``every_step`` asks to be called even when only one
    option exists (DPOR needs to see each transition).  ``every_flush`` asks to be
    offered every flushable store at every choice moment, not only the flushes another
    thread could observe next (``sim.weak``; DPOR does its own reduction)."""

    every_step = False
    every_flush = False

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        return default_choice(enabled, cur)

    def exited(self, ex: Execution, thread: SimThread) -> None:
        """``thread`` just finished (its last transition); most deciders do not care."""


def default_choice(enabled: list[SimThread], cur: SimThread) -> SimThread:
    """No preemption: keep running ``cur`` if it can; otherwise the next enabled thread
    after it in creation order (round robin), so the choice never depends on history.
    Options that do not run a thread (flushes) are never the default."""
    if cur in enabled:
        return cur
    for t in enabled:
        if t.tid > cur.tid and t.runs_thread:
            return t
    return enabled[0]


def is_preemption(enabled: list[SimThread], cur: SimThread, chosen: SimThread) -> bool:
    """Switching away from a thread that could have continued costs a preemption, and
    so does every flush of a buffered store (the default never flushes: a store stays
    buffered until something drains it), so a preemption bound also bounds flushes."""
    if not chosen.runs_thread:
        return True
    return chosen is not cur and cur in enabled
