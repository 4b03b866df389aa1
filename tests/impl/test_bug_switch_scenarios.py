"""The sequentially-consistent bug switches, each in a real-thread scenario that the
test steers into the historical interleaving (with the race windows of impl_helpers).
With the switch on the scenario misbehaves every time (a lost wake-up, a busy loop, a
use after free, a torn handler); with it off the same steps are harmless."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aioctx.impl import (
    QEMU_CLOCK_REALTIME,
    SCALE_MS,
    AioContext,
    GMainContext,
    UseAfterFree,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_clock_get_ms,
    qemu_set_current_aio_context,
    sync,
    timer_del,
    timer_mod,
)
from impl_helpers import WAIT, GatedPoller, HookedAtomic, hooked, pipe, run_in_thread

HANG = 1.0          # seconds without the expected wake-up that count as "asleep for good"
FIXED, BUGGY = "fixed", "buggy"


def _bugs(variant: str, slug: str) -> set[str]:
    return {slug} if variant == BUGGY else set()


def _wait_or_rescue(ctx: AioContext, event: threading.Event) -> bool:
    """True if ``event`` came only after we kicked the EventNotifier by hand."""
    if event.wait(HANG):
        return False
    ctx.notifier.set()                      # wake the stranded poller so the test can end
    assert event.wait(WAIT)
    return True


class GlibThread:
    """A thread that owns ``ctx`` and runs it through a GMainContext, whose poller can
    hold the thread between prepare (timeout computed) and the real poll."""

    def __init__(self, ctx: AioContext, hold_first_poll: bool) -> None:
        self.ctx = ctx
        self.main = GMainContext(name="glib_thread")
        self.source = ctx.aio_get_g_source()
        self.main.attach(self.source)
        self.source.unref()
        while self.main.iteration(False):         # start settled, as QEMU's tests do
            pass
        self.poller = GatedPoller(name="glib_thread.poller")
        self.poller.armed = hold_first_poll
        self.main._poller = self.poller
        self.stop = False
        self.thread = run_in_thread(self._run, "glib_thread")

    def _run(self) -> None:
        qemu_set_current_aio_context(self.ctx)
        while not self.stop:
            self.main.iteration(True)

    def join(self) -> None:
        self.poller.gate.set()

        def set_stop(_: Any) -> None:
            self.stop = True

        self.ctx.aio_bh_schedule_oneshot(set_stop)
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        self.main.destroy(self.source)


class PollThread:
    """A thread that loops ``ctx.aio_poll(True)`` (the context's home thread)."""

    def __init__(self, ctx: AioContext) -> None:
        self.ctx = ctx
        self.stop = False
        self.thread = run_in_thread(self._run, "poll_thread")

    def _run(self) -> None:
        qemu_set_current_aio_context(self.ctx)
        while not self.stop:
            self.ctx.aio_poll(True)

    def join(self) -> None:
        def set_stop(_: Any) -> None:
            self.stop = True

        self.ctx.aio_bh_schedule_oneshot(set_stop)
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@contextmanager
def context(bugs: set[str], legacy: bool = False, current: bool = False) -> Iterator[AioContext]:
    ctx = AioContext(bugs=bugs, name="scenario", legacy_wakeup=legacy)
    if current:
        qemu_set_current_aio_context(ctx)
    try:
        yield ctx
    finally:
        if current:
            qemu_set_current_aio_context(None)
        ctx.aio_context_unref()


def new_bh(ctx: AioContext, cb: Callable[[Any], None], bhs: list[Any]) -> Any:
    bh = ctx.aio_bh_new(cb)
    bhs.append(bh)
    return bh


# --------------------------------------------------------------------------- wake-up


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_dispatching_flag_nested_glib_poll(variant: str) -> None:
    """aio-dispatching-flag, in a form QEMU 10.0 allows: a BH run by aio_poll (so "some
    aio_poll is dispatching") iterates the glib loop, which sleeps in poll(-1); a worker
    then schedules the BH that loop waits for."""
    with context(_bugs(variant, "aio-dispatching-flag"), current=True) as ctx:
        gmain = GMainContext()
        source = ctx.aio_get_g_source()
        gmain.attach(source)
        source.unref()
        poller = GatedPoller()
        poller.gate.set()                          # only report when the poll starts
        gmain._poller = poller
        bhs: list[Any] = []
        y_ran = threading.Event()
        y = new_bh(ctx, lambda _: y_ran.set(), bhs)
        hung: list[bool] = []

        def worker() -> None:
            assert poller.at_gate.wait(WAIT)       # the nested glib loop has prepared
            qemu_bh_schedule(y)
            hung.append(_wait_or_rescue(ctx, y_ran))

        def x_cb(_: Any) -> None:
            # x's own notification is still in the EventNotifier (aio_poll found x
            # without sleeping, so nothing read the fd): consume it first, or the
            # gated poll returns at once and the worker's BH may be found without
            # any wake-up, by the next iteration.
            while gmain.iteration(False):
                pass
            poller.armed = True
            t = run_in_thread(worker)
            while not y_ran.is_set():
                gmain.iteration(True)
            t.join(WAIT)

        x = new_bh(ctx, x_cb, bhs)
        ctx.aio_poll(False)
        qemu_bh_schedule(x)
        assert ctx.aio_poll(True) is True
        assert hung == [variant == BUGGY]
        for bh in bhs:
            qemu_bh_delete(bh)
        ctx.aio_poll(False)
        gmain.destroy(source)


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_dispatching_flag_two_threads_legacy(variant: str) -> None:
    """aio-dispatching-flag as in 2015: thread A sleeps in the glib poll; thread B runs
    aio_poll synchronously and, while dispatching, schedules the BH A must run."""
    with context(_bugs(variant, "aio-dispatching-flag"), legacy=True) as ctx:
        a = GlibThread(ctx, hold_first_poll=True)
        assert a.poller.at_gate.wait(WAIT)        # A prepared: bit 0 set, timeout -1
        bhs: list[Any] = []
        x_ran = threading.Event()
        x = new_bh(ctx, lambda _: x_ran.set(), bhs)
        w = new_bh(ctx, lambda _: qemu_bh_schedule(x), bhs)
        qemu_bh_schedule(w)
        assert ctx.aio_poll(True) is True          # B runs w, which schedules x
        a.poller.gate.set()                        # A goes to sleep in poll(-1)
        assert _wait_or_rescue(ctx, x_ran) is (variant == BUGGY)
        for bh in bhs:
            qemu_bh_delete(bh)
        a.join()


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_notifier_cleared_late_legacy(variant: str) -> None:
    """aio-notifier-cleared-late: B's poll wakes on the notifier, runs a BH that
    schedules another, and only then (in its fd dispatch) clears the notifier, eating
    the second notification that A, about to poll, relies on."""
    with context(_bugs(variant, "aio-notifier-cleared-late"), legacy=True) as ctx, \
            pipe() as (r, _w):
        ctx.aio_set_fd_handler(r, lambda _: None)   # no io_poll: every poll calls ppoll
        a = GlibThread(ctx, hold_first_poll=True)
        assert a.poller.at_gate.wait(WAIT)
        bhs: list[Any] = []
        bh2_ran = threading.Event()
        bh2 = new_bh(ctx, lambda _: bh2_ran.set(), bhs)
        bh1 = new_bh(ctx, lambda _: qemu_bh_schedule(bh2), bhs)
        qemu_bh_schedule(bh1)                      # sets the notifier (A's bit 0)
        assert ctx.aio_poll(True) is True          # B: wakes, runs bh1, clears (late?)
        a.poller.gate.set()
        assert _wait_or_rescue(ctx, bh2_ran) is (variant == BUGGY)
        for bh in bhs:
            qemu_bh_delete(bh)
        a.join()
        ctx.aio_set_fd_handler(r, None)


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_notified_before_event_busy_loops_legacy(variant: str) -> None:
    """notified-before-event (seeded): the home thread accepts between the notifier's
    `notified = true` and its EventNotifier write; the notifier then stays set with
    `notified` false and every blocking poll returns at once."""
    with context(_bugs(variant, "notified-before-event"), legacy=True) as ctx, \
            pipe() as (r, w):
        pipe_ran = threading.Event()

        def on_pipe(_: Any) -> None:
            os.read(r, 16)
            pipe_ran.set()

        ctx.aio_set_fd_handler(r, on_pipe)
        notified = hooked(ctx, "notified")
        home = PollThread(ctx)
        deadline = time.monotonic() + WAIT
        while ctx.notify_me.load() != 2 and time.monotonic() < deadline:
            time.sleep(0.001)                      # the home thread is asleep in ppoll

        def accept_now() -> None:                 # runs right after `notified = true`
            os.write(w, b"x")                      # wake the home thread another way
            assert pipe_ran.wait(WAIT)             # it has accepted and dispatched

        notified.arm("aio_notify.set_notified", accept_now, after=True)
        bh_ran = threading.Event()
        bh = ctx.aio_bh_new(lambda _: bh_ran.set())
        qemu_bh_schedule(bh)
        assert bh_ran.wait(WAIT)
        polls_before = ctx.stats.polls
        time.sleep(0.2)
        spins = ctx.stats.polls - polls_before
        qemu_bh_delete(bh)
        home.join()
        ctx.aio_set_fd_handler(r, None)
        if variant == BUGGY:
            assert spins > 100, f"expected a busy loop, saw {spins} polls in 0.2 s"
        else:
            assert spins <= 3, f"{spins} polls in 0.2 s with nothing to do"


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_notified_skips_set_glib(variant: str) -> None:
    """notified-skips-set (seeded), QEMU 10.0 glib path: a BH's own aio_notify leaves
    `notified` true (glib runs no check before sleeping again); a later aio_notify from
    another thread then skips the EventNotifier and the glib poll never wakes."""
    with context(_bugs(variant, "notified-skips-set")) as ctx:
        a = GlibThread(ctx, hold_first_poll=False)
        a.poller.gate.set()
        bhs: list[Any] = []
        e1 = threading.Event()

        def self_notify(_: Any) -> None:
            ctx.aio_notify()                       # e.g. a timer_mod from a callback
            e1.set()

        bh1 = new_bh(ctx, self_notify, bhs)
        a.poller.armed = True
        qemu_bh_schedule(bh1)
        assert e1.wait(WAIT)
        assert a.poller.at_gate.wait(WAIT)         # A is back in poll(-1)
        e3 = threading.Event()
        bh3 = new_bh(ctx, lambda _: e3.set(), bhs)
        qemu_bh_schedule(bh3)
        assert _wait_or_rescue(ctx, e3) is (variant == BUGGY)
        for bh in bhs:
            qemu_bh_delete(bh)
        a.join()


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_notify_accept_stolen_by_other_thread_legacy(variant: str) -> None:
    """notify-accept-stolen-by-other-thread (2018): the home thread is on its way into
    ppoll(-1); another thread arms a timer (which notifies) and then runs a
    non-blocking aio_poll whose accept clears the notification."""
    with context(_bugs(variant, "notify-accept-stolen-by-other-thread"), legacy=True) as ctx:
        poller = GatedPoller()
        poller.armed = True
        ctx.poller = poller
        home = PollThread(ctx)
        assert poller.at_gate.wait(WAIT)           # +2 done, timeout -1 computed
        fired = threading.Event()
        ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_MS, lambda _: fired.set())
        timer_mod(ts, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 30)
        assert ctx.aio_poll(False) is False        # another thread, not blocking
        poller.gate.set()
        assert _wait_or_rescue(ctx, fired) is (variant == BUGGY)
        timer_del(ts)
        home.join()


# --------------------------------------------------------------------------- BHs, handlers


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_bh_schedule_ctx_uaf(variant: str) -> None:
    """bh-schedule-ctx-uaf (2014): right after a oneshot is published, the home thread
    runs and frees it; the scheduler then reads bh->ctx to notify."""
    with context(_bugs(variant, "bh-schedule-ctx-uaf"), current=True) as ctx:
        ctx.aio_poll(False)
        bh_list = hooked(ctx, "bh_list")
        published, polled = threading.Event(), threading.Event()

        def let_home_thread_run() -> None:
            published.set()
            assert polled.wait(WAIT)

        bh_list.arm("aio_bh_enqueue.cmpxchg_bh_list", let_home_thread_run, after=True)
        errors: list[BaseException] = []
        ran: list[int] = []

        def producer() -> None:
            try:
                ctx.aio_bh_schedule_oneshot(lambda _: ran.append(1), name="oneshot")
            except UseAfterFree as exc:
                errors.append(exc)

        t = run_in_thread(producer)
        assert published.wait(WAIT)
        assert ctx.aio_poll(False) is True         # runs the oneshot and frees it
        polled.set()
        t.join(WAIT)
        assert ran == [1]
        if variant == BUGGY:
            assert len(errors) == 1 and "BH 'oneshot' was freed" in str(errors[0])
        else:
            assert errors == []


@pytest.mark.parametrize("variant", [FIXED, BUGGY])
def test_set_fd_handler_torn_update(variant: str) -> None:
    """set-fd-handler-torn-update (2018): another thread re-registers a handler while
    the home thread busy-polls it.  In the middle of the update (after the new io_poll
    was stored in place, or after the new node was published) the setter waits until
    the poller has called io_poll twice more."""
    with context(_bugs(variant, "set-fd-handler-torn-update"), current=True) as ctx:
        e = sync.EventNotifier(active=True)
        window_open = False
        stop_polling = False
        seen: list[tuple[str, str]] = []

        def poll_a(opaque: str) -> bool:
            if window_open:
                seen.append(("poll_a", opaque))
            return stop_polling

        def poll_b(opaque: str) -> bool:
            if window_open:
                seen.append(("poll_b", opaque))
            return stop_polling

        def io_read(_: Any) -> None:
            e.test_and_clear()

        ctx.aio_context_set_poll_params(10**9, 2, 2)
        ctx.aio_set_fd_handler(e.get_fd(), io_read, None, poll_a, lambda _: None, "data_a")
        ctx.aio_poll(False)
        assert ctx.aio_poll(True) is True          # io_read: the handler joins polling
        node = ctx.aio_handlers.load()[0]
        assert node.polling
        node.poll_ns = 10**9                       # a long busy-poll budget for the test

        def watch_the_poller() -> None:           # runs in the setter, mid-update
            nonlocal window_open
            window_open = True
            deadline = time.monotonic() + WAIT
            while len(seen) < 2 and time.monotonic() < deadline:
                time.sleep(0.001)
            window_open = False

        node.io_poll = HookedAtomic(node.io_poll.load())
        node.io_poll.arm("aio_set_fd_handler.update_io_poll", watch_the_poller, after=True)
        hooked(ctx, "aio_handlers").arm("aio_set_fd_handler.publish_new", watch_the_poller,
                                        after=True)

        def setter() -> None:
            nonlocal stop_polling
            time.sleep(0.02)                       # the home thread is busy-polling
            ctx.aio_set_fd_handler(e.get_fd(), io_read, None, poll_b, lambda _: None,
                                   "data_b")
            stop_polling = True

        t = run_in_thread(setter)
        assert ctx.aio_poll(True) is True          # busy-polls until the setter is done
        t.join(WAIT)
        ctx.aio_set_fd_handler(e.get_fd(), None)
        e.cleanup()
        assert len(seen) >= 2
        if variant == BUGGY:
            assert set(seen) == {("poll_b", "data_a")}     # new function, old opaque
        else:
            assert set(seen) == {("poll_a", "data_a")}     # the old node, intact
