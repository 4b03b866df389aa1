"""Coroutines and contexts: running a coroutine in a given AioContext (QEMU util/async.c).

* ``aio_co_schedule(ctx, co)``: any thread.  Pushes ``co`` onto ``ctx``'s lock-free
  ``scheduled_coroutines`` LIFO and schedules the context's ``co_schedule_bh``, which
  enters the coroutines in the order they were scheduled.  It may be called before
  ``co`` has yielded, as long as ``co`` runs in ``ctx``'s home thread: the BH can only
  run there after ``co`` yields.  The caller holds a context reference across the
  push and the BH schedule, because ``co`` may run, finish and drop the last
  reference in between.
* ``aio_co_wake(co)``: enter ``co`` in the context it last ran in.
* ``aio_co_enter(ctx, co)``: from another context (or none), schedule; from a
  coroutine in ``ctx``, queue on the running coroutine's wake-up list; otherwise
  enter right now.
* ``aio_co_reschedule_self(new_ctx)``: move the running coroutine to ``new_ctx``, via
  a oneshot BH in the old context so that the new one cannot enter it before it yielded.

Bug switch ``co-schedule-ctx-uaf`` (owned by the target context): no reference held
across the push and the BH schedule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sync
from .bottom_half import qemu_bh_delete, qemu_bh_schedule
from .coroutine import (
    Coroutine,
    qemu_aio_coroutine_enter,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    qemu_in_coroutine,
)
from .errors import QemuAssertionError, qemu_assert
from .home_thread import qemu_get_current_aio_context

if TYPE_CHECKING:
    from .aio_context import AioContext


def aio_co_schedule(ctx: AioContext, co: Coroutine) -> None:
    """Have ``ctx``'s home thread enter ``co`` soon; any thread may call it."""
    tag = co.scheduled.cmpxchg(None, "aio_co_schedule", label="aio_co_schedule.cmpxchg_scheduled")
    if tag is not None:
        raise QemuAssertionError(f"aio_co_schedule: Co-routine was already scheduled in '{tag}'")
    hold_ref = "co-schedule-ctx-uaf" not in ctx.bugs
    if hold_ref:
        ctx.aio_context_ref()
    head = ctx.scheduled_coroutines
    while True:
        old = head.load(label="aio_co_schedule.load_scheduled_coroutines")
        co.co_scheduled_next = old
        if head.cmpxchg(old, co, label="aio_co_schedule.push") is old:
            break
    qemu_bh_schedule(ctx.co_schedule_bh)
    if hold_ref:
        ctx.aio_context_unref()


def co_schedule_bh_cb(ctx: AioContext) -> None:
    """The co_schedule BH: enter every coroutine scheduled so far, oldest first."""
    co = ctx.scheduled_coroutines.xchg(None, label="co_schedule_bh_cb.take_all")
    lifo: list[Coroutine] = []
    while co is not None:
        lifo.append(co)
        co = co.co_scheduled_next
    for co in reversed(lifo):
        co.scheduled.store(None, label="co_schedule_bh_cb.clear_scheduled")
        qemu_aio_coroutine_enter(ctx, co)


def aio_co_wake(co: Coroutine) -> None:
    """Enter ``co`` again in the context it last ran in; any thread."""
    ctx = co.ctx.load(label="aio_co_wake.load_ctx")
    aio_co_enter(ctx, co)


def aio_co_enter(ctx: AioContext, co: Coroutine) -> None:
    """Enter ``co`` in ``ctx``: schedule it there from elsewhere, defer it until the
    running coroutine yields when called from one, enter it at once otherwise."""
    if ctx is not qemu_get_current_aio_context():
        aio_co_schedule(ctx, co)
        return
    if qemu_in_coroutine():
        self = qemu_coroutine_self()
        qemu_assert(self is not co, "aio_co_enter: a coroutine cannot wake itself")
        self.co_queue_wakeup.append(co)
    else:
        qemu_aio_coroutine_enter(ctx, co)


def _aio_co_reschedule_self_bh(data: tuple[Coroutine, AioContext]) -> None:
    co, new_ctx = data
    aio_co_schedule(new_ctx, co)


async def aio_co_reschedule_self(new_ctx: AioContext) -> None:
    """coroutine_fn: continue the running coroutine in ``new_ctx``'s home thread."""
    old_ctx = qemu_get_current_aio_context()
    qemu_assert(old_ctx is not None,
                "aio_co_reschedule_self: the coroutine runs in a thread without a context")
    if old_ctx is new_ctx:
        return
    data: Any = (qemu_coroutine_self(), new_ctx)
    old_ctx.aio_bh_schedule_oneshot(_aio_co_reschedule_self_bh, data,
                                    name="aio_co_reschedule_self_bh")
    await qemu_coroutine_yield()


def aio_context_init_coroutines(ctx: AioContext) -> None:
    """The coroutine part of ``aio_context_new``: the scheduled list and its BH."""
    ctx.scheduled_coroutines = sync.Atomic(None, name=f"{ctx.name}.scheduled_coroutines")
    ctx.co_schedule_bh = ctx.aio_bh_new(co_schedule_bh_cb, ctx, name="co_schedule_bh")


def aio_context_fini_coroutines(ctx: AioContext) -> None:
    """The coroutine part of finalization: nothing may still be scheduled here."""
    qemu_assert(ctx.scheduled_coroutines.load(label="aio_ctx_finalize.load_scheduled") is None,
                f"aio_ctx_finalize: coroutines are still scheduled in {ctx.name!r}")
    qemu_bh_delete(ctx.co_schedule_bh)
