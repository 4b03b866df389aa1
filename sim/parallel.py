"""Work units of an exploration, runnable here or in any ``concurrent.futures`` executor.

Each ``run_*`` function below rebuilds a guarded Runner from its picklable ``RunSpec``,
runs a batch of independent executions (the same loop the serial search runs on its
own runner) and returns plain data.  ``run_in_order`` submits a list of batches and
yields their results in submission order, stopping at the first batch that reports a
failure: whatever the number of workers, the failure reported is the one a serial run
would have found first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

from .runner import RunSpec, guarded
from .strategies.dfs import Item, ItemResult, explore_items
from .strategies.sampling import SamplingStrategy, sample_range


def run_samples(spec: RunSpec, strategy: SamplingStrategy, seed: int, start: int,
                stop: int, steps_estimate: int,
                stall_timeout: float) -> tuple[int | None, list[int] | None, int]:
    """``sample_range`` in a runner of its own."""
    with guarded(spec, stall_timeout) as runner:
        return sample_range(runner, strategy, seed, start, stop, steps_estimate)


def run_dfs_items(spec: RunSpec, items: list[Item], level: int, bound: int,
                  budget: int, stall_timeout: float) -> list[ItemResult]:
    """``explore_items`` in a runner of its own."""
    with guarded(spec, stall_timeout) as runner:
        return explore_items(runner, items, level, bound, budget)


def default_executor(workers: int) -> Executor:
    """A local process pool (fork start: the program need not be importable by name);
    its modules are imported here, by the explorations that use one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
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
