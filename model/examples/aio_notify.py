"""The aio_notify wake-up protocol (QEMU util/async.c, util/aio-posix.c; docs/catalogue.md).

Three threads share one AioContext:

* ``waiter``, the home thread, runs ``aio_poll(ctx, blocking=true)`` forever;
* ``helper``, a second thread that may run ``aio_poll`` on the same context for a while
  and then leave (before 2018 any thread holding the context could);
* ``notifier``, a worker that completes requests: it schedules the completion BH and,
  if the BH was not already scheduled, calls ``aio_notify``.

The pending request is the BH's ``scheduled`` flag (``req``).  The poll loop follows
the shape in which these bugs were found and fixed (2015-2020): raise ``notify_me``,
look for work, sleep in ``poll()`` on the EventNotifier (``event``) unless there is
work, drop ``notify_me``, accept the notification (``notified`` exchanged to false; if
it was true, clear the EventNotifier), then run the BH.  ``aio_notify`` sets the
EventNotifier and then ``notified``, if ``notify_me`` is non-zero.

Bug variants (``bug=`` slug from the catalogue), each the smallest change:

* ``aio-notifier-cleared-late``: accept clears no notifier; it is cleared by its fd
  handler, after the BHs ran.  The helper's late clear eats a notification meant for
  the sleeping waiter: a lost wake-up.
* ``aio-dispatching-flag``: ``aio_notify`` skips the EventNotifier while some
  ``aio_poll`` is dispatching (a shared ``dispatching`` flag) instead of asking
  ``notify_me``: the helper dispatches, the worker's notify is skipped, the helper
  leaves, the waiter sleeps with the BH scheduled: a lost wake-up.
* ``notified-skips-set``: ``aio_notify`` does not set the EventNotifier when
  ``notified`` is already true: a lost wake-up.
* ``notified-before-event``: ``aio_notify`` sets ``notified`` before the
  EventNotifier.  This one loses no wake-up: accept can clear ``notified`` before the
  notifier is set, which then stays set with nothing to do, and the waiter busy-loops
  (property ``busy loop``).

Properties (never claims registered on the model):

* ``lost wakeup``: the waiter eventually sleeps forever in ``poll()`` (blocking, the
  EventNotifier clear) while the BH is scheduled.
* ``busy loop``: the notifier thread has stopped, yet the EventNotifier stays set
  forever, so the waiter never sleeps again.
"""

from __future__ import annotations

from ..builder import Process
from ..claim import Claim
from ..modelling import Model

BUGS = ("aio-notifier-cleared-late", "aio-dispatching-flag", "notified-skips-set",
        "notified-before-event")

#: the property each variant violates (the fixed model satisfies both)
VIOLATES = {
    "aio-notifier-cleared-late": "lost wakeup",
    "aio-dispatching-flag": "lost wakeup",
    "notified-skips-set": "lost wakeup",
    "notified-before-event": "busy loop",
}


def _aio_poll(p: Process, bug: str | None, *, may_leave: bool) -> None:
    """One blocking ``aio_poll`` per iteration of the loop at ``poll``."""
    p.label("poll", end=True)
    if may_leave:
        p.step("stop polling", goto="gone")
        p.at("poll")
    if bug == "aio-dispatching-flag":
        p.step("aio_set_dispatching(ctx, !blocking)", lambda s: s.set(dispatching=0))

    @p.step("notify_me += 2")
    def announce(s):
        s.notify_me += 2

    @p.step("smp_mb(); block = no BH scheduled")
    def look(s):
        s.block = 0 if s.req else 1

    p.label("wait", end=True)
    p.wait("poll(): sleep until the EventNotifier is set", lambda s: not s.block or s.event)

    @p.step("notify_me -= 2")
    def done_waiting(s):
        s.notify_me -= 2

    if bug == "aio-dispatching-flag":
        p.step("aio_set_dispatching(ctx, true)", lambda s: s.set(dispatching=1))
    if bug == "aio-notifier-cleared-late":
        p.step("aio_notify_accept: notified = false", lambda s: s.set(notified=0))
    else:
        @p.step("aio_notify_accept: old = xchg(notified, false)")
        def accept(s):
            s.old, s.notified = s.notified, 0

        @p.step("if (old) event_notifier_test_and_clear()")
        def clear(s):
            if s.old:
                s.event = 0

    if bug == "aio-notifier-cleared-late":
        p.step("aio_bh_poll(): run the BH", lambda s: s.set(req=0))
        p.step("dispatch fd handler: event_notifier_test_and_clear()",
               lambda s: s.set(event=0), goto="poll")
    elif bug == "aio-dispatching-flag":
        p.step("aio_bh_poll(): run the BH", lambda s: s.set(req=0))
        p.step("aio_set_dispatching(ctx, was_dispatching)", lambda s: s.set(dispatching=0),
               goto="poll")
    else:
        p.step("aio_bh_poll(): run the BH", lambda s: s.set(req=0), goto="poll")
    if may_leave:
        p.label("gone")


def _notifier(p: Process, bug: str | None) -> None:
    p.label("idle", end=True)
    p.step("finish; stop completing requests", goto="stopped")
    p.at("idle")

    @p.step("qemu_bh_schedule(): was = xchg(scheduled, 1)")
    def schedule(s):
        s.was, s.req = s.req, 1

    p.label("scheduled")
    p.wait("if (was) return", lambda s: s.was, goto="idle")
    if bug == "aio-dispatching-flag":
        p.at("scheduled")
        p.wait("aio_notify(): if (ctx->dispatching) return",
               lambda s: not s.was and s.dispatching, goto="idle")
        p.at("scheduled")
        p.wait("aio_notify(): if (!ctx->dispatching)",
               lambda s: not s.was and not s.dispatching)
    else:
        p.at("scheduled")
        p.wait("aio_notify(): smp_mb(); if (!notify_me) return",
               lambda s: not s.was and not s.notify_me, goto="idle")
        p.at("scheduled")
        p.wait("aio_notify(): smp_mb(); if (notify_me)",
               lambda s: not s.was and s.notify_me)
    set_event = ("event_notifier_set()", lambda s: s.set(event=1))
    set_notified = ("notified = true", lambda s: s.set(notified=1))
    if bug == "notified-before-event":
        p.step(*set_notified)
        p.step(*set_event, goto="idle")
    elif bug == "notified-skips-set":
        @p.step("if (!notified) event_notifier_set()")
        def maybe_set(s):
            if not s.notified:
                s.event = 1

        p.step(*set_notified, goto="idle")
    else:
        p.step(*set_event)
        p.step(*set_notified, goto="idle")
    p.label("stopped")


def model(bug: str | None = None, *, helper: bool = True) -> Model:
    """The aio_notify protocol, fixed (``bug=None``) or with one catalogue bug."""
    if bug is not None and bug not in BUGS:
        raise ValueError(f"unknown aio_notify variant {bug!r}; known: {', '.join(BUGS)}")
    m = Model("aio_notify" if bug is None else f"aio_notify[{bug}]")
    m.vars(notify_me=0, notified=0, event=0, req=0)
    if bug == "aio-dispatching-flag":
        m.var("dispatching", 0)
    _aio_poll(m.process("waiter", block=0, old=0), bug, may_leave=False)
    if helper:
        _aio_poll(m.process("helper", block=0, old=0), bug, may_leave=True)
    _notifier(m.process("notifier", was=0), bug)
    m.invariant("notify_me counts the pollers that may sleep",
                lambda s: s.notify_me in ((0, 2, 4) if helper else (0, 2)))

    def asleep_with_work(s) -> bool:      # cheapest tests first: it runs on every state
        return (s.req == 1 and not s.event and s.at("waiter", "wait")
                and s.local("waiter", "block") == 1)

    def stuck_high(s) -> bool:
        return s.event == 1 and s.at("notifier", "stopped")

    m.never("lost wakeup", Claim.eventually_always(asleep_with_work, "lost wakeup"))
    m.never("busy loop", Claim.eventually_always(stuck_high, "busy loop"))
    return m
