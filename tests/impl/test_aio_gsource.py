"""test-aio.c's glib flavour (/aio-gsource/*): the same cases driven through a
GMainContext's iteration instead of aio_poll.  "Drain" means iterating without
blocking until nothing is dispatched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    QEMU_CLOCK_REALTIME,
    SCALE_NS,
    AioContext,
    GMainContext,
    qemu_bh_cancel,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_clock_get_ns,
    timer_mod,
)
from impl_helpers import BHTestData, EventNotifierTestData, set_event_notifier


class Glib:
    def __init__(self, ctx: AioContext) -> None:
        self.ctx = ctx
        self.main = GMainContext(name="test_gmain")
        self.source = ctx.aio_get_g_source()
        self.main.attach(self.source)
        self.source.unref()

    def iteration(self, may_block: bool) -> bool:
        return self.main.iteration(may_block)

    def drain(self) -> None:
        while self.main.iteration(False):
            pass


@pytest.fixture
def glib(ctx: AioContext) -> Iterator[Glib]:
    g = Glib(ctx)
    g.drain()
    yield g
    g.main.destroy(g.source)


def test_gsource_flush(glib: Glib) -> None:
    assert glib.iteration(False) is False
    glib.ctx.aio_notify()
    glib.drain()
    assert glib.iteration(False) is False


@pytest.mark.parametrize("case", ["schedule", "flush"])
def test_gsource_bh_schedule(glib: Glib, case: str) -> None:
    data = BHTestData(glib.ctx)
    qemu_bh_schedule(data.bh)
    assert data.n == 0
    assert glib.iteration(True) is True
    assert data.n == 1
    assert glib.iteration(False) is False
    assert data.n == 1
    qemu_bh_delete(data.bh)
    glib.drain()


def test_gsource_bh_schedule10(glib: Glib) -> None:
    data = BHTestData(glib.ctx, max_runs=10)
    qemu_bh_schedule(data.bh)
    assert glib.iteration(False) is True
    assert data.n == 1
    assert glib.iteration(True) is True
    assert data.n == 2
    glib.drain()
    assert data.n == 10
    assert glib.iteration(False) is False
    assert data.n == 10
    qemu_bh_delete(data.bh)
    glib.drain()


def test_gsource_bh_cancel(glib: Glib) -> None:
    data = BHTestData(glib.ctx)
    qemu_bh_schedule(data.bh)
    qemu_bh_cancel(data.bh)
    glib.drain()
    assert data.n == 0
    qemu_bh_delete(data.bh)
    glib.drain()


def test_gsource_bh_delete(glib: Glib) -> None:
    data = BHTestData(glib.ctx)
    qemu_bh_schedule(data.bh)
    qemu_bh_delete(data.bh)
    glib.drain()
    assert data.n == 0              # freed later, whenever a dispatch dequeues it


def test_gsource_bh_callback_delete_one(glib: Glib) -> None:
    data = BHTestData(glib.ctx, max_runs=1, delete_at_max=True)
    qemu_bh_schedule(data.bh)
    glib.iteration(True)
    assert data.n == data.max
    assert data.bh is None
    extra = 0
    while glib.iteration(False):              # at most one more (the notifier's eventfd)
        extra += 1
    assert extra <= 1


def test_gsource_bh_callback_delete_many(glib: Glib) -> None:
    datas = [BHTestData(glib.ctx, max_runs=m, delete_at_max=True) for m in (1, 3, 2, 4)]
    for d in datas:
        qemu_bh_schedule(d.bh)
    assert glib.iteration(False) is True
    assert all(d.n == 1 for d in datas)
    assert datas[0].bh is None
    glib.drain()
    assert [d.n for d in datas] == [1, 3, 2, 4]
    assert all(d.bh is None for d in datas)


def test_gsource_event_add_remove(glib: Glib) -> None:
    data = EventNotifierTestData(active=0)
    set_event_notifier(glib.ctx, data, data.cb)
    glib.drain()
    assert data.n == 0
    set_event_notifier(glib.ctx, data, None)
    glib.drain()
    assert data.n == 0
    data.e.cleanup()


def test_gsource_event_wait(glib: Glib) -> None:
    data = EventNotifierTestData(active=1)
    set_event_notifier(glib.ctx, data, data.cb)
    glib.drain()
    assert data.n == 0 and data.active == 1
    data.e.set()
    assert glib.iteration(False) is True
    assert data.n == 1 and data.active == 0
    set_event_notifier(glib.ctx, data, None)
    glib.drain()
    assert data.n == 1
    data.e.cleanup()


def test_gsource_event_wait_no_flush_cb(glib: Glib) -> None:
    data = EventNotifierTestData(active=0)
    set_event_notifier(glib.ctx, data, data.cb)
    glib.drain()
    data.e.set()
    assert glib.iteration(True) is True       # must not block
    data.n = 0
    dummy = EventNotifierTestData(active=1)
    set_event_notifier(glib.ctx, dummy, dummy.cb)
    data.e.set()
    assert glib.iteration(False) is True
    assert data.n == 1
    glib.drain()
    data.e.set()
    assert glib.iteration(False) is True
    assert data.n == 2
    glib.drain()
    dummy.e.set()
    while dummy.active > 0:
        glib.iteration(True)
    assert data.n == 2 and dummy.n == 1 and dummy.active == 0
    set_event_notifier(glib.ctx, dummy, None)
    set_event_notifier(glib.ctx, data, None)
    glib.drain()
    assert data.n == 2
    data.e.cleanup()
    dummy.e.cleanup()


def test_gsource_event_flush(glib: Glib) -> None:
    data = EventNotifierTestData(active=10, auto_set=True)
    set_event_notifier(glib.ctx, data, data.cb)
    glib.drain()
    assert data.n == 0 and data.active == 10
    data.e.set()
    assert glib.iteration(False) is True
    assert data.n == 1 and data.active == 9
    assert glib.iteration(False) is True
    while data.active > 0:
        glib.iteration(True)
    assert data.n == 10 and data.active == 0
    glib.drain()
    set_event_notifier(glib.ctx, data, None)
    glib.drain()
    data.e.cleanup()


def test_gsource_timer_schedule(glib: Glib) -> None:
    delay = 150_000_000
    runs: list[int] = []
    expiries: list[int] = []

    def cb(_: Any) -> None:
        runs.append(1)
        if len(runs) < 2:
            expiries.append(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + delay)
            timer_mod(ts, expiries[-1])

    dummy = EventNotifierTestData()
    set_event_notifier(glib.ctx, dummy, dummy.cb)
    ts = glib.ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_NS, cb)
    timer_mod(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + delay)
    glib.drain()
    assert runs == []
    time.sleep(delay / 1e9 + 0.05)
    assert runs == []
    assert glib.iteration(True) is True
    assert runs == [1]
    while len(runs) < 2:
        glib.iteration(True)
    assert qemu_clock_get_ns(QEMU_CLOCK_REALTIME) >= expiries[0]
    set_event_notifier(glib.ctx, dummy, None)
    dummy.e.cleanup()
