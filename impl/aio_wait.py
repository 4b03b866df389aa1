"""Synchronous waiting on the event loop: AIO_WAIT_WHILE and aio_wait_kick
(QEMU include/block/aio-wait.h, util/aio-wait.c).

``AIO_WAIT_WHILE(ctx, cond)`` runs the event loop until ``cond()`` is false: ``ctx``'s
own loop when called in ``ctx``'s home thread, otherwise (only the main loop may do
this) the main context's loop, which work finishing elsewhere wakes with
``aio_wait_kick()``.  The kick schedules a dummy BH in the main context, and only when
someone waits: ``num_waiters`` counts the running AIO_WAIT_WHILE loops.  Waiter and
kicker form a store-buffering pair (waiter: count itself, read the condition; kicker:
change the condition, read the count), so each side has a full barrier in between.

Process-wide bug switches (``bugs.set_global_bugs``):
``aiowait-home-thread-no-waiter-count``: a wait in the home thread does not count
itself (before 2018, 48657448); ``aio-wait-kick-missing-barrier``: neither barrier
(before 2022, 7455ff1a, which added both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sync
from .bugs import global_bug
from .errors import qemu_assert
from .home_thread import (
    in_aio_context_home_thread,
    qemu_get_aio_context,
    qemu_get_current_aio_context,
)

if TYPE_CHECKING:
    from .aio_context import AioContext


class AioWait:
    """``global_aio_wait``: how many AIO_WAIT_WHILE loops are running."""

    def __init__(self) -> None:
        self.num_waiters = sync.Atomic(0, name="global_aio_wait.num_waiters")


def global_aio_wait() -> AioWait:
    """The process's (or simulated execution's) one ``AioWait``."""
    return sync.global_state("impl.aio_wait", AioWait)


def qemu_in_main_thread() -> bool:
    """Is the caller the main loop (the main context is its current context)?"""
    main = qemu_get_aio_context()
    return main is not None and qemu_get_current_aio_context() is main


def AIO_WAIT_WHILE(ctx: AioContext | None, cond: Callable[[], Any]) -> bool:
    """Poll until ``cond()`` is false; True if it polled at all.

    In ``ctx``'s home thread it polls ``ctx``; otherwise the caller must be the main
    loop, which polls the main context (pass ``ctx=None`` for "no particular context").
    """
    num_waiters = global_aio_wait().num_waiters
    home = ctx is not None and in_aio_context_home_thread(ctx)
    loop = ctx if home else qemu_get_aio_context()
    qemu_assert(home or (loop is not None and qemu_get_current_aio_context() is loop),
                "AIO_WAIT_WHILE: only the main loop may wait for another context")
    assert loop is not None
    counted = not (home and global_bug("aiowait-home-thread-no-waiter-count"))
    if counted:
        num_waiters.fetch_add(1, label="AIO_WAIT_WHILE.inc_num_waiters")
        if not global_bug("aio-wait-kick-missing-barrier"):
            sync.smp_mb__after_rmw("AIO_WAIT_WHILE.mb_after_rmw")   # pairs with aio_wait_kick
    waited = False
    try:
        while cond():
            loop.aio_poll(True)
            waited = True
    finally:
        if counted:
            num_waiters.fetch_sub(1, label="AIO_WAIT_WHILE.dec_num_waiters")
    return waited


def AIO_WAIT_WHILE_UNLOCKED(ctx: AioContext | None,
                            cond: Callable[[], Any]) -> bool:
    """The same as ``AIO_WAIT_WHILE`` now that there is no AioContext lock to drop."""
    return AIO_WAIT_WHILE(ctx, cond)


def _dummy_bh_cb(opaque: Any) -> None:
    """Nothing: running it is what makes the main loop's aio_poll return."""


def aio_wait_kick() -> None:
    """Make waiting AIO_WAIT_WHILE loops re-check their condition; any thread, after
    changing something a condition reads."""
    if not global_bug("aio-wait-kick-missing-barrier"):
        sync.smp_mb("aio_wait_kick.mb")             # pairs with AIO_WAIT_WHILE's barrier
    if global_aio_wait().num_waiters.load(label="aio_wait_kick.load_num_waiters"):
        main = qemu_get_aio_context()
        qemu_assert(main is not None, "aio_wait_kick: there is no main loop")
        main.aio_bh_schedule_oneshot(_dummy_bh_cb, name="dummy_bh_cb")


def aio_wait_bh_oneshot(ctx: AioContext, cb: Callable[[Any], None], opaque: Any = None) -> None:
    """Main loop only: run ``cb(opaque)`` in ``ctx``'s home thread and wait for it."""
    qemu_assert(qemu_in_main_thread(), "aio_wait_bh_oneshot: not called from the main loop")
    done = sync.Atomic(False, name="aio_wait_bh.done")

    def aio_wait_bh(_opaque: Any) -> None:
        cb(opaque)
        done.store(True, label="aio_wait_bh.set_done")
        aio_wait_kick()

    ctx.aio_bh_schedule_oneshot(aio_wait_bh, name="aio_wait_bh")
    AIO_WAIT_WHILE_UNLOCKED(None, lambda: not done.load(label="aio_wait_bh_oneshot.load_done"))
