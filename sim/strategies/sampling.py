"""Sampling strategies: random walk and PCT.  Each run is independent and its decider
is a pure function of (seed, run index, calibration), so runs can be spread over
workers in any order and the first failing index is the same.

A new sampling strategy subclasses ``SamplingStrategy`` and defines ``decider``; the
search loop, the calibration run and the parallel split are shared (``search``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..decider import Decider, Decision
from ..parallel import in_worker, run_in_order
from ..result import Result
from ..strategy import Found, SearchJob, register_strategy

if TYPE_CHECKING:
    from ..execution import Execution, SimThread
    from ..runner import Runner


def run_rng(seed: int, index: int) -> random.Random:
    """The random stream of one run: independent of every other run."""
    return random.Random(seed * 1_000_003 + index)


class SamplingStrategy:
    """A strategy whose runs are independent draws: ``job.runs`` of them, run ``i``
    decided by ``decider(seed, i, steps_estimate)``."""

    name = "sampling"

    def decider(self, seed: int, index: int, steps_estimate: int) -> Decider:
        raise TypeError(f"{type(self).__name__} does not draw runs")

    def search(self, job: SearchJob) -> Found:
        return sample(self, job)


class _RandomDecider(Decider):
    __slots__ = ("rng",)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        return enabled[self.rng.randrange(len(enabled))]


@dataclass(frozen=True)
class RandomWalk(SamplingStrategy):
    """At every choice, any enabled thread with equal probability."""

    name = "random"

    def decider(self, seed: int, index: int, steps_estimate: int) -> Decider:
        return _RandomDecider(run_rng(seed, index))


class _PCTDecider(Decider):
    """Burckhardt et al. 2010: random distinct priorities (all above ``depth``), run the
    highest-priority enabled thread, and at ``depth - 1`` random steps lower the running
    thread's priority to ``depth - i``.  A bug of depth d is found with probability at
    least 1/(n * k^(d-1)) per run.  Under a weak memory model each buffered store's
    flush is an option with a random priority of its own (keyed by its decision, as
    threads are): a store whose flush ranks below the running threads stays buffered
    until they block or something drains it."""

    __slots__ = ("rng", "depth", "priority", "changes")

    def __init__(self, rng: random.Random, depth: int, steps_estimate: int) -> None:
        self.rng = rng
        self.depth = depth
        self.priority: dict[Decision, float] = {}
        k = max(steps_estimate, depth)
        rand = rng.random
        # d-1 change points uniform in 1..k: (step, new priority), earliest first
        self.changes = sorted((1 + int(rand() * k), depth - 1 - i) for i in range(depth - 1))

    def _prio(self, t: SimThread) -> float:
        p = self.priority.get(t.decision)
        if p is None:
            p = self.priority[t.decision] = self.depth + self.rng.random()
        return p

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        changes = self.changes
        while changes and changes[0][0] <= ex.nsteps:
            _, lowered = changes.pop(0)
            self.priority[cur.decision] = lowered
        best = enabled[0]
        best_p = self._prio(best)
        for t in enabled[1:]:
            p = self._prio(t)
            if p > best_p:
                best, best_p = t, p
        return best


@dataclass(frozen=True)
class PCT(SamplingStrategy):
    """Probabilistic concurrency testing with bug depth ``depth``."""

    depth: int = 3
    name = "pct"

    def __post_init__(self) -> None:
        if self.depth < 1:
            raise ValueError("PCT depth must be at least 1")

    def decider(self, seed: int, index: int, steps_estimate: int) -> Decider:
        return _PCTDecider(run_rng(seed, index), self.depth, steps_estimate)


def sample(strategy: SamplingStrategy, job: SearchJob) -> Found:
    """One calibration run under the default policy (PCT's step estimate, an early
    failure, or the news that there is nothing to choose), then the sampled runs, here
    or in batches on ``job.executor``."""
    runner, runs, seed = job.runner, job.runs, job.seed
    result = Result(strategy.name, 0)
    probe = runner.run(Decider())
    if probe.failure is not None:
        result.executions, result.found_at = 1, 0
        result.notes.append("the default (non-preemptive) schedule already fails")
        return Found(result, list(probe.decisions))
    if not probe.decisions:
        result.executions, result.exhaustive = 1, True
        result.notes.append("one execution covers every schedule: it had no scheduling "
                            "choice (never two threads able to run)")
        return Found(result, None)
    steps = probe.nsteps
    if job.executor is None:
        index, failing, done = sample_range(runner, strategy, seed, 0, runs, steps)
        result.executions, result.found_at = done, index
        return Found(result, failing)
    chunk = max(1, min(500, runs // 32 or 1))
    calls = [(in_worker, (job.spec, job.stall_timeout, sample_range, strategy, seed, lo,
                          min(lo + chunk, runs), steps)) for lo in range(0, runs, chunk)]
    for index, decisions, done in run_in_order(job.executor, calls,
                                               lambda r: r[0] is not None):
        result.executions += done
        if index is not None:
            result.found_at = index
            return Found(result, decisions)
    return Found(result, None)


def sample_range(runner: Runner, strategy: SamplingStrategy, seed: int, start: int,
                 stop: int, steps_estimate: int
                 ) -> tuple[int | None, list[Decision] | None, int]:
    """Runs ``start..stop-1``; (failing index, its decisions, executions done)."""
    for i in range(start, stop):
        ex = runner.run(strategy.decider(seed, i, steps_estimate))
        if ex.failure is not None:
            return i, list(ex.decisions), i - start + 1
    return None, None, stop - start


register_strategy("pct", PCT)
register_strategy("random", RandomWalk)
