"""The graph lock on real threads: readers in several IOThreads that hop between
contexts while holding the lock, a main loop that write-locks over and over, contexts
created and destroyed meanwhile; and the two graph-lock races that need no weak memory
(graph-rdunlock-kick-conditional, graph-wrlock-polls-holding-aiocontext)."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest
from aioctx.impl import (
    AioContext,
    IOThread,
    aio_co_enter,
    aio_co_reschedule_self,
    bdrv_graph_co_rdlock,
    bdrv_graph_co_rdunlock,
    bdrv_graph_wrlock,
    bdrv_graph_wrunlock,
    check_graph_lock_invariants,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    sync,
)
from co_helpers import (
    WAIT,
    Rescue,
    clean_graph_lock,
    global_bugs,
    main_loop,
    poll_until,
    start_co,
    stop_the_world,
    wait_until,
)

ROUNDS = 6
READERS = 6
HOPS = 50


class Graph:
    """What the write lock protects: odd ``version`` means a mutation is under way."""

    def __init__(self) -> None:
        self.version = 0


@pytest.mark.timeout(90)
def test_readers_hop_while_the_main_loop_writes() -> None:
    """Each round starts a transient IOThread and READERS reader coroutines in the
    long-lived IOThreads.  A reader takes the read lock, hops to another context while
    holding it, checks that no write happened meanwhile, releases the lock there and
    hops on; reader 0 of each round releases in the transient context, which is then
    destroyed with a negative count.  Meanwhile the main loop write-locks and mutates
    the graph again and again, and checks the invariants with every IOThread at rest,
    inside and outside the write section."""
    with main_loop() as main, clean_graph_lock():
        long_lived = [IOThread(f"reader{i}") for i in range(3)]
        homes = [t.iothread_get_aio_context() for t in long_lived] + [main]
        graph = Graph()
        errors: list[BaseException] = []
        finished = sync.Atomic(0, name="finished")
        stats = {"checks": 0, "wrlocks": 0, "negative": 0, "queued": 0, "orphaned": set()}

        def check(iothreads: list[IOThread], writer_inside: bool = False) -> None:
            with stop_the_world(iothreads):
                snap = check_graph_lock_invariants()
            assert (snap.writer == "inside") == writer_inside
            stats["checks"] += 1
            stats["negative"] += sum(1 for _, n in snap.reader_counts if n < 0)
            stats["queued"] += len(snap.queued)
            stats["orphaned"].add(snap.orphaned_reader_count)

        def reader(seed: int, transient: AioContext) -> Any:
            async def run() -> None:
                rng = random.Random(seed)
                try:
                    for hop in range(HOPS):
                        await bdrv_graph_co_rdlock()
                        version = graph.version
                        assert version % 2 == 0, "a reader got in during a write"
                        unlock_in = transient if seed % READERS == 0 and hop == 0 \
                            else rng.choice(homes)
                        await aio_co_reschedule_self(unlock_in)
                        assert graph.version == version, "the graph changed under a reader"
                        await bdrv_graph_co_rdunlock()
                        await aio_co_reschedule_self(rng.choice(homes))
                except BaseException as exc:
                    errors.append(exc)
                finished.fetch_add(1)
            return run

        for rnd in range(ROUNDS):
            transient = IOThread(f"transient{rnd}")
            tctx = transient.iothread_get_aio_context()
            for k in range(READERS):
                seed = rnd * READERS + k
                start_co(homes[seed % len(long_lived)], reader(seed, tctx), f"r{seed}")
            target = (rnd + 1) * READERS
            while finished.load() < target:
                bdrv_graph_wrlock()
                graph.version += 1
                check(long_lived + [transient], writer_inside=True)
                graph.version += 1
                bdrv_graph_wrunlock()
                stats["wrlocks"] += 1
                let_readers_run = time.monotonic() + 0.0005
                while time.monotonic() < let_readers_run:
                    main.aio_poll(False)
                    time.sleep(0.0002)
                check(long_lived + [transient])
            transient.join()                    # destroyed, its count orphaned
            check(long_lived)
        for t in long_lived:
            t.join()
        assert errors == []
        assert finished.load() == ROUNDS * READERS
        assert stats["wrlocks"] >= ROUNDS
        assert stats["queued"] > 0, "no reader ever had to wait for the writer"
        assert stats["negative"] > 0, "no per-context count ever went negative"
        assert stats["orphaned"] - {0}, "no destroyed context ever left a count behind"


# --------------------------------------------------------------------------- races


class HeldReader:
    """A reader coroutine in ``ctx`` that takes the read lock and parks; ``release``
    wakes it (through ``enter``) so it unlocks."""

    def __init__(self, main: AioContext, ctx: AioContext) -> None:
        self.co: Any = None
        self.parked = threading.Event()
        self.unlocked = threading.Event()

        async def run(_: Any) -> None:
            await aio_co_reschedule_self(ctx)
            await bdrv_graph_co_rdlock()
            self.co = qemu_coroutine_self()
            self.parked.set()
            await qemu_coroutine_yield()
            await bdrv_graph_co_rdunlock()
            self.unlocked.set()

        qemu_coroutine_enter(qemu_coroutine_create(run, name="held_reader"))
        poll_until(main, self.parked.is_set, "the reader never took the lock")


def _writer_asleep(main: AioContext) -> None:
    """Wait until the main loop sleeps in the writer's poll (notify_me raised)."""
    wait_until(lambda: main.notify_me.load() >= 2, "the writer never went to sleep")
    time.sleep(0.01)


def _rdunlock_kick_race(bugs: tuple[str, ...]) -> bool:
    """The writer sleeps waiting for the last reader (has_writer is 0 meanwhile); the
    reader unlocks in its IOThread.  True if the writer had to be rescued."""
    with main_loop() as main, clean_graph_lock(), global_bugs(*bugs):
        t = IOThread("reader_thread")
        ctx = t.iothread_get_aio_context()
        held = HeldReader(main, ctx)

        def unlock_when_writer_sleeps() -> None:
            _writer_asleep(main)
            ctx.aio_bh_schedule_oneshot(lambda _: aio_co_enter(ctx, held.co))

        helper = sync.Thread(unlock_when_writer_sleeps, name="helper")
        helper.start()
        rescue = Rescue(0.5, main.aio_notify)
        bdrv_graph_wrlock()
        hung = rescue.done()
        assert held.unlocked.wait(WAIT)
        check_graph_lock_invariants()
        bdrv_graph_wrunlock()
        helper.join()
        t.join()
        return hung


def test_rdunlock_kick_fixed_always_wakes_the_writer() -> None:
    assert _rdunlock_kick_race(()) is False


def test_rdunlock_kick_conditional_leaves_the_writer_asleep() -> None:
    assert _rdunlock_kick_race(("graph-rdunlock-kick-conditional",)) is True


def _wrlock_holding_aiocontext_race(bugs: tuple[str, ...]) -> bool:
    """The main loop holds an IOThread's AioContext lock and write-locks the graph; a
    reader in that IOThread is re-entered the 2023 way (co_schedule_bh_cb took the
    AioContext lock around each entry) to release its read lock.  True if the circular
    wait had to be broken by the rescue."""
    with main_loop() as main, clean_graph_lock(), global_bugs(*bugs):
        t = IOThread("iothread_ctx")
        ctx = t.iothread_get_aio_context()
        held = HeldReader(main, ctx)
        rescued = threading.Event()

        def reenter_with_aiocontext_lock(_: Any) -> None:
            while not ctx.lock.trylock():       # aio_context_acquire, or give up
                if rescued.is_set():
                    aio_co_enter(ctx, held.co)
                    return
                time.sleep(0.001)
            aio_co_enter(ctx, held.co)
            ctx.aio_context_release()

        def unlock_when_writer_sleeps() -> None:
            _writer_asleep(main)
            ctx.aio_bh_schedule_oneshot(reenter_with_aiocontext_lock)

        ctx.aio_context_acquire()
        helper = sync.Thread(unlock_when_writer_sleeps, name="helper")
        helper.start()

        def rescue() -> None:
            rescued.set()
            main.aio_notify()

        watchdog = Rescue(0.5, rescue)
        bdrv_graph_wrlock(held_ctx=ctx)
        hung = watchdog.done()
        assert held.unlocked.wait(WAIT)
        ctx.aio_context_release()
        bdrv_graph_wrunlock()
        helper.join()
        t.join()
        return hung


def test_wrlock_releases_the_callers_aiocontext_while_polling() -> None:
    assert _wrlock_holding_aiocontext_race(()) is False


def test_wrlock_polling_while_holding_the_aiocontext_deadlocks() -> None:
    assert _wrlock_holding_aiocontext_race(("graph-wrlock-polls-holding-aiocontext",)) is True
