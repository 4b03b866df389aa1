"""The interface between the runtime and a search strategy, plus the default policy.

At every choice moment (a controlled thread reached a scheduling point, or one ended)
the runtime hands the enabled threads to a ``Decider``, which returns the one that runs
next.  Every strategy (random walk, PCT, DFS, DPOR, replay, Hypothesis) is a decider
built per execution; the runtime never knows which one it is talking to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .execution import Execution, SimThread


class Decider:
    """Picks the next thread.  ``every_step`` asks to be called even when only one
    thread is enabled (DPOR needs to see each transition)."""

    every_step = False

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        return default_choice(enabled, cur)

    def exited(self, ex: Execution, thread: SimThread) -> None:
        """``thread`` just finished (its last transition); most deciders do not care."""


def default_choice(enabled: list[SimThread], cur: SimThread) -> SimThread:
    """No preemption: keep running ``cur`` if it can; otherwise the next enabled thread
    after it in creation order (round robin), so the choice never depends on history."""
    if cur in enabled:
        return cur
    for t in enabled:
        if t.tid > cur.tid:
            return t
    return enabled[0]


def is_preemption(enabled: list[SimThread], cur: SimThread, chosen: SimThread) -> bool:
    """Switching away from a thread that could have continued costs a preemption."""
    return chosen is not cur and cur in enabled
