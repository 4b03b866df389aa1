"""Deciders that follow a given schedule: exact replay, and deviations from the default.

They sit beside ``sim.decider``, below every strategy: replay, the shrinker and the
counterexample builder use them, and so may any strategy.

A schedule has two forms.  *Decisions* list the option chosen at each choice moment
with more than one option (``Option.decision``: a thread number under sequential
consistency): exact, what a JSON schedule stores.  *Deviations* say only where the run
departs from the default policy (keep running the current thread, round robin when it
blocks), keyed by (thread, how many steps it had taken): robust to edits elsewhere, and
what the shrinker minimises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .decider import Decider, Decision, default_choice, is_preemption

if TYPE_CHECKING:
    from .execution import Execution, SimThread

Deviation = tuple[int, int, Decision]  # (running thread, its step count, chosen option)


class ReplayDecider(Decider):
    """Follow recorded decisions; past their end, the default policy."""

    def __init__(self, decisions: list[Decision]) -> None:
        self.decisions = decisions
        self.i = 0
        self.divergence: str | None = None

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        i = self.i
        if i >= len(self.decisions):
            return default_choice(enabled, cur)
        self.i = i + 1
        want = self.decisions[i]
        for t in enabled:
            if t.decision == want:
                return t
        if self.divergence is None:
            names = ", ".join(f"{t.decision}:{t.name}" for t in enabled)
            self.divergence = (f"decision {i} (step {ex.nsteps}) wants thread {want}, "
                               f"but only {names} can run")
        self.decisions = self.decisions[:i]
        return default_choice(enabled, cur)


class _Counting(Decider):
    """Counts each thread's steps so deviations can be keyed by them."""

    every_step = True

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.preemptions = 0
        self.deviations: list[Deviation] = []

    def _note(self, enabled: list[SimThread], cur: SimThread, chosen: SimThread) -> None:
        if len(enabled) > 1:
            default = default_choice(enabled, cur)
            if chosen is not default:
                self.deviations.append((cur.tid, self.counts.get(cur.tid, 0),
                                        chosen.decision))
            if is_preemption(enabled, cur, chosen):
                self.preemptions += 1
        if chosen.runs_thread:
            self.counts[chosen.tid] = self.counts.get(chosen.tid, 0) + 1


class RecordingReplay(_Counting):
    """Replay decisions and rewrite them as deviations (the shrinker's input)."""

    def __init__(self, decisions: list[Decision]) -> None:
        super().__init__()
        self.inner = ReplayDecider(decisions)

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        chosen = self.inner.choose(ex, enabled, cur) if len(enabled) > 1 else enabled[0]
        self._note(enabled, cur, chosen)
        return chosen


class GuidedDecider(_Counting):
    """Default policy except at the given deviations (when their target can run)."""

    def __init__(self, deviations: list[Deviation]) -> None:
        super().__init__()
        # several deviations may share a key: flushes chosen before the thread's next
        # step (a flush is not a step); they are taken in order
        self.wanted: dict[tuple[int, int], list[Decision]] = {}
        for d in deviations:
            self.wanted.setdefault((d[0], d[1]), []).append(d[2])

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        chosen = None
        if len(enabled) > 1:
            targets = self.wanted.get((cur.tid, self.counts.get(cur.tid, 0)))
            if targets:
                for t in enabled:
                    if t.decision == targets[0]:
                        chosen = t
                        del targets[0]
                        break
        if chosen is None:
            chosen = default_choice(enabled, cur)
        self._note(enabled, cur, chosen)
        return chosen
