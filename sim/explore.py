"""``explore`` and ``replay``: the public entry points of the simulation.

``explore(program, strategy, runs, seed)`` runs ``program`` as the first controlled
thread under a strategy until a failure or the end of its budget (or, for DFS and DPOR,
of its search space), and returns a ``Result`` whose ``counterexample`` is shrunk,
traced, checked for determinism and replayable; that work is done the first time the
counterexample is read (``result.failed`` is known at once).  With ``workers`` or
``executor`` the independent parts (sampled runs, DFS subtrees) go to a
``concurrent.futures`` executor; the outcome is the same as a serial run with the same
seed.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from . import schedule as S
from .decider import Decider
from .failures import Failure
from .parallel import default_executor, run_dfs_items, run_in_order, run_samples
from .report import Result, deferred_counterexample, nondeterminism
from .runner import Runner, RunSpec, guarded
from .strategies.dfs import DFS, ROOT, Item, ItemResult, NondeterministicProgram, explore_items
from .strategies.dpor import DPOR, run_dpor
from .strategies.guided import RecordingReplay
from .strategies.hypothesis import HypothesisSearch, run_hypothesis
from .strategies.sampling import PCT, SamplingStrategy, sample_range
from .trace import format_columns, steps_of

Strategy = SamplingStrategy | DFS | DPOR | HypothesisSearch


def explore(program: Callable[[], None], strategy: Strategy | None = None,
            runs: int = 1000, seed: int = 0, *, max_steps: int = 20_000,
            engine: str | None = None, workers: int | None = None,
            executor: Executor | None = None, shrink: bool = True,
            line_level: bool = False, stall_timeout: float = 5.0,
            max_executions: int = 1_000_000,
            on_execution: Callable[[int], None] | None = None) -> Result:
    """Search the schedules of ``program`` for a failure.

    ``runs`` is the number of sampled runs (random walk, PCT, Hypothesis examples);
    DFS and DPOR run until their space is exhausted or ``max_executions``.
    ``on_execution(n)`` is called after each execution this process runs for the
    search (n counts them), for a progress display.
    ``engine`` is "fiber" (default) or "thread"; line-level mode needs "thread", since
    the interpreter's tracing state is per OS thread, not per fiber.
    """
    strategy = strategy if strategy is not None else PCT(3)
    if not isinstance(strategy, (SamplingStrategy, DFS, DPOR, HypothesisSearch)):
        raise TypeError(f"not a strategy: {strategy!r}")
    if engine is None:
        engine = "thread" if line_level else "fiber"
    elif line_level and engine != "thread":
        raise ValueError("line-level mode runs on the OS-thread engine (engine='thread')")
    spec = RunSpec(program, engine, max_steps, line_level)
    own_executor = None
    if executor is None and workers is not None and workers > 1:
        executor = own_executor = default_executor(workers)
    try:
        # One watched runner for all this process runs of the search (with an
        # executor: the calibration run and DFS's root level).
        with guarded(spec, stall_timeout) as runner:
            runner.on_run = on_execution
            result, failing = _search(runner, strategy, runs, seed, executor,
                                      stall_timeout, max_executions)
    except NondeterministicProgram as exc:
        result = Result(f"dfs(preemption bound {strategy.preemption_bound})", 0,
                        preemption_bound=strategy.preemption_bound)
        result.counterexample = nondeterminism(spec, str(exc))
        return result
    finally:
        if own_executor is not None:
            own_executor.shutdown(wait=True, cancel_futures=True)
    result.seed = seed
    if failing is not None:
        result.defer(deferred_counterexample(spec, failing, shrink, stall_timeout))
    return result


def _search(runner: Runner, strategy: Strategy, runs: int, seed: int,
            executor: Executor | None, stall_timeout: float,
            max_executions: int) -> tuple[Result, list[int] | None]:
    """Run ``strategy``: the result and the decisions of the first failing run."""
    if isinstance(strategy, SamplingStrategy):
        return _sample(runner, strategy, runs, seed, executor, stall_timeout)
    if isinstance(strategy, DFS):
        return _dfs(runner, strategy, seed, executor, stall_timeout, max_executions)
    if isinstance(strategy, DPOR):
        return run_dpor(runner, strategy, max_executions)
    return run_hypothesis(runner, strategy, runs, seed)


def _sample(runner: Runner, strategy: SamplingStrategy, runs: int, seed: int,
            executor: Executor | None,
            stall_timeout: float) -> tuple[Result, list[int] | None]:
    result = Result(strategy.name, 0)
    probe = runner.run(Decider())       # the PCT step estimate, or an early failure
    if probe.failure is not None:
        result.executions, result.found_at = 1, 0
        result.notes.append("the default (non-preemptive) schedule already fails")
        return result, list(probe.decisions)
    steps = probe.nsteps
    if executor is None:
        index, failing, done = sample_range(runner, strategy, seed, 0, runs, steps)
        result.executions, result.found_at = done, index
        return result, failing
    spec = runner.spec
    chunk = max(1, min(500, runs // 32 or 1))
    calls = [(run_samples, (spec, strategy, seed, lo, min(lo + chunk, runs), steps,
                            stall_timeout)) for lo in range(0, runs, chunk)]
    for index, decisions, done in run_in_order(executor, calls, lambda r: r[0] is not None):
        result.executions += done
        if index is not None:
            result.found_at = index
            return result, decisions
    return result, None


def _dfs(runner: Runner, strategy: DFS, seed: int, executor: Executor | None,
         stall_timeout: float, max_executions: int) -> tuple[Result, list[int] | None]:
    bound = strategy.preemption_bound
    order = random.Random(seed)
    result = Result(f"dfs(preemption bound {bound})", 0, preemption_bound=bound)
    level_items: list[Item] = [ROOT]
    for level in range(bound + 1):
        budget = max_executions - result.executions
        outcomes = _dfs_level(runner, level_items, level, bound, budget, executor,
                              stall_timeout)
        next_items: list[Item] = []
        done = 0
        for got in outcomes:
            done += got.executions
            result.pruned += got.pruned
            next_items.extend(got.next_level)
            if got.failing is not None:
                result.executions += done
                result.per_level.append(done)
                result.found_at = result.executions
                return result, got.failing
        result.executions += done
        result.per_level.append(done)
        if result.executions >= max_executions:
            result.stopped_at_cap(max_executions)
            return result, None
        level_items = next_items
        if not level_items:
            break
        order.shuffle(level_items)      # same space, seeded order: bugs come up sooner
    result.exhaustive = True
    result.notes.append("executions per preemption count: "
                        + ", ".join(f"{i}: {n}" for i, n in enumerate(result.per_level)))
    return result, None


def _dfs_level(runner: Runner, items: list[Item], level: int, bound: int, budget: int,
               executor: Executor | None, stall_timeout: float) -> list[ItemResult]:
    if executor is None or len(items) < 2:
        return explore_items(runner, items, level, bound, budget)
    spec = runner.spec
    size = max(16, min(1024, len(items) // 16))
    calls = [(run_dfs_items, (spec, items[i:i + size], level, bound, budget, stall_timeout))
             for i in range(0, len(items), size)]
    out: list[ItemResult] = []
    for batch in run_in_order(executor, calls,
                              lambda b: any(r.failing is not None for r in b)):
        out.extend(batch)
    return out


class ReplayResult:
    """What ``replay`` saw: the failure (if any), the trace, and any divergence."""

    def __init__(self, failure: Failure | None, schedule: dict[str, Any],
                 trace: list[list[Any]], threads: list[str], divergence: str | None) -> None:
        self.failure = failure
        self.schedule = schedule
        self.trace = trace
        self.threads = threads
        self.divergence = divergence

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def __str__(self) -> str:
        lines = []
        if self.divergence:
            lines += [f"diverged: {self.divergence}", ""]
        lines.append(self.failure.describe() if self.failure else "replay: no failure")
        lines += ["", format_columns(self.trace, self.threads)]
        return "\n".join(lines)


def replay(program: Callable[[], None], schedule: dict[str, Any] | str | os.PathLike[str],
           *, engine: str | None = None, max_steps: int | None = None,
           stall_timeout: float = 5.0) -> ReplayResult:
    """Run ``program`` along a schedule document; report where it no longer fits.
    Watched like ``explore``: a replay that stalls (a real lock) ends with a report."""
    doc = S.load(schedule)
    spec = RunSpec(program, engine or doc.get("engine", "fiber"),
                   max_steps or int(doc.get("max_steps", 20_000)))
    with guarded(spec, stall_timeout) as runner:
        recorder = RecordingReplay(list(doc["decisions"]))
        ex = runner.run(recorder, trace=True)
    steps = steps_of(ex.trace or [])
    divergence = recorder.inner.divergence
    expected = doc.get("steps")
    if isinstance(expected, list) and expected:
        divergence = S.first_divergence(expected, steps) or divergence
    threads = [t.name for t in ex.threads]
    doc_out = S.make_document(program, list(ex.decisions), threads,
                              ex.failure.to_json() if ex.failure else None, steps,
                              recorder.preemptions, spec.engine, spec.max_steps)
    return ReplayResult(ex.failure, doc_out, ex.trace or [], threads, divergence)
