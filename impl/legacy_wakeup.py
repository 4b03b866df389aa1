"""The wake-up protocol of QEMU 2.5 to 4.2 (2015-2020), for the historical races.

Several of the catalogued races (``aio-notifier-cleared-late``, ``notified-before-event``,
``notify-accept-stolen-by-other-thread``, and the two-thread form of
``aio-dispatching-flag``) live in code that QEMU 5.x rewrote, and they need more than one
thread polling a context, which QEMU 10.0 forbids.  ``AioContext(legacy_wakeup=True)``
runs this older protocol (``LegacyWakeup``, chosen once in the constructor, see
impl/wakeup.py) so their scenarios can be replayed, buggy and fixed:

* every poller raises ``notify_me`` with a read-modify-write (several threads may poll),
  blocking polls before computing their timeout;
* ``aio_notify`` writes the EventNotifier and then sets ``notified``, only if someone
  waits; ``aio_notify_accept`` exchanges ``notified`` to false and, if it was true,
  drains the EventNotifier; only blocking polls accept;
* any thread may call ``aio_poll``; BHs, handlers and deferred frees are dispatched
  under the context's (recursive) AioContext lock, so two pollers never run them at
  once.  Busy-polling is not used.

BHs, handlers and timers are the 10.0 code.  The fixed form adds an explicit
``smp_mb__after_rmw`` after raising ``notify_me`` (the ARM lesson of 2020 applied to
the RMW form); ``notify-me-seqcst-rmw-not-fence`` drops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import sync
from .aio_poll import dispatch_phase, set_dispatching, with_dispatching_flag
from .fd_handlers import AioHandler, fdmon_poll_wait
from .wakeup import Wakeup

if TYPE_CHECKING:
    from .aio_context import AioContext

LEGACY_ONLY_BUGS = ("aio-notifier-cleared-late", "notified-before-event",
                    "notify-accept-stolen-by-other-thread")


def aio_notify(ctx: AioContext) -> None:
    sync.smp_mb("aio_notify.mb")              # BH/timer writes before reading notify_me
    if ctx.bug_dispatching:
        wake = not ctx.dispatching.load(label="aio_notify.load_dispatching")
    else:
        wake = ctx.notify_me.load(label="aio_notify.load_notify_me") != 0
    if not wake:
        return
    if ctx.bug_notified_before_event:
        _set_notified(ctx)
        ctx.event_notifier_set()
        return
    if ctx.bug_skips_set and ctx.notified.load(label="aio_notify.load_notified"):
        return
    ctx.event_notifier_set()
    _set_notified(ctx)


def _set_notified(ctx: AioContext) -> None:
    ctx.notified.store(True, sync.SEQ_CST, label="aio_notify.set_notified")
    sync.smp_mb("aio_notify.set_notified_mb")


def aio_notify_accept(ctx: AioContext) -> None:
    if ctx.bug_cleared_late:
        return                                # the notifier's io_read clears it, later
    if ctx.notified.xchg(False, label="aio_notify_accept.xchg_notified"):
        ctx.notifier.test_and_clear(label="aio_notify_accept.test_and_clear")


def notifier_read(ctx: AioContext, notifier: sync.EventNotifier) -> None:
    """The notifier's io_read: nothing, or (before the 2015 fix) the drain itself."""
    if ctx.bug_cleared_late:
        ctx.notifier.test_and_clear(label="aio_context_notifier_cb.test_and_clear")


def raise_notify_me(ctx: AioContext, gsource: bool, label: str) -> None:
    """Announce a poller: bit 0 for the glib prepare, +2 for a blocking aio_poll."""
    if gsource:
        ctx.notify_me.fetch_or(1, label=label)
    else:
        ctx.notify_me.fetch_add(2, label=label)
    if not ctx.bug_notify_me_rmw:
        sync.smp_mb__after_rmw(f"{label}.mb_after_rmw")


def ctx_check_accept(ctx: AioContext) -> None:
    ctx.notify_me.fetch_and(~1, label="aio_ctx_check.notify_me_and")
    aio_notify_accept(ctx)


def ctx_prepare(ctx: AioContext) -> None:
    raise_notify_me(ctx, True, "aio_ctx_prepare.notify_me_or")


def _aio_poll(ctx: AioContext, blocking: bool) -> bool:
    ready: list[AioHandler] = []
    ctx.list_lock.inc()
    try:
        if blocking:
            raise_notify_me(ctx, False, "aio_poll.notify_me_add")
        try:
            timeout = ctx.aio_compute_timeout() if blocking else 0
            if timeout or ctx.aio_poll_disabled():
                fdmon_poll_wait(ctx, ready, timeout)
        finally:
            if blocking:
                ctx.notify_me.fetch_sub(2, label="aio_poll.notify_me_sub")
        if blocking or ctx.bug_accept_stolen:
            aio_notify_accept(ctx)
        if ctx.bug_dispatching:
            set_dispatching(ctx, True)
        ctx.lock.lock(label="aio_poll.dispatch_lock")
        try:
            progress = dispatch_phase(ctx, ready, 0)
        finally:
            ctx.lock.unlock(label="aio_poll.dispatch_unlock")
    finally:
        ctx.list_lock.dec()
    return ctx.tlg.run_timers() or progress


def aio_poll(ctx: AioContext, blocking: bool) -> bool:
    """One loop iteration under the legacy rules: any thread may poll."""
    ctx.stats.polls += 1
    if ctx.bug_dispatching:
        return with_dispatching_flag(ctx, blocking, _aio_poll)
    return _aio_poll(ctx, blocking)


class LegacyWakeup(Wakeup):
    """The 2015-2020 protocol as an AioContext's wake-up protocol object."""

    name = "2015-2020"
    aio_notify = staticmethod(aio_notify)
    aio_notify_accept = staticmethod(aio_notify_accept)
    notifier_read = staticmethod(notifier_read)
    aio_poll = staticmethod(aio_poll)
    gsource_prepare = staticmethod(ctx_prepare)
    gsource_check = staticmethod(ctx_check_accept)

    def dispatch(self, ctx: AioContext) -> None:
        """Any thread may dispatch: under the context's (recursive) lock."""
        ctx.lock.lock(label="aio_dispatch.dispatch_lock")
        try:
            super().dispatch(ctx)
        finally:
            ctx.lock.unlock(label="aio_dispatch.dispatch_unlock")


LEGACY_WAKEUP = LegacyWakeup()
