"""``aio_poll``: one iteration of a context's event loop (QEMU util/aio-posix.c, 10.0).

Order within one iteration: compute the timeout, maybe busy-poll, raise ``notify_me``
(only when about to sleep) and look at ``notified``, wait in ppoll, lower ``notify_me``,
accept the notification, run BHs, dispatch the ready handlers, free deleted handlers,
drop the list_lock count, run timers.  Only the home thread may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import sync
from .bottom_half import aio_bh_poll
from .errors import qemu_assert
from .fd_handlers import (
    AioHandler,
    aio_dispatch_handler,
    aio_free_deleted_handlers,
    fdmon_poll_wait,
)
from .home_thread import in_aio_context_home_thread
from .poll_mode import adjust_polling_time, poll_set_started, try_poll_mode
from .timers import QEMU_CLOCK_REALTIME, qemu_clock_get_ns

if TYPE_CHECKING:
    from .aio_context import AioContext


def aio_dispatch_ready_handlers(ctx: AioContext, ready: list[AioHandler],
                                block_ns: int) -> bool:
    """Dispatch what the wait or busy-polling found, most recently found first."""
    progress = False
    while ready:
        node = ready.pop()
        node.ready_list = None
        progress = aio_dispatch_handler(ctx, node) or progress
        if ctx.poll_max_ns and node.polling:      # also nodes that just joined
            adjust_polling_time(ctx, node, block_ns)
    return progress


def dispatch_phase(ctx: AioContext, ready: list[AioHandler], block_ns: int) -> bool:
    """BHs, then ready handlers, then deferred frees (caller holds one count)."""
    progress = bool(aio_bh_poll(ctx))
    progress = aio_dispatch_ready_handlers(ctx, ready, block_ns) or progress
    aio_free_deleted_handlers(ctx)
    return progress


def set_dispatching(ctx: AioContext, dispatching: bool) -> None:
    """The 2014 ``dispatching`` flag (bug switch ``aio-dispatching-flag`` only)."""
    ctx.dispatching.store(dispatching, label="aio_set_dispatching.store")
    if not dispatching:
        sync.smp_mb("aio_set_dispatching.mb")    # before re-reading BH state


def with_dispatching_flag(ctx: AioContext, blocking: bool,
                          poll: Callable[[AioContext, bool], bool]) -> bool:
    """Run ``poll(ctx, blocking)`` the way the 2014 code bracketed it: not dispatching
    (if blocking) until the wait is over, and the caller's value restored afterwards."""
    was_dispatching = ctx.dispatching.load(label="aio_poll.load_dispatching")
    set_dispatching(ctx, not blocking)
    try:
        return poll(ctx, blocking)
    finally:
        set_dispatching(ctx, was_dispatching)


def _raise_notify_me(ctx: AioContext) -> None:
    if ctx.bug_notify_me_rmw:
        ctx.notify_me.fetch_add(2, label="aio_poll.notify_me_add")
        return
    ctx.notify_me.store(ctx.notify_me.load(label="aio_poll.notify_me_load") + 2,
                        label="aio_poll.notify_me_add")
    sync.smp_mb("aio_poll.notify_me_mb")          # pairs with the MB in aio_notify


def _lower_notify_me(ctx: AioContext) -> None:
    if ctx.bug_notify_me_rmw:
        ctx.notify_me.fetch_sub(2, label="aio_poll.notify_me_sub")
        return
    ctx.notify_me.store(ctx.notify_me.load(label="aio_poll.notify_me_reload") - 2,
                        sync.RELEASE, label="aio_poll.notify_me_sub")


def _aio_poll(ctx: AioContext, blocking: bool) -> bool:
    ready: list[AioHandler] = []
    ctx.list_lock.inc()
    try:
        start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) if ctx.poll_max_ns else 0
        timeout = ctx.aio_compute_timeout() if blocking else 0
        progress, timeout = try_poll_mode(ctx, ready, timeout)
        qemu_assert(not (timeout and progress), "aio_poll: progress but still a timeout")

        use_notify_me = timeout != 0            # only needed if we may really sleep
        if use_notify_me:
            _raise_notify_me(ctx)
            if ctx.notified.load(label="aio_poll.load_notified"):
                timeout = 0                     # an aio_notify raced with us: don't sleep
        try:
            if timeout or ctx.aio_poll_disabled():
                if poll_set_started(ctx, ready, False):    # leave poll mode before sleeping
                    timeout = 0
                    progress = True
                fdmon_poll_wait(ctx, ready, timeout)
        finally:
            if use_notify_me:
                _lower_notify_me(ctx)
        ctx.aio_notify_accept()

        block_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start if ctx.poll_max_ns else 0
        if ctx.bug_dispatching:
            set_dispatching(ctx, True)
        progress = dispatch_phase(ctx, ready, block_ns) or progress
    finally:
        ctx.list_lock.dec()
    return ctx.tlg.run_timers() or progress


def aio_poll(ctx: AioContext, blocking: bool) -> bool:
    """Run one loop iteration; with ``blocking``, first wait for something to do.

    Returns True if progress was made: a non-idle BH, a handler other than the
    context's own notifier, or a timer ran.  A blocking call woken only by
    ``aio_notify`` returns False.  Exceptions from callbacks propagate; the context
    stays usable and whatever was not run yet runs in a later iteration.
    """
    qemu_assert(in_aio_context_home_thread(ctx),
                f"aio_poll: {ctx.name} polled outside its home thread")
    ctx.stats.polls += 1
    if ctx.bug_dispatching:
        return with_dispatching_flag(ctx, blocking, _aio_poll)
    return _aio_poll(ctx, blocking)
