"""The wake-up protocol of an AioContext, chosen once, when the context is built.

How a thread that hands a context work makes sure the context's poller looks at it
(``aio_notify``), how the poller forgets a notification it has seen
(``aio_notify_accept``), and how the glib prepare/check pair and ``aio_poll`` announce
a poller that may sleep, changed in 2020 (QEMU 5.x rewrote it, making ``notify_me`` a
home-thread-only counter).  aioctx keeps both, because several catalogued races live in
the older one (docs/catalogue.md).  ``AioContext`` picks one protocol object in its
constructor (``ctx.wakeup``) and its methods delegate to it without re-checking:

* ``Wakeup``: the protocol of QEMU 5.x to 10.0, fixed code.  ``notify_me`` is written
  only by the home thread (a plain store followed by ``smp_mb``, a release store to
  lower it), ``aio_notify`` sets ``notified`` and writes the EventNotifier only when
  ``notify_me`` is non-zero, ``aio_notify_accept`` clears ``notified`` right after the
  wait, and the EventNotifier is drained by its own read handler;
* ``WakeupWithNotifyBugs``: the same, with the ``aio_notify`` that the
  ``aio-dispatching-flag`` and ``notified-skips-set`` switches change; chosen only when
  one of them is on, so the fixed ``aio_notify`` stays the short one;
* ``legacy_wakeup.LegacyWakeup``: the 2015-2020 protocol (any thread may poll).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import sync
from .aio_poll import aio_poll
from .bottom_half import aio_bh_poll
from .fd_handlers import aio_dispatch_handlers, aio_free_deleted_handlers

if TYPE_CHECKING:
    from .aio_context import AioContext


class Wakeup:
    """The 2020-on protocol (QEMU 5.x to 10.0)."""

    name = "2020"

    def aio_notify(self, ctx: AioContext) -> None:
        sync.smp_wmb("aio_notify.wmb")            # bh_list/timers before `notified`
        ctx.notified.store(True, label="aio_notify.set_notified")
        sync.smp_mb("aio_notify.mb")              # `notified` before reading notify_me
        if ctx.notify_me.load(label="aio_notify.load_notify_me"):
            ctx.event_notifier_set()

    def aio_notify_accept(self, ctx: AioContext) -> None:
        ctx.notified.store(False, label="aio_notify_accept.clear_notified")
        sync.smp_mb("aio_notify_accept.mb")

    def notifier_read(self, ctx: AioContext, notifier: sync.EventNotifier) -> None:
        """The EventNotifier's own read handler drains it."""
        notifier.test_and_clear(label="aio_context_notifier_cb.test_and_clear")

    def aio_poll(self, ctx: AioContext, blocking: bool) -> bool:
        return aio_poll(ctx, blocking)

    def gsource_prepare(self, ctx: AioContext) -> None:
        """Announce the glib poll in bit 0 of ``notify_me``."""
        if ctx.bug_notify_me_rmw:
            ctx.notify_me.fetch_or(1, label="aio_ctx_prepare.notify_me_or")
            return
        ctx.notify_me.store(ctx.notify_me.load(label="aio_ctx_prepare.notify_me_load")
                            | 1, label="aio_ctx_prepare.notify_me_or")
        sync.smp_mb("aio_ctx_prepare.mb")         # pairs with the MB in aio_notify

    def gsource_check(self, ctx: AioContext) -> None:
        """Drop bit 0 of ``notify_me`` and accept the notification."""
        if ctx.bug_notify_me_rmw:
            ctx.notify_me.fetch_and(~1, label="aio_ctx_check.notify_me_and")
        else:
            ctx.notify_me.store(ctx.notify_me.load(label="aio_ctx_check.notify_me_load")
                                & ~1, sync.RELEASE, label="aio_ctx_check.notify_me_and")
        self.aio_notify_accept(ctx)

    def dispatch(self, ctx: AioContext) -> None:
        """The glib dispatch: BHs, the handlers found ready, deferred frees (the caller
        holds a list_lock count)."""
        aio_bh_poll(ctx)
        aio_dispatch_handlers(ctx)
        aio_free_deleted_handlers(ctx)


class WakeupWithNotifyBugs(Wakeup):
    """The 2020-on protocol with the ``aio_notify`` bug switches available."""

    def aio_notify(self, ctx: AioContext) -> None:
        sync.smp_wmb("aio_notify.wmb")
        was_notified = ctx.bug_skips_set and \
            ctx.notified.load(label="aio_notify.load_notified")
        ctx.notified.store(True, label="aio_notify.set_notified")
        sync.smp_mb("aio_notify.mb")
        if ctx.bug_dispatching:
            wake = not ctx.dispatching.load(label="aio_notify.load_dispatching")
        else:
            wake = ctx.notify_me.load(label="aio_notify.load_notify_me") != 0
        if wake and not was_notified:
            ctx.event_notifier_set()


WAKEUP = Wakeup()
WAKEUP_WITH_NOTIFY_BUGS = WakeupWithNotifyBugs()
