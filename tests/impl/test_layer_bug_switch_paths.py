"""The coroutine / AIO_WAIT / thread-pool / graph-lock bug switches change exactly the
code the historical fix changed.  Each test runs the same single-threaded piece of
code with the switch off and on, records every labelled memory operation (a fresh
set of globals per run), and compares.  The weak-memory ones (TSO/ARM) cannot
misbehave on CPython; their scenarios belong to aioctx.sim."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from aioctx.impl import (
    AIO_WAIT_WHILE,
    AioContext,
    aio_co_schedule,
    aio_wait_kick,
    bdrv_graph_co_rdlock,
    bdrv_graph_co_rdunlock,
    bdrv_graph_wrlock,
    bdrv_graph_wrunlock,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    qemu_init_main_loop,
)
from aioctx.impl.bugs import set_global_bugs
from aioctx.impl.thread_pool import (
    THREAD_DONE,
    ThreadPoolElementAio,
    aio_get_thread_pool,
    thread_pool_completion_bh,
)
from impl_helpers import Recorder, recording

Op = tuple[str, str, "str | None"]


def run_recorded(scenario: Callable[[AioContext, Recorder], None],
                 global_bugs: tuple[str, ...] = (), ctx_bugs: tuple[str, ...] = ()) -> Recorder:
    """``scenario(main, rec)`` in a fresh process-like world with the given switches;
    the log starts empty when the scenario starts."""
    with recording() as rec:
        set_global_bugs(global_bugs)
        main = qemu_init_main_loop(ctx_bugs)
        main.aio_bh_schedule_oneshot(lambda _: None)
        main.aio_poll(True)                         # settle
        rec.log.clear()
        scenario(main, rec)
    return rec


def without(log: list[Op], *prefixes: str) -> list[Op]:
    return [op for op in log if not (op[2] or "").startswith(prefixes)]


# --------------------------------------------------------------------------- AIO_WAIT


def _waits_and_kick(main: AioContext, rec: Recorder) -> None:
    AIO_WAIT_WHILE(main, lambda: False)             # home thread
    AIO_WAIT_WHILE(None, lambda: False)             # main loop on behalf of others
    aio_wait_kick()


COUNTED = [("fetch_add", "seq_cst", "AIO_WAIT_WHILE.inc_num_waiters"),
           ("fence", "mb_after_rmw", "AIO_WAIT_WHILE.mb_after_rmw"),
           ("fetch_sub", "seq_cst", "AIO_WAIT_WHILE.dec_num_waiters")]


def test_aio_wait_kick_missing_barrier_drops_both_barriers() -> None:
    fixed = run_recorded(_waits_and_kick)
    buggy = run_recorded(_waits_and_kick, ("aio-wait-kick-missing-barrier",))
    assert fixed.log == COUNTED + COUNTED + [
        ("fence", "mb", "aio_wait_kick.mb"),
        ("load", "relaxed", "aio_wait_kick.load_num_waiters")]
    barriers = [("fence", "mb_after_rmw", "AIO_WAIT_WHILE.mb_after_rmw"),
                ("fence", "mb", "aio_wait_kick.mb")]
    assert buggy.log == [op for op in fixed.log if op not in barriers]


def test_aiowait_home_thread_no_waiter_count_skips_only_the_home_branch() -> None:
    fixed = run_recorded(_waits_and_kick)
    buggy = run_recorded(_waits_and_kick, ("aiowait-home-thread-no-waiter-count",))
    assert buggy.log == fixed.log[len(COUNTED):]    # the first (home) wait counts nothing


# --------------------------------------------------------------------------- graph lock


def _read_section(main: AioContext, rec: Recorder) -> None:
    async def reader(_: Any) -> None:
        await bdrv_graph_co_rdlock()
        await bdrv_graph_co_rdunlock()

    qemu_coroutine_enter(qemu_coroutine_create(reader))


def test_graph_rdlock_no_barrier_drops_the_fast_path_barrier() -> None:
    fixed = run_recorded(_read_section)
    buggy = run_recorded(_read_section, ("graph-rdlock-no-barrier",))
    assert fixed.ops("bdrv_graph_co_rdlock") == [
        ("load", "relaxed", "bdrv_graph_co_rdlock.load_count"),
        ("store", "relaxed", "bdrv_graph_co_rdlock.inc_count"),
        ("fence", "mb", "bdrv_graph_co_rdlock.mb"),
        ("load", "relaxed", "bdrv_graph_co_rdlock.load_has_writer")]
    assert buggy.log == [op for op in fixed.log
                         if op != ("fence", "mb", "bdrv_graph_co_rdlock.mb")]


def test_graph_rdunlock_kick_conditional_kicks_only_with_has_writer() -> None:
    fixed = run_recorded(_read_section)
    buggy = run_recorded(_read_section, ("graph-rdunlock-kick-conditional",))
    unlock = [("load", "relaxed", "bdrv_graph_co_rdunlock.load_count"),
              ("store", "release", "bdrv_graph_co_rdunlock.dec_count"),
              ("fence", "mb", "bdrv_graph_co_rdunlock.mb")]
    kick = [("fence", "mb", "aio_wait_kick.mb"),
            ("load", "relaxed", "aio_wait_kick.load_num_waiters")]
    assert fixed.ops("bdrv_graph_co_rdunlock") + fixed.ops("aio_wait_kick") == unlock + kick
    assert buggy.ops("bdrv_graph_co_rdunlock") == unlock + [
        ("load", "relaxed", "bdrv_graph_co_rdunlock.load_has_writer")]
    assert buggy.ops("aio_wait_kick") == []         # has_writer was 0: no kick
    assert without(fixed.log, "bdrv_graph_co_rdunlock", "aio_wait_kick") == \
        without(buggy.log, "bdrv_graph_co_rdunlock", "aio_wait_kick")


def _writer_holding(held: list[bool]) -> Callable[[AioContext, Recorder], None]:
    """The writer holds an IOThread context's lock and must wait for a reader; while
    it polls, another thread probes whether that lock is free."""
    def scenario(main: AioContext, rec: Recorder) -> None:
        other = AioContext(name="iothread_ctx")
        parked: dict[str, Any] = {}

        async def reader(_: Any) -> None:
            await bdrv_graph_co_rdlock()
            parked["co"] = qemu_coroutine_self()
            await qemu_coroutine_yield()
            await bdrv_graph_co_rdunlock()

        qemu_coroutine_enter(qemu_coroutine_create(reader))

        def probe_then_unlock(_: Any) -> None:
            free: list[bool] = []

            def probe() -> None:
                free.append(other.lock.trylock())
                if free[0]:
                    other.lock.unlock()

            t = threading.Thread(target=probe)
            t.start()
            t.join()
            held.append(not free[0])
            qemu_coroutine_enter(parked["co"])

        main.aio_bh_schedule_oneshot(probe_then_unlock)
        other.aio_context_acquire()
        bdrv_graph_wrlock(held_ctx=other)
        other.aio_context_release()
        bdrv_graph_wrunlock()
        other.aio_context_unref()
    return scenario


def test_graph_wrlock_polls_holding_aiocontext_keeps_the_lock_while_polling() -> None:
    held: list[bool] = []
    fixed = run_recorded(_writer_holding(held))
    buggy = run_recorded(_writer_holding(held), ("graph-wrlock-polls-holding-aiocontext",))
    assert held == [False, True]
    assert fixed.log == buggy.log                   # the lock is all that differs


# --------------------------------------------------------------------------- coroutines, pool


def _schedule_one(main: AioContext, rec: Recorder) -> None:
    async def entry(_: Any) -> None:
        pass

    aio_co_schedule(main, qemu_coroutine_create(entry))
    main.aio_poll(False)


def test_co_schedule_ctx_uaf_drops_the_reference() -> None:
    fixed = run_recorded(_schedule_one)
    buggy = run_recorded(_schedule_one, ctx_bugs=("co-schedule-ctx-uaf",))
    ref = [("fetch_add", "seq_cst", "aio_context_ref.fetch_add"),
           ("fetch_sub", "seq_cst", "aio_context_unref.fetch_sub")]
    assert fixed.ops("aio_context_") == ref and buggy.ops("aio_context_") == []
    assert without(fixed.log, "aio_context_") == buggy.log
    push = fixed.log.index(("cmpxchg", "seq_cst", "aio_co_schedule.push"))
    assert fixed.log.index(ref[0]) < push < fixed.log.index(ref[1])


def _complete_two(main: AioContext, rec: Recorder) -> None:
    pool = aio_get_thread_pool(main)
    for i in range(2):
        elem = ThreadPoolElementAio(pool, lambda _: 0, None, lambda *_: None, i)
        elem.state.store(THREAD_DONE)
        pool.head.appendleft(elem)
    rec.log.clear()
    thread_pool_completion_bh(pool)


def test_threadpool_nested_aio_poll_drops_the_reschedule_before_callbacks() -> None:
    fixed = run_recorded(_complete_two)
    buggy = run_recorded(_complete_two, ctx_bugs=("threadpool-nested-aio-poll",))
    schedule = ("aio_bh_enqueue", "aio_notify")
    assert fixed.ops("aio_bh_enqueue.fetch_or") == [
        ("fetch_or", "seq_cst", "aio_bh_enqueue.fetch_or")] * 2
    assert buggy.ops("aio_bh_enqueue") == [] and buggy.ops("aio_notify") == []
    assert without(fixed.log, *schedule) == buggy.log
