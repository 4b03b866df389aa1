"""test-aio.c's /aio/timer/schedule (shorter delays), and the timer list rules."""

from __future__ import annotations

import time
from typing import Any

from aioctx.impl import (
    QEMU_CLOCK_REALTIME,
    QEMU_CLOCK_VIRTUAL,
    SCALE_MS,
    SCALE_NS,
    AioContext,
    qemu_clock_get_ns,
    qemu_soonest_timeout,
    qemu_timeout_ns_to_ms,
    timer_del,
    timer_expire_time_ns,
    timer_mod,
    timer_mod_ns,
    timer_pending,
)
from impl_helpers import EventNotifierTestData, run_in_thread, set_event_notifier

DELAY_NS = 150_000_000       # QEMU's test uses 750 ms; the shape is what matters


class TimerTestData:
    """test-aio's TimerTestData: counts calls and re-arms itself ``ns`` later."""

    def __init__(self, ctx: AioContext, max_runs: int, ns: int) -> None:
        self.n = 0
        self.max = max_runs
        self.ns = ns
        self.timer = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_NS, self.cb)

    def cb(self, _: Any) -> None:
        self.n += 1
        if self.n < self.max:
            timer_mod(self.timer, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + self.ns)


def test_timer_schedule(ctx: AioContext) -> None:
    """/aio/timer/schedule."""
    dummy = EventNotifierTestData()
    set_event_notifier(ctx, dummy, dummy.cb)     # lets aio_poll block on timers
    data = TimerTestData(ctx, max_runs=2, ns=DELAY_NS)
    timer_mod(data.timer, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + data.ns)
    while ctx.aio_poll(False):                    # timer_mod may have notified
        pass
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    time.sleep(DELAY_NS / 1e9 + 0.05)
    assert data.n == 0
    assert ctx.aio_poll(False) is True            # the expired timer runs
    assert data.n == 1
    while ctx.aio_poll(False):                    # the callback re-armed the timer
        pass
    assert ctx.aio_poll(False) is False
    assert data.n == 1
    t0 = time.monotonic()
    assert ctx.aio_poll(True) is True             # blocks until the second expiry
    assert data.n == 2
    assert time.monotonic() - t0 > DELAY_NS / 1e9 / 2
    assert ctx.aio_poll(False) is False
    assert data.n == 2
    set_event_notifier(ctx, dummy, None)
    dummy.e.cleanup()


def test_timers_run_in_expiry_order_and_can_be_deleted(ctx: AioContext) -> None:
    ran: list[str] = []
    now_ms = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) // SCALE_MS
    timers = {name: ctx.aio_timer_new(QEMU_CLOCK_VIRTUAL, SCALE_MS, ran.append, name)
              for name in ("late", "early", "gone")}
    timer_mod(timers["late"], now_ms - 1)
    timer_mod(timers["early"], now_ms - 5)
    timer_mod(timers["gone"], now_ms - 3)
    assert timer_pending(timers["gone"])
    timer_del(timers["gone"])
    assert not timer_pending(timers["gone"]) and timer_expire_time_ns(timers["gone"]) == -1
    assert ctx.aio_compute_timeout() == 0
    assert ctx.aio_poll(False) is True
    assert ran == ["early", "late"]
    assert not timer_pending(timers["late"])


def test_compute_timeout_uses_the_soonest_timer(ctx: AioContext) -> None:
    ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_NS, lambda _: None)
    assert ctx.aio_compute_timeout() == -1
    timer_mod_ns(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + 10**9)
    assert 0 < ctx.aio_compute_timeout() <= 10**9
    timer_del(ts)
    assert ctx.aio_compute_timeout() == -1


def test_arming_the_earliest_timer_wakes_a_sleeping_poll(ctx: AioContext) -> None:
    """timer_mod from another thread notifies, so aio_poll(true) recomputes its
    timeout instead of sleeping forever."""
    ran: list[int] = []
    ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_MS, ran.append, 1)

    def arm() -> None:
        time.sleep(0.05)
        timer_mod(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) // SCALE_MS + 20)

    t = run_in_thread(arm)
    deadline = time.monotonic() + 5
    while not ran and time.monotonic() < deadline:
        ctx.aio_poll(True)
    t.join()
    assert ran == [1]


def test_soonest_and_ms_conversion() -> None:
    assert qemu_soonest_timeout(-1, 5) == 5
    assert qemu_soonest_timeout(7, -1) == 7
    assert qemu_soonest_timeout(3, 9) == 3
    assert qemu_timeout_ns_to_ms(-1) == -1
    assert qemu_timeout_ns_to_ms(0) == 0
    assert qemu_timeout_ns_to_ms(1) == 1               # rounds up
    assert qemu_timeout_ns_to_ms(2_000_001) == 3
    assert qemu_timeout_ns_to_ms(10**18) == 2**31 - 1  # capped at INT32_MAX
