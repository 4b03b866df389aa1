"""Running a search's independent batches in a ``concurrent.futures`` executor.

A strategy that can split its work (sampled runs, DFS subtrees) sends each batch as
``(in_worker, (spec, stall_timeout, work, *args))``: the worker rebuilds a guarded
Runner from the picklable ``RunSpec`` and runs ``work(runner, *args)``, the same loop
the serial search runs on its own runner, returning plain data.  ``run_in_order``
submits the batches and yields their results in submission order, stopping at the
first batch that reports a failure: whatever the number of workers, the failure
reported is the one a serial run would have found first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

from .runner import in_worker

__all__ = ["default_executor", "in_worker", "run_in_order"]


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
