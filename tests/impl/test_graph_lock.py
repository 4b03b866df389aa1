"""The block-graph lock: counting, exclusion, readers that move between contexts,
destroyed contexts' counts, bad use, and what the invariant checker catches."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    GRAPH_RDLOCK_GUARD,
    GRAPH_RDLOCK_GUARD_MAINLOOP,
    AioContext,
    IOThread,
    QemuAssertionError,
    aio_co_reschedule_self,
    aio_co_wake,
    assert_bdrv_graph_readable,
    assert_bdrv_graph_writable,
    bdrv_graph_co_rdlock,
    bdrv_graph_co_rdunlock,
    bdrv_graph_rdlock_main_loop,
    bdrv_graph_wrlock,
    bdrv_graph_wrunlock,
    check_graph_lock_invariants,
    graph_lock_snapshot,
    graph_lock_violations,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    qemu_coroutine_self,
    qemu_coroutine_yield,
)
from aioctx.impl.graph_lock import graph_lock_globals
from co_helpers import WAIT, assertions_in_an_iothread, clean_graph_lock, main_loop, poll_until


@pytest.fixture
def main() -> Iterator[AioContext]:
    with main_loop() as ctx, clean_graph_lock():
        yield ctx


def counts() -> dict[str, int]:
    return dict(graph_lock_snapshot().reader_counts)


class Parked:
    """A reader coroutine that stops where the test says and is woken from outside."""

    def __init__(self) -> None:
        self.co: Any = None
        self.at = threading.Event()

    async def park(self) -> None:
        self.co = qemu_coroutine_self()
        self.at.set()
        await qemu_coroutine_yield()
        self.at.clear()

    def wake(self) -> None:
        assert self.at.wait(WAIT), "the coroutine never parked"
        aio_co_wake(self.co)


# --------------------------------------------------------------------------- one thread


def test_read_lock_counts_in_the_current_context(main: AioContext) -> None:
    seen: list[dict[str, int]] = []

    async def reader(_: Any) -> None:
        await bdrv_graph_co_rdlock()
        assert_bdrv_graph_readable()
        seen.append(counts())
        await qemu_coroutine_yield()
        await bdrv_graph_co_rdunlock()

    co = qemu_coroutine_create(reader, name="reader")
    qemu_coroutine_enter(co)
    assert seen[0]["qemu_aio_context"] == 1
    snap = check_graph_lock_invariants()
    assert snap.holders == (("reader", 1),) and snap.counted == 1 and snap.total == 1
    qemu_coroutine_enter(co)
    assert counts()["qemu_aio_context"] == 0 and check_graph_lock_invariants().total == 0


def test_writer_parks_new_readers_until_wrunlock(main: AioContext) -> None:
    trace: list[str] = []

    async def reader(_: Any) -> None:
        async with GRAPH_RDLOCK_GUARD():
            trace.append("reading")

    bdrv_graph_wrlock()
    assert_bdrv_graph_writable()
    qemu_coroutine_enter(qemu_coroutine_create(reader, name="late_reader"))
    snap = check_graph_lock_invariants()
    assert trace == [] and snap.queued == ("late_reader",) and snap.has_writer == 1
    assert snap.total == 0                      # the slow path undid its increment
    bdrv_graph_wrunlock()                       # wakes it: same context, entered at once
    assert trace == ["reading"]
    with GRAPH_RDLOCK_GUARD_MAINLOOP():
        assert_bdrv_graph_readable()


def test_reader_moving_between_contexts_and_orphaned_counts(main: AioContext) -> None:
    """Lock in A, release in B: A +1, B -1; destroying B hands its -1
    to the orphaned counter, destroying A its +1; the total stays right throughout."""
    a, b = IOThread("ctx_a"), IOThread("ctx_b")
    ctx_a, ctx_b = a.iothread_get_aio_context(), b.iothread_get_aio_context()
    orphaned_before = graph_lock_snapshot().orphaned_reader_count
    parked = Parked()
    finished = threading.Event()

    async def mover(_: Any) -> None:
        await aio_co_reschedule_self(ctx_a)
        await bdrv_graph_co_rdlock()
        await aio_co_reschedule_self(ctx_b)
        await bdrv_graph_co_rdunlock()
        await parked.park()
        finished.set()

    qemu_coroutine_enter(qemu_coroutine_create(mover, name="mover"))
    poll_until(main, parked.at.is_set, "the mover never parked")
    assert counts()["ctx_a"] == 1 and counts()["ctx_b"] == -1
    check_graph_lock_invariants()
    parked.wake()
    assert finished.wait(WAIT)
    b.join()                                    # B destroyed with -1
    snap = check_graph_lock_invariants()
    assert snap.orphaned_reader_count == orphaned_before - 1 and "ctx_b" not in counts()
    a.join()                                    # A destroyed with +1
    assert graph_lock_snapshot().orphaned_reader_count == orphaned_before


def test_writer_waits_for_a_reader_in_an_iothread(main: AioContext) -> None:
    t = IOThread("reader_thread")
    ctx = t.iothread_get_aio_context()
    parked = Parked()
    unlocked_at: list[float] = []

    async def reader(_: Any) -> None:
        await aio_co_reschedule_self(ctx)
        await bdrv_graph_co_rdlock()
        await parked.park()
        unlocked_at.append(time.monotonic())
        await bdrv_graph_co_rdunlock()

    qemu_coroutine_enter(qemu_coroutine_create(reader))
    poll_until(main, parked.at.is_set, "the reader never parked")
    waker = threading.Timer(0.1, parked.wake)
    waker.start()
    bdrv_graph_wrlock()
    entered_at = time.monotonic()
    snap = check_graph_lock_invariants()
    assert snap.writer == "inside" and not snap.holders
    bdrv_graph_wrunlock()
    waker.join()
    assert unlocked_at and entered_at >= unlocked_at[0]
    t.join()


# --------------------------------------------------------------------------- bad use


def test_bad_use_raises_qemus_assertions(main: AioContext) -> None:
    with pytest.raises(QemuAssertionError, match="bdrv_graph_co_rdlock: not called from a "
                                                 "coroutine"):
        bdrv_graph_co_rdlock().send(None)
    with pytest.raises(QemuAssertionError, match="the graph is not write-locked"):
        bdrv_graph_wrunlock()
    with pytest.raises(QemuAssertionError, match="not write-locked"):
        assert_bdrv_graph_writable()

    async def writer_in_a_coroutine(_: Any) -> None:
        bdrv_graph_wrlock()

    with pytest.raises(QemuAssertionError, match="bdrv_graph_wrlock: called in a coroutine"):
        qemu_coroutine_enter(qemu_coroutine_create(writer_in_a_coroutine))

    bdrv_graph_wrlock()
    with pytest.raises(QemuAssertionError, match="already write-locked"):
        bdrv_graph_wrlock()
    bdrv_graph_wrunlock()

    errors = assertions_in_an_iothread([bdrv_graph_wrlock, bdrv_graph_rdlock_main_loop,
                                        assert_bdrv_graph_readable])
    assert errors == [
        "bdrv_graph_wrlock: not called from the main loop",
        "bdrv_graph_rdlock_main_loop: not in the main loop",
        "assert_bdrv_graph_readable: no read lock held outside the main loop",
    ]


# --------------------------------------------------------------------------- the checker


def test_checker_reports_unbalanced_and_hidden_counts(main: AioContext) -> None:
    """The checker is not a tautology: it flags an unlock without a lock, and a count
    that differs from the acquisitions it should include."""
    async def unlock_only(_: Any) -> None:
        await bdrv_graph_co_rdunlock()

    qemu_coroutine_enter(qemu_coroutine_create(unlock_only, name="unlocker"))
    problems = graph_lock_violations()
    assert any("released more often than taken by unlocker" in p for p in problems)
    assert any("the total reader count is negative (-1)" in p for p in problems)
    with pytest.raises(QemuAssertionError, match="graph lock: "):
        check_graph_lock_invariants()

    async def lock_again(_: Any) -> None:      # rebalance the ghost and the count
        await bdrv_graph_co_rdlock()

    g = graph_lock_globals()
    co = qemu_coroutine_create(lock_again, name="unlocker")
    g.ghost.holders.clear()
    qemu_coroutine_enter(co)
    g.ghost.holders.clear()
    assert graph_lock_violations() == []

    count = main.bdrv_graph.reader_count
    count.store(count.load() + 1)               # a store the lock does not know of
    assert any(p.startswith("conservation:") for p in graph_lock_violations())
    count.store(count.load() - 1)
    assert graph_lock_violations() == []


def test_checker_reports_a_reader_inside_with_the_writer(main: AioContext) -> None:
    """A reader whose increment the writer cannot see (as with a store still in a
    store buffer) lets both in: exclusion and conservation are both reported."""
    parked = Parked()

    async def reader(_: Any) -> None:
        await bdrv_graph_co_rdlock()
        await parked.park()
        await bdrv_graph_co_rdunlock()

    qemu_coroutine_enter(qemu_coroutine_create(reader, name="hidden_reader"))
    count = main.bdrv_graph.reader_count
    count.store(0)                              # hide it from the writer
    bdrv_graph_wrlock()
    problems = graph_lock_violations()
    assert any("exclusion: the writer is inside while readers hold the lock: "
               "hidden_reader" in p for p in problems), problems
    assert any(p.startswith("conservation:") for p in problems)
    bdrv_graph_wrunlock()
    count.store(1)
    parked.wake()
    assert graph_lock_violations() == []
