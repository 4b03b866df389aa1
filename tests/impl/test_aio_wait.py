"""AIO_WAIT_WHILE, aio_wait_kick and aio_wait_bh_oneshot, and the
aiowait-home-thread-no-waiter-count race on real threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    AIO_WAIT_WHILE,
    AIO_WAIT_WHILE_UNLOCKED,
    AioContext,
    IOThread,
    aio_wait_bh_oneshot,
    aio_wait_kick,
    global_aio_wait,
    qemu_get_current_aio_context,
    sync,
)
from co_helpers import WAIT, Rescue, assertions_in_an_iothread, global_bugs, main_loop


@pytest.fixture
def main() -> Iterator[AioContext]:
    with main_loop() as ctx:
        yield ctx


def test_wait_returns_at_once_when_the_condition_is_false(main: AioContext) -> None:
    assert AIO_WAIT_WHILE(None, lambda: False) is False
    assert global_aio_wait().num_waiters.load() == 0


def test_main_loop_waits_for_an_iothread_that_kicks(main: AioContext) -> None:
    """The main loop sleeps in its own aio_poll; the IOThread's kick (a dummy BH in
    the main context) is what wakes it; num_waiters counts the waiter meanwhile."""
    t = IOThread("kicker")
    done = sync.Atomic(False, name="done")
    waiters_seen: list[int] = []

    def bh(_: Any) -> None:
        waiters_seen.append(global_aio_wait().num_waiters.load())
        done.store(True)
        aio_wait_kick()

    t.iothread_get_aio_context().aio_bh_schedule_oneshot(bh)
    assert AIO_WAIT_WHILE_UNLOCKED(None, lambda: not done.load()) in (True, False)
    assert done.load() and global_aio_wait().num_waiters.load() == 0
    t.join()


def test_bh_oneshot_runs_in_the_target_thread_and_waits(main: AioContext) -> None:
    t = IOThread("target")
    ran_in: list[Any] = []
    aio_wait_bh_oneshot(t.iothread_get_aio_context(),
                        lambda x: ran_in.append((x, qemu_get_current_aio_context())), 7)
    assert ran_in == [(7, t.iothread_get_aio_context())]
    t.join()


def test_home_thread_waits_on_its_own_context(main: AioContext) -> None:
    """In an IOThread, AIO_WAIT_WHILE(its ctx) polls that context (here until a BH
    scheduled from another thread has run)."""
    t = IOThread("home")
    ctx = t.iothread_get_aio_context()
    flag = sync.Atomic(False, name="flag")
    result: list[bool] = []

    def waiter(_: Any) -> None:
        sync.Thread(lambda: ctx.aio_bh_schedule_oneshot(lambda _: flag.store(True)),
                    name="scheduler").start()
        result.append(AIO_WAIT_WHILE(ctx, lambda: not flag.load()))

    aio_wait_bh_oneshot(ctx, waiter)
    assert len(result) == 1 and flag.load()
    t.join()


def test_only_the_main_loop_may_wait_for_another_context(main: AioContext) -> None:
    errors = assertions_in_an_iothread([
        lambda: AIO_WAIT_WHILE(main, lambda: True),
        lambda: AIO_WAIT_WHILE(None, lambda: True),
        lambda: aio_wait_bh_oneshot(main, lambda _: None)])
    assert errors == ["AIO_WAIT_WHILE: only the main loop may wait for another context"] * 2 \
        + ["aio_wait_bh_oneshot: not called from the main loop"]
    assert global_aio_wait().num_waiters.load() == 0


# --------------------------------------------------- aiowait-home-thread-no-waiter-count


def _home_thread_wait_race(bugs: tuple[str, ...]) -> bool:
    """The main loop waits on its own context.  Right after its condition read
    "not yet", a worker makes the condition false and kicks.  True if the main loop
    then slept until rescued."""
    with main_loop() as main, global_bugs(*bugs):
        done = sync.Atomic(False, name="done")
        checked, kicked = threading.Event(), threading.Event()

        def worker() -> None:
            assert checked.wait(WAIT)
            done.store(True)
            aio_wait_kick()
            kicked.set()

        def cond() -> bool:
            pending = not done.load()
            if not checked.is_set():            # the first check: let the worker in now
                checked.set()
                assert kicked.wait(WAIT)
            return pending

        t = sync.Thread(worker, name="worker")
        t.start()
        rescue = Rescue(0.5, main.aio_notify)
        assert AIO_WAIT_WHILE(main, cond) is True
        hung = rescue.done()
        t.join()
        return hung


def test_home_thread_waiter_is_counted_and_kicked() -> None:
    assert _home_thread_wait_race(()) is False


def test_home_thread_waiter_not_counted_sleeps_through_the_kick() -> None:
    assert _home_thread_wait_race(("aiowait-home-thread-no-waiter-count",)) is True
