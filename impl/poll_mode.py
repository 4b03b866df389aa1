"""Adaptive userspace busy-polling (QEMU util/aio-posix.c, 10.0 form).

Before sleeping in ppoll, a blocking ``aio_poll`` may spin calling the ``io_poll``
callbacks of the handlers that were recently active, for up to the largest of their
per-handler budgets.  After each dispatch a handler's budget grows (when the wait it
saw was short enough to be worth spinning for) or shrinks (when it was too long), within
``poll_max_ns``.  With fdmon-poll, the only fd monitor here, handlers never drop off
the poll list for idleness (QEMU does that only for io_uring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import sync
from .errors import qemu_assert
from .fd_handlers import AioHandler, add_poll_ready
from .timers import QEMU_CLOCK_REALTIME, qemu_clock_get_ns, qemu_soonest_timeout

if TYPE_CHECKING:
    from .aio_context import AioContext

POLL_IDLE_INTERVAL_NS = 7 * 1_000_000_000
FIRST_POLL_NS = 4_000


def poll_set_started(ctx: AioContext, ready: list[AioHandler], started: bool) -> bool:
    """Enter or leave poll mode (io_poll_begin/io_poll_end).  Leaving polls each handler
    one last time, in case an event raced with io_poll_end; True if one was ready."""
    if started == ctx.poll_started:
        return False
    ctx.poll_started = started
    progress = False
    ctx.list_lock.inc()
    try:
        for node in list(ctx.poll_aio_handlers):
            if node.deleted.load(label="poll_set_started.load_deleted"):
                continue
            field = node.io_poll_begin if started else node.io_poll_end
            fn = field.load(label="poll_set_started.load_fn")
            opaque = node.opaque.load(label="poll_set_started.load_opaque")
            if fn is not None:
                fn(opaque)
            if not started and node.io_poll.load(label="poll_set_started.load_io_poll")(opaque):
                add_poll_ready(ready, node)
                progress = True
    finally:
        ctx.list_lock.dec()
    return progress


def run_poll_handlers_once(ctx: AioContext, ready: list[AioHandler], now: int,
                           timeout: int) -> tuple[bool, int]:
    """Call every polled handler's io_poll once; a hit sets the timeout to 0."""
    progress = False
    for node in list(ctx.poll_aio_handlers):
        io_poll = node.io_poll.load(label="run_poll_handlers_once.load_io_poll")
        opaque = node.opaque.load(label="run_poll_handlers_once.load_opaque")
        if io_poll(opaque):
            add_poll_ready(ready, node)
            node.poll_idle_timeout = now + POLL_IDLE_INTERVAL_NS
            timeout = 0
            if opaque is not ctx.notifier:       # aio_notify is not progress
                progress = True
    return progress, timeout


def run_poll_handlers(ctx: AioContext, ready: list[AioHandler], max_ns: int,
                      timeout: int) -> tuple[bool, int]:
    """Spin for up to ``max_ns``; return (progress, the timeout left for the wait)."""
    qemu_assert(ctx.list_lock.count() > 0, "run_poll_handlers: caller must hold a count")
    start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME)
    while True:
        progress, timeout = run_poll_handlers_once(ctx, ready, start, timeout)
        elapsed = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start
        max_ns = qemu_soonest_timeout(timeout, max_ns)
        qemu_assert(not (max_ns and progress), "run_poll_handlers: progress with budget left")
        if elapsed >= max_ns or ctx.aio_poll_disabled():
            break
        sync.cpu_relax(label="run_poll_handlers.cpu_relax")
    if timeout != -1:
        timeout -= min(timeout, elapsed)          # keep the same absolute deadline
    return progress, timeout


def try_poll_mode(ctx: AioContext, ready: list[AioHandler],
                  timeout: int) -> tuple[bool, int]:
    """Busy-poll if some handler has a budget and every handler can be polled."""
    if not ctx.poll_aio_handlers:
        return False, timeout
    max_ns = max(node.poll_ns for node in ctx.poll_aio_handlers)
    max_ns = qemu_soonest_timeout(timeout, max_ns)
    if max_ns and not ctx.aio_poll_disabled():
        poll_set_started(ctx, ready, True)
        return run_poll_handlers(ctx, ready, max_ns, timeout)
    return False, timeout


def adjust_polling_time(ctx: AioContext, node: AioHandler, block_ns: int) -> None:
    """Grow or shrink a handler's busy-poll budget after it fired."""
    if block_ns <= node.poll_ns:
        return                                    # the budget already covers the wait
    if block_ns > ctx.poll_max_ns:
        node.poll_ns = node.poll_ns // ctx.poll_shrink if ctx.poll_shrink else 0
    elif node.poll_ns < ctx.poll_max_ns and block_ns < ctx.poll_max_ns:
        grow = ctx.poll_grow or 2
        node.poll_ns = node.poll_ns * grow if node.poll_ns else FIRST_POLL_NS
        node.poll_ns = min(node.poll_ns, ctx.poll_max_ns)
