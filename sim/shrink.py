"""Shrink a failing schedule: fewest preemptions, then fewest steps and deviations from
the default policy, always failing the same way (same signature).

The schedule is first rewritten as *deviations* from the default policy (``sim.guided``:
keyed by thread and its step count, so they survive changes elsewhere).  Then:

1. Drop deviations: each is dropped in turn and kept dropped while the run still fails
   the same way and is no worse (fewer preemptions, or as many and no more steps),
   until none can go.  One execution per attempt; it removes most of the incidental
   preemptions a random search makes.
2. Search: a preemption-bounded DFS (``fewest_preemptions``), level by level up to the
   count step 1 left, for the same failure.  The first it finds has the fewest
   preemptions of all, and, coming from the schedules nearest the default one, usually
   few steps; it replaces the current one if it has fewer preemptions, or as many and
   fewer steps, and goes through step 1 again.  It searches every schedule first, with
   a fifth of the budget at most (enough where the tree is small, and some failures
   need a thread other than the default one to follow a blocked thread); a failure
   found there has the fewest preemptions there are.  If it finds none, it searches
   the schedules that follow the default policy wherever a thread blocks, where only
   the preemptions branch, those nearest the current schedule first (a much smaller
   tree: it reaches the two-preemption failure of aio-dispatching-flag in about 800
   executions, the full tree in about 4,600).

The two searches share ``search_budget`` executions, so building a counterexample
costs about what the search that found the failure did (``sim.counterexample``).  A
strategy that found the failure level by level (DFS) has already shown that none has
fewer preemptions (``fewest_known``): the searches are skipped.  Every budget is an
execution count, never seconds: the shrunk schedule depends only on the program and the
decisions it started from.
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


Signature = tuple[str, str]


def _fails_same(runner: Runner, deviations: list[Deviation],
                want: Signature) -> _Attempt | None:
    decider = GuidedDecider(deviations)
    ex = runner.run(decider)
    if ex.failure is not None and ex.failure.signature == want:
        return _Attempt(decider.deviations, decider.preemptions, ex.nsteps,
                        list(ex.decisions))
    return None


def _replayed(runner: Runner, decisions: list[Decision]) -> tuple[_Attempt, Signature] | None:
    """Replay ``decisions`` once, rewritten as deviations: the attempt and its failure's
    signature, or None if it does not fail."""
    recorder = RecordingReplay(decisions)
    ex = runner.run(recorder)
    if ex.failure is None:
        return None
    return (_Attempt(recorder.deviations, recorder.preemptions, ex.nsteps,
                     list(ex.decisions)), ex.failure.signature)


def _drop_deviations(runner: Runner, best: _Attempt, want: Signature,
                     max_runs: int) -> _Attempt:
    """Step 1: passes over the deviations, last first, until none can be dropped."""
    runs = 0
    changed = True
    while changed and runs < max_runs:
        changed = False
        i = len(best.deviations) - 1
        while i >= 0 and runs < max_runs:
            runs += 1
            deviations = best.deviations
            got = _fails_same(runner, deviations[:i] + deviations[i + 1:], want)
            if got is not None and (got.preemptions < best.preemptions or (
                    got.preemptions == best.preemptions and got.steps <= best.steps)):
                best, changed = got, True
            i = min(i - 1, len(best.deviations) - 1)
    return best


def _search(runner: Runner, best: _Attempt, want: Signature, budget: int,
            free_choices: bool, max_runs: int) -> tuple[_Attempt, int, bool]:
    """Step 2: the first failure within ``best``'s preemption count, if it is better;
    returns the best attempt, the executions spent and whether a failure was found.
    The search over the smaller tree tries the schedules nearest ``best`` first."""
    found, spent = fewest_preemptions(runner, best.preemptions + 1, budget, want,
                                      free_choices,
                                      guide=None if free_choices else best.decisions)
    again = _replayed(runner, found) if found is not None else None
    if again is not None and again[1] == want:
        got = _drop_deviations(runner, again[0], want, max_runs)
        if got.preemptions < best.preemptions or (
                got.preemptions == best.preemptions and got.steps < best.steps):
            best = got
    return best, spent, found is not None


def shrink(runner: Runner, decisions: list[Decision], max_runs: int = 2_000,
           search_budget: int = 10_000,
           fewest_known: bool = False) -> tuple[list[Decision], int] | None:
    """Return (shrunk decisions, preemptions before shrinking), or None when replaying
    ``decisions`` does not fail (there is nothing to shrink)."""
    first = _replayed(runner, decisions)
    if first is None:
        return None
    best, want = first
    before = best.preemptions
    best = _drop_deviations(runner, best, want, max_runs)
    if best.preemptions > 0 and not fewest_known:
        best, spent, found = _search(runner, best, want, search_budget // 5, True, max_runs)
        if not found:
            best, _, _ = _search(runner, best, want, search_budget - spent, False, max_runs)
    return best.decisions, before
