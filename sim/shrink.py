"""Shrink a failing schedule: fewest preemptions first, then fewest deviations from
the default policy and fewest steps, always failing the same way (same signature).

1. Preemptions: a preemption-bounded DFS (``fewest_preemptions``) looks for the same
   failure with fewer preemptions, level by level, so when it finishes within its
   budget the count that remains is the minimum the failure needs.
2. Deviations: the schedule is rewritten as deviations (``sim.guided``); each is
   dropped in turn and kept dropped while the run still fails the same way and is no
   worse (fewer preemptions, or as many and no more steps), until none can go.
"""

from __future__ import annotations

from dataclasses import dataclass

from .decider import Decision
from .guided import Deviation, GuidedDecider, RecordingReplay
from .runner import Runner
from .strategies.dfs import fewest_preemptions


@dataclass(frozen=True)
class _Attempt:
    deviations: list[Deviation]        # the deviations that actually took effect
    preemptions: int
    steps: int
    decisions: list[Decision]


def _fails_same(runner: Runner, deviations: list[Deviation],
                want: tuple[str, str]) -> _Attempt | None:
    decider = GuidedDecider(deviations)
    ex = runner.run(decider)
    if ex.failure is not None and ex.failure.signature == want:
        return _Attempt(decider.deviations, decider.preemptions, ex.nsteps,
                        list(ex.decisions))
    return None


def _replayed(runner: Runner,
              decisions: list[Decision]) -> tuple[_Attempt, tuple[str, str]] | None:
    """Replay ``decisions`` once, rewritten as deviations: the attempt and its failure's
    signature, or None if it does not fail."""
    recorder = RecordingReplay(decisions)
    ex = runner.run(recorder)
    if ex.failure is None:
        return None
    return (_Attempt(recorder.deviations, recorder.preemptions, ex.nsteps,
                     list(ex.decisions)), ex.failure.signature)


def shrink(runner: Runner, decisions: list[Decision], max_runs: int = 2_000,
           search_budget: int = 10_000) -> tuple[list[Decision], int] | None:
    """Return (shrunk decisions, preemptions before shrinking), or None when replaying
    ``decisions`` does not fail (there is nothing to shrink)."""
    first = _replayed(runner, decisions)
    if first is None:
        return None
    best, want = first
    before = best.preemptions
    if before > 0:
        fewer = fewest_preemptions(runner, before, search_budget, want)
        again = _replayed(runner, fewer) if fewer is not None else None
        if again is not None and again[1] == want:
            best = again[0]
    runs = 0
    changed = True
    while changed and runs < max_runs:          # passes until nothing more can go
        changed = False
        i = len(best.deviations) - 1
        while i >= 0 and runs < max_runs:
            runs += 1
            deviations = best.deviations
            candidate = deviations[:i] + deviations[i + 1:]
            got = _fails_same(runner, candidate, want)
            if got is not None and (got.preemptions < best.preemptions or (
                    got.preemptions == best.preemptions and got.steps <= best.steps)):
                best, changed = got, True
            i = min(i - 1, len(best.deviations) - 1)
    return best.decisions, before
