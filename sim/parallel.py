"""Work units of an exploration, runnable here or in any ``concurrent.futures`` executor.

Each function below rebuilds a Runner from its picklable ``RunSpec``, runs a batch of
independent executions under the watchdog and returns plain data.  ``run_in_order``
submits a list of batches and yields their results in submission order, stopping at
the first batch that reports a failure: whatever the number of workers, the failure
reported is the one a serial run would have found first.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from .runner import Runner, RunSpec
from .strategies.dfs import Item, ItemResult, explore_item
from .strategies.sampling import SamplingStrategy
from .watchdog import watchdog


@contextmanager
def guarded(spec: RunSpec, stall_timeout: float) -> Iterator[Runner]:
    """A Runner whose executions are watched for stalls."""
    runner = Runner(spec)

    def progress() -> object:
        ex = runner.current
        return (runner.executions, ex.nsteps if ex is not None else 0)

    def target() -> int | None:
        ex = runner.current
        if ex is None or ex.current is None or ex.current.os_thread is None:
            return None
        return ex.current.os_thread.ident

    def on_stuck(message: str) -> None:
        ex = runner.current
        abandon = getattr(runner.engine, "abandon", None)
        if ex is not None and abandon is not None:
            abandon(ex, message)

    try:
        with watchdog(progress, target, stall_timeout, on_stuck):
            yield runner
    finally:
        runner.close()


def run_samples(spec: RunSpec, strategy: SamplingStrategy, seed: int, start: int,
                stop: int, steps_estimate: int,
                stall_timeout: float) -> tuple[int | None, list[int] | None, int]:
    """Runs ``start..stop-1``; (failing index, its decisions, executions done)."""
    with guarded(spec, stall_timeout) as runner:
        for i in range(start, stop):
            ex = runner.run(strategy.decider(seed, i, steps_estimate))
            if ex.failure is not None:
                return i, list(ex.decisions), i - start + 1
    return None, None, stop - start


def run_dfs_items(spec: RunSpec, items: list[Item], level: int, bound: int,
                  budget: int, stall_timeout: float) -> list[ItemResult]:
    """Explore DFS work items in order, stopping after the first failing one."""
    out = []
    with guarded(spec, stall_timeout) as runner:
        for item in items:
            got = explore_item(runner, item, level, bound, budget)
            budget -= got.executions
            out.append(got)
            if got.failing is not None or budget <= 0:
                break
    return out


def default_executor(workers: int) -> Executor:
    """A local process pool (fork start: the program need not be importable by name)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def run_in_order(executor: Executor, calls: list[tuple[Callable[..., Any], tuple[Any, ...]]],
                 failed: Callable[[Any], bool], window: int = 4) -> Iterator[Any]:
    """Run the calls with at most ``window`` in flight; yield results in order and stop
    submitting after a failure (what is still running is cancelled or waited for)."""
    pending: deque[Future[Any]] = deque()
    todo = iter(calls)
    try:
        while True:
            while len(pending) < window:
                call = next(todo, None)
                if call is None:
                    break
                pending.append(executor.submit(call[0], *call[1]))
            if not pending:
                return
            result = pending.popleft().result()
            yield result
            if failed(result):
                return
    finally:
        for fut in pending:
            fut.cancel()
