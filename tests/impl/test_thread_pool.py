"""The thread pool: test-thread-pool.c's cases on the main context (a "long" job takes
0.6 s instead of 2 s, and instead of sleeping 1 s before cancelling the test waits
until the 64 workers have started theirs), pool sizing, bad use, and the
threadpool-nested-aio-poll race."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    AioContext,
    QemuAssertionError,
    aio_context_set_thread_pool_params,
    aio_get_thread_pool,
    bdrv_aio_cancel,
    bdrv_aio_cancel_async,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    sync,
    thread_pool_submit,
    thread_pool_submit_aio,
    thread_pool_submit_co,
)
from aioctx.impl import thread_pool as thread_pool_module
from aioctx.impl.thread_pool import ECANCELED, EINPROGRESS, THREAD_DONE
from co_helpers import WAIT, Rescue, main_loop, poll_until, wait_until

LONG_JOB_S = 0.6


@pytest.fixture
def main() -> Iterator[AioContext]:
    with main_loop() as ctx:
        yield ctx


class WorkerTestData:
    def __init__(self) -> None:
        self.n = sync.Atomic(0, name="data.n")
        self.ret = -EINPROGRESS
        self.aiocb: Any = None


class Active:
    """test-thread-pool.c's ``active``: callbacks not yet run (main thread only)."""

    def __init__(self) -> None:
        self.count = 0

    def done_cb(self, data: WorkerTestData, ret: int) -> None:
        assert data.ret in (-EINPROGRESS, -ECANCELED)
        data.ret = ret
        data.aiocb = None
        self.count -= 1


def worker_cb(data: WorkerTestData) -> int:
    return data.n.fetch_add(1)


def long_cb(data: WorkerTestData) -> int:
    if data.n.cmpxchg(0, 1) == 0:
        time.sleep(LONG_JOB_S)
        data.n.fetch_or(2)
    return 0


def test_submit_no_complete(main: AioContext) -> None:
    """/thread-pool/submit-no-complete: no callback; the work still runs."""
    data = WorkerTestData()
    thread_pool_submit(worker_cb, data)
    while data.n.load() == 0:
        main.aio_poll(True)
    assert data.n.load() == 1


def test_submit_aio(main: AioContext) -> None:
    """/thread-pool/submit-aio: the callback runs from the loop, never before."""
    active = Active()
    data = WorkerTestData()
    data.aiocb = thread_pool_submit_aio(worker_cb, data, active.done_cb, data)
    active.count = 1
    assert data.ret == -EINPROGRESS
    while data.ret == -EINPROGRESS:
        main.aio_poll(True)
    assert (active.count, data.n.load(), data.ret, data.aiocb) == (0, 1, 0, None)


def test_submit_co(main: AioContext) -> None:
    """/thread-pool/submit-co: a coroutine submits and yields; the completion BH
    wakes it in the main context with the result."""
    active = Active()
    data = WorkerTestData()

    async def co_test_cb(_: Any) -> None:
        active.count = 1
        data.ret = -EINPROGRESS
        assert await thread_pool_submit_co(worker_cb, data) == 0
        assert data.n.load() == 1
        data.ret = 0
        active.count -= 1

    qemu_coroutine_enter(qemu_coroutine_create(co_test_cb))
    assert active.count == 1 and data.ret == -EINPROGRESS    # back once it yielded
    while data.ret == -EINPROGRESS:
        main.aio_poll(True)
    assert active.count == 0 and data.ret == 0


def _submit_many(main: AioContext, active: Active) -> None:
    """/thread-pool/submit-many: more requests than the 64 default threads."""
    data = [WorkerTestData() for _ in range(100)]
    for d in data:
        thread_pool_submit_aio(worker_cb, d, active.done_cb, d)
    active.count = 100
    while active.count > 0:
        main.aio_poll(True)
    assert all(d.n.load() == 1 and d.ret == 0 for d in data)
    assert aio_get_thread_pool(main).cur_threads <= 64


def test_submit_many(main: AioContext) -> None:
    _submit_many(main, Active())


def _do_test_cancel(main: AioContext, sync_cancel: bool) -> None:
    active = Active()
    _submit_many(main, active)
    # QEMU counts on submit-many to leave the pool full; Python threads start slowly,
    # so make all 64 workers warm first: otherwise one may start a queued job just as
    # the test decides it never started.
    aio_context_set_thread_pool_params(main, 64, 64)
    pool = aio_get_thread_pool(main)
    poll_until(main, lambda: pool.idle_threads == 64, "the pool did not fill up")
    cancel = bdrv_aio_cancel if sync_cancel else bdrv_aio_cancel_async
    data = [WorkerTestData() for _ in range(100)]
    for d in data:
        d.aiocb = thread_pool_submit_aio(long_cb, d, active.done_cb, d)
    active.count = 100
    main.aio_notify()                           # starting threads may be left to a BH
    main.aio_poll(False)
    assert active.count == 100
    wait_until(lambda: sum(d.n.load() == 1 for d in data) == 64, "64 jobs did not start")
    assert active.count > 50
    num_canceled = 0
    for d in data:                              # the jobs not started yet
        if d.n.cmpxchg(0, 4) == 0:
            d.ret = -ECANCELED
            cancel(d.aiocb)
            num_canceled += 1
    assert active.count > 0 and num_canceled < 100
    for d in data:                              # the running ones: sync waits for them
        if d.aiocb is not None and d.n.load() < 4:
            cancel(d.aiocb)
    while active.count > 0:
        main.aio_poll(True)
    for d in data:
        assert d.aiocb is None
        n = d.n.load()
        assert n in (3, 4), f"n={n}: never started yet not cancelled, or stopped midway"
        assert d.ret == (0 if n == 3 else -ECANCELED)
    assert num_canceled > 0


def test_cancel(main: AioContext) -> None:
    """/thread-pool/cancel: queued jobs are cancelled, running ones waited for."""
    _do_test_cancel(main, sync_cancel=True)


def test_cancel_async(main: AioContext) -> None:
    """/thread-pool/cancel-async: the same without blocking."""
    _do_test_cancel(main, sync_cancel=False)


# --------------------------------------------------------------------------- sizing


def test_min_keeps_workers_warm_and_max_sheds_surplus(main: AioContext,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle workers above min_threads exit after the idle timeout (shortened here);
    min_threads stay; lowering max_threads makes the surplus exit."""
    monkeypatch.setattr(thread_pool_module, "THREAD_POOL_IDLE_TIMEOUT_NS", 50_000_000)
    aio_context_set_thread_pool_params(main, 2, 6)
    pool = aio_get_thread_pool(main)
    gate = threading.Event()
    started = threading.Semaphore(0)

    def blocker(_: Any) -> int:
        started.release()
        assert gate.wait(WAIT)
        return 0

    for _ in range(6):
        thread_pool_submit(blocker, None)
    for _ in range(6):                          # six workers, created via the BH chain
        while not started.acquire(timeout=0.01):
            main.aio_poll(False)
    assert pool.cur_threads == 6
    gate.set()
    while pool.head:
        main.aio_poll(True)
    wait_until(lambda: pool.cur_threads == 2, "idle workers above min_threads stay")
    time.sleep(0.2)                             # well past the idle timeout
    assert pool.cur_threads == 2
    aio_context_set_thread_pool_params(main, 1, 1)
    wait_until(lambda: pool.cur_threads == 1, "the surplus worker stays")


@pytest.mark.parametrize("bounds", [(-1, 4), (5, 4), (0, 0), (0, 2**31)])
def test_bad_pool_params_are_rejected(main: AioContext, bounds: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="bad thread-pool-min/thread-pool-max values"):
        aio_context_set_thread_pool_params(main, *bounds)
    assert (main.thread_pool_min, main.thread_pool_max) == (0, 64)
    with pytest.raises(TypeError, match="must be integers"):
        aio_context_set_thread_pool_params(main, 0, True)


def test_submit_from_a_thread_without_a_context_aborts(main: AioContext) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            thread_pool_submit(worker_cb, WorkerTestData())
        except QemuAssertionError as exc:
            errors.append(exc)

    t = sync.Thread(worker, name="no_context")
    t.start()
    t.join()
    assert len(errors) == 1 and "has no AioContext" in str(errors[0])
    with pytest.raises(QemuAssertionError, match="not in a coroutine"):
        thread_pool_submit_co(worker_cb, None).send(None)


# -------------------------------------------------------------- threadpool-nested-aio-poll


def _nested_poll_race(bugs: set[str]) -> bool:
    """Two requests finish before the completion BH runs; the first callback polls
    (nested) until the second one is delivered.  True if it had to be rescued."""
    with main_loop(bugs) as main:
        delivered: list[int] = []
        rescued = threading.Event()

        def cb(i: int, ret: int) -> None:
            delivered.append(i)
            if len(delivered) == 1:
                while len(delivered) < 2 and not rescued.is_set():
                    main.aio_poll(True)

        aio_context_set_thread_pool_params(main, 2, 64)
        pool = aio_get_thread_pool(main)          # two warm workers, started by a BH
        main.aio_poll(False)
        wait_until(lambda: pool.idle_threads == 2, "the workers did not start")
        reqs = [thread_pool_submit_aio(lambda _: 0, None, cb, i) for i in range(2)]
        wait_until(lambda: all(r.state.load() == THREAD_DONE for r in reqs),
                   "the requests did not finish")
        rescue = Rescue(0.5, lambda: (rescued.set(), main.aio_notify()))
        while len(delivered) < 2:
            main.aio_poll(True)
        hung = rescue.done()
        assert sorted(delivered) == [0, 1]
        return hung


def test_threadpool_nested_aio_poll_fixed() -> None:
    assert _nested_poll_race(set()) is False


def test_threadpool_nested_aio_poll_buggy_hangs_until_rescued() -> None:
    assert _nested_poll_race({"threadpool-nested-aio-poll"}) is True
