"""test-aio.c's bottom-half cases (aio_poll flavour), ported, plus the BH rules of
util/async.c that the QEMU tests leave implicit."""

from __future__ import annotations

from typing import Any

from aioctx.impl import (
    BH_PENDING,
    AioContext,
    aio_bh_poll,
    qemu_bh_cancel,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_bh_schedule_idle,
)
from impl_helpers import BHTestData


def test_flush_with_nothing_to_do(ctx: AioContext) -> None:
    """/aio/flush-ish: an idle context makes no progress, blocking or not."""
    assert ctx.aio_poll(False) is False
    ctx.aio_notify()
    assert ctx.aio_poll(True) is False         # woken only by aio_notify: no progress
    assert ctx.aio_poll(False) is False


def test_bh_schedule(ctx: AioContext) -> None:
    """/aio/bh/schedule and /aio/bh/flush."""
    data = BHTestData(ctx)
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    assert ctx.aio_poll(True) is True
    assert data.n == 1
    assert ctx.aio_poll(False) is False
    assert data.n == 1
    qemu_bh_delete(data.bh)


def test_bh_schedule10_runs_once_per_aio_poll(ctx: AioContext) -> None:
    """/aio/bh/schedule10: a self-rescheduling BH runs once per aio_poll."""
    data = BHTestData(ctx, max_runs=10)
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    assert ctx.aio_poll(False) is True
    assert data.n == 1
    assert ctx.aio_poll(True) is True
    assert data.n == 2
    while data.n < 10:
        ctx.aio_poll(True)
    assert data.n == 10
    assert ctx.aio_poll(False) is False
    assert data.n == 10
    qemu_bh_delete(data.bh)


def test_bh_cancel(ctx: AioContext) -> None:
    """/aio/bh/cancel."""
    data = BHTestData(ctx)
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    qemu_bh_cancel(data.bh)
    assert data.n == 0
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    qemu_bh_delete(data.bh)


def test_bh_delete(ctx: AioContext) -> None:
    """/aio/bh/delete: a deleted BH never runs and is freed."""
    data = BHTestData(ctx)
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    qemu_bh_delete(data.bh)
    assert data.n == 0
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    assert data.bh._freed


def test_bh_callback_delete_one(ctx: AioContext) -> None:
    """/aio/bh/callback-delete/one: the BH deletes itself in its first callback."""
    data = BHTestData(ctx, max_runs=1, delete_at_max=True)
    bh = data.bh
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    while data.n < 1:
        ctx.aio_poll(True)
    assert data.n == 1
    assert data.bh is None
    assert ctx.aio_poll(False) is False        # freeing it is not progress
    assert bh._freed


def test_bh_callback_delete_many(ctx: AioContext) -> None:
    """/aio/bh/callback-delete/many: four self-deleting BHs with max 1, 3, 2, 4."""
    datas = [BHTestData(ctx, max_runs=m, delete_at_max=True) for m in (1, 3, 2, 4)]
    for d in datas:
        qemu_bh_schedule(d.bh)
    assert all(d.n == 0 for d in datas)
    assert ctx.aio_poll(False) is True
    assert all(d.n == 1 for d in datas)
    assert datas[0].bh is None
    while any(d.n < d.max for d in datas):
        ctx.aio_poll(True)
    assert [d.n for d in datas] == [1, 3, 2, 4]
    assert all(d.bh is None for d in datas)


def test_schedule_twice_runs_once_and_cancel_then_schedule_runs_once(ctx: AioContext) -> None:
    data = BHTestData(ctx)
    qemu_bh_schedule(data.bh)
    qemu_bh_schedule(data.bh)
    assert ctx.aio_poll(False) is True and data.n == 1
    assert ctx.aio_poll(False) is False and data.n == 1
    qemu_bh_schedule(data.bh)
    qemu_bh_cancel(data.bh)
    qemu_bh_schedule(data.bh)                  # still pending: linked once, runs once
    assert ctx.aio_poll(False) is True and data.n == 2
    assert ctx.aio_poll(False) is False and data.n == 2
    qemu_bh_delete(data.bh)


def test_bhs_of_one_slice_run_in_reverse_order_of_scheduling(ctx: AioContext) -> None:
    order: list[int] = []
    bhs = [ctx.aio_bh_new(order.append, i) for i in range(4)]
    for bh in bhs:
        qemu_bh_schedule(bh)
    ctx.aio_poll(False)
    assert order == [3, 2, 1, 0]               # bh_list is a LIFO
    for bh in bhs:
        qemu_bh_delete(bh)


def test_oneshot_runs_once_and_is_freed(ctx: AioContext) -> None:
    seen: list[Any] = []
    ctx.aio_bh_schedule_oneshot(seen.append, "x")
    assert ctx.aio_poll(False) is True
    assert seen == ["x"]
    assert ctx.aio_poll(False) is False and seen == ["x"]


def test_idle_bh_is_not_progress_and_caps_the_timeout(ctx: AioContext) -> None:
    data = BHTestData(ctx)
    qemu_bh_schedule_idle(data.bh)
    assert ctx.aio_compute_timeout() == 10_000_000
    assert ctx.aio_poll(False) is False        # it ran, but idle BHs are not progress
    assert data.n == 1
    assert ctx.aio_compute_timeout() == -1
    qemu_bh_schedule(data.bh)
    assert ctx.aio_compute_timeout() == 0
    qemu_bh_delete(data.bh)
    ctx.aio_poll(False)


def test_nested_aio_bh_poll_runs_queued_siblings_once(ctx: AioContext) -> None:
    """A BH that polls runs its already-queued siblings in the nested call;
    the outer call does not run them again."""
    runs: list[str] = []
    nested_progress: list[bool] = []

    def outer(_: Any) -> None:
        runs.append("outer")
        nested_progress.append(ctx.aio_poll(False))

    a = ctx.aio_bh_new(lambda _: runs.append("a"))
    b = ctx.aio_bh_new(lambda _: runs.append("b"))
    nest = ctx.aio_bh_new(outer)
    qemu_bh_schedule(a)
    qemu_bh_schedule(b)
    qemu_bh_schedule(nest)                     # LIFO: nest runs first, then b, then a
    assert ctx.aio_poll(False) is True
    assert runs == ["outer", "b", "a"]
    assert nested_progress == [True]
    assert not ctx.bh_slice_list
    for bh in (a, b, nest):
        qemu_bh_delete(bh)
    ctx.aio_poll(False)


def test_bh_scheduled_from_its_own_callback_waits_for_the_next_call(ctx: AioContext) -> None:
    data = BHTestData(ctx, max_runs=3)
    qemu_bh_schedule(data.bh)
    assert aio_bh_poll(ctx) == 1 and data.n == 1
    assert data.bh.flags.load() & BH_PENDING    # re-linked on bh_list
    assert ctx.aio_compute_timeout() == 0       # so the loop does not sleep
    assert aio_bh_poll(ctx) == 1 and data.n == 2
    qemu_bh_delete(data.bh)
    ctx.aio_poll(False)
