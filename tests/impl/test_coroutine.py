"""Coroutines in one thread: test-coroutine.c's /basic cases, test-aio.c's
/aio/coroutine/queue-chaining, CoQueue, and the errors QEMU aborts on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    AioContext,
    CoQueue,
    QemuAssertionError,
    UseAfterFree,
    aio_co_enter,
    aio_co_schedule,
    aio_co_wake,
    qemu_co_enter_all,
    qemu_co_enter_next,
    qemu_co_queue_empty,
    qemu_co_queue_next,
    qemu_co_queue_restart_all,
    qemu_co_queue_wait,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    qemu_coroutine_enter_if_inactive,
    qemu_coroutine_entered,
    qemu_coroutine_get_aio_context,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    qemu_in_coroutine,
    sync,
)
from co_helpers import main_loop


@pytest.fixture
def main() -> Iterator[AioContext]:
    with main_loop() as ctx:
        yield ctx


# --------------------------------------------------------------------------- /basic


def test_lifecycle_and_no_dangling_access(main: AioContext) -> None:
    """/basic/lifecycle + /basic/no-dangling-access: a coroutine runs to the end on
    its first entry; afterwards it is freed, and touching it fails loudly."""
    ran = []

    async def entry(opaque: Any) -> None:
        ran.append(opaque)

    co = qemu_coroutine_create(entry, 42)
    qemu_coroutine_enter(co)
    assert ran == [42] and co.freed
    with pytest.raises(UseAfterFree, match="terminated and was freed"):
        qemu_coroutine_enter(co)
    with pytest.raises(UseAfterFree):
        qemu_coroutine_entered(co)
    with pytest.raises(UseAfterFree):
        aio_co_wake(co)


def test_yield_counts_entries(main: AioContext) -> None:
    """/basic/yield: five yields need six entries."""
    done = []

    async def yield_5_times(_: Any) -> None:
        for _i in range(5):
            await qemu_coroutine_yield()
        done.append(True)

    co = qemu_coroutine_create(yield_5_times)
    entries = 0
    while not done:
        qemu_coroutine_enter(co)
        entries += 1
    assert entries == 6


def test_nesting_128_levels(main: AioContext) -> None:
    """/basic/nesting: each coroutine enters the next, from inside, 128 deep."""
    max_depth = 128
    state = {"depth": 0, "max": 0}

    async def nest(_: Any) -> None:
        state["depth"] += 1
        state["max"] = max(state["max"], state["depth"])
        if state["depth"] < max_depth:
            qemu_coroutine_enter(qemu_coroutine_create(nest))
        state["depth"] -= 1

    qemu_coroutine_enter(qemu_coroutine_create(nest))
    assert state == {"depth": 0, "max": max_depth}


def test_self_entered_and_in_coroutine(main: AioContext) -> None:
    """/basic/self, /basic/entered, /basic/in_coroutine."""
    seen: dict[str, Any] = {}

    async def entry(_: Any) -> None:
        seen["self"] = qemu_coroutine_self()
        seen["entered"] = qemu_coroutine_entered(seen["self"])
        seen["in"] = qemu_in_coroutine()
        seen["ctx"] = qemu_coroutine_get_aio_context(seen["self"])
        await qemu_coroutine_yield()

    co = qemu_coroutine_create(entry)
    assert not qemu_coroutine_entered(co) and not qemu_in_coroutine()
    qemu_coroutine_enter(co)
    assert seen == {"self": co, "entered": True, "in": True, "ctx": main}
    assert not qemu_coroutine_entered(co)         # yielded
    assert qemu_coroutine_self() is not co        # outside: the thread's leader
    qemu_coroutine_enter_if_inactive(co)
    assert co.freed


def test_enter_if_inactive_skips_a_running_coroutine(main: AioContext) -> None:
    entries = []

    async def entry(_: Any) -> None:
        entries.append(1)
        qemu_coroutine_enter_if_inactive(qemu_coroutine_self())   # running: skipped
        await qemu_coroutine_yield()

    co = qemu_coroutine_create(entry)
    qemu_coroutine_enter_if_inactive(co)
    assert entries == [1] and not co.freed
    with pytest.raises(QemuAssertionError, match="leader coroutine cannot be entered"):
        qemu_coroutine_enter(qemu_coroutine_self())
    qemu_coroutine_enter(co)


def test_order(main: AioContext) -> None:
    """/basic/order: entering and yielding interleave as on one stack."""
    trace: list[tuple[int, int]] = []

    async def co_order(_: Any) -> None:
        trace.append((2, 1))
        assert qemu_in_coroutine()
        await qemu_coroutine_yield()
        trace.append((2, 2))

    co = qemu_coroutine_create(co_order)
    trace.append((1, 1))
    qemu_coroutine_enter(co)
    trace.append((1, 2))
    qemu_coroutine_enter(co)
    trace.append((1, 3))
    assert trace == [(1, 1), (2, 1), (1, 2), (2, 2), (1, 3)]


def test_exception_in_a_coroutine_reaches_the_enterer(main: AioContext) -> None:
    async def boom(_: Any) -> None:
        await qemu_coroutine_yield()
        raise KeyError("boom")

    co = qemu_coroutine_create(boom)
    qemu_coroutine_enter(co)
    with pytest.raises(KeyError):
        qemu_coroutine_enter(co)
    assert co.freed and not qemu_in_coroutine()


# --------------------------------------------------------------------------- bad use


def test_recursive_entry_aborts(main: AioContext) -> None:
    """Entering a coroutine that is running (here: itself) is QEMU's abort."""
    async def reenter_self(_: Any) -> None:
        qemu_coroutine_enter(qemu_coroutine_self())

    with pytest.raises(QemuAssertionError, match="Co-routine re-entered recursively"):
        qemu_coroutine_enter(qemu_coroutine_create(reenter_self))

    holder: dict[str, Any] = {}

    async def inner(_: Any) -> None:
        qemu_coroutine_enter(holder["outer"])     # outer is on the stack below us

    async def outer(_: Any) -> None:
        qemu_coroutine_enter(qemu_coroutine_create(inner))

    holder["outer"] = qemu_coroutine_create(outer)
    with pytest.raises(QemuAssertionError, match="re-entered recursively"):
        qemu_coroutine_enter(holder["outer"])


def test_entering_a_scheduled_coroutine_aborts(main: AioContext) -> None:
    """A scheduled coroutine may only be entered by the co_schedule BH."""
    ran = []

    async def entry(_: Any) -> None:
        ran.append(True)

    co = qemu_coroutine_create(entry)
    aio_co_schedule(main, co)
    with pytest.raises(QemuAssertionError, match="already scheduled in 'aio_co_schedule'"):
        qemu_coroutine_enter(co)
    with pytest.raises(QemuAssertionError, match="already scheduled in 'aio_co_schedule'"):
        aio_co_schedule(main, co)
    assert main.aio_poll(False) is True and ran == [True]


def test_yield_outside_a_coroutine_and_foreign_awaitables_abort(main: AioContext) -> None:
    with pytest.raises(QemuAssertionError, match="yielding to no one"):
        qemu_coroutine_yield().send(None)

    async def uses_asyncio(_: Any) -> None:
        await asyncio.sleep(0)

    co = qemu_coroutine_create(uses_asyncio)
    with pytest.raises(QemuAssertionError, match="may only await QEMU coroutine operations"):
        qemu_coroutine_enter(co)
    assert co.freed


# --------------------------------------------------------------------------- wake-ups


def test_queue_chaining_does_not_grow_the_stack(main: AioContext) -> None:
    """/aio/coroutine/queue-chaining: 2 x 25000 ping-pongs through aio_co_enter from
    inside a coroutine; a recursive implementation would overflow the stack."""
    class Chain:
        def __init__(self) -> None:
            self.i = 0
            self.max = 25000
            self.other: Any = None

    async def chain(data: Chain) -> None:
        data.i = 0
        while data.i < data.max:
            aio_co_enter(main, data.other)      # queue up the other coroutine...
            await qemu_coroutine_yield()        # ...and give control to it
            data.i += 1

    a, b = Chain(), Chain()
    b.other = qemu_coroutine_create(chain, a, name="chain_a")
    a.other = qemu_coroutine_create(chain, b, name="chain_b")
    qemu_coroutine_enter(b.other)
    assert a.i == a.max and b.i == b.max - 1
    qemu_coroutine_enter(a.other)               # let the second one finish
    assert b.i == b.max


def test_aio_co_enter_from_a_coroutine_runs_after_it_yields(main: AioContext) -> None:
    trace: list[str] = []

    async def woken(_: Any) -> None:
        trace.append("woken")

    async def waker(_: Any) -> None:
        aio_co_enter(main, qemu_coroutine_create(woken))
        trace.append("waker before yield")
        await qemu_coroutine_yield()
        trace.append("waker resumed")

    co = qemu_coroutine_create(waker)
    qemu_coroutine_enter(co)
    assert trace == ["waker before yield", "woken"]
    aio_co_wake(co)                             # not in a coroutine, same ctx: at once
    assert trace[-1] == "waker resumed"


def test_wakeups_run_depth_first(main: AioContext) -> None:
    """Coroutines woken by a coroutine run before those queued earlier by others."""
    trace: list[str] = []

    def leaf(name: str) -> Any:
        async def run(_: Any) -> None:
            trace.append(name)
        return qemu_coroutine_create(run, name=name)

    async def mid(_: Any) -> None:
        trace.append("mid")
        aio_co_enter(main, leaf("mid-child"))

    async def top(_: Any) -> None:
        aio_co_enter(main, qemu_coroutine_create(mid, name="mid"))
        aio_co_enter(main, leaf("top-second"))

    qemu_coroutine_enter(qemu_coroutine_create(top))
    assert trace == ["mid", "mid-child", "top-second"]


# --------------------------------------------------------------------------- CoQueue


def test_coqueue_wait_next_restart_all(main: AioContext) -> None:
    q = CoQueue()
    trace: list[str] = []

    def waiter(name: str, front: bool = False) -> Any:
        async def run(_: Any) -> None:
            await qemu_co_queue_wait(q, front=front)
            trace.append(name)
        co = qemu_coroutine_create(run, name=name)
        qemu_coroutine_enter(co)
        return co

    for name in ("a", "b", "c"):
        waiter(name)
    waiter("front", front=True)
    assert not qemu_co_queue_empty(q) and trace == []
    assert qemu_co_queue_next(q) is True and trace == ["front"]
    assert qemu_co_enter_next(q) is True and trace == ["front", "a"]
    qemu_co_queue_restart_all(q)
    assert trace == ["front", "a", "b", "c"] and qemu_co_queue_empty(q)
    assert qemu_co_queue_next(q) is False


def test_coqueue_drops_the_lock_while_waiting(main: AioContext) -> None:
    """The waiter releases the lock before yielding and holds it again when
    qemu_co_queue_wait returns; the waker drops it around the wake-up."""
    lock = sync.Mutex(name="test_lock")
    q = CoQueue()
    held_after_wake: list[bool] = []

    async def waiter(_: Any) -> None:
        lock.lock()
        await qemu_co_queue_wait(q, lock)
        held_after_wake.append(not lock.trylock())
        lock.unlock()

    qemu_coroutine_enter(qemu_coroutine_create(waiter))
    assert lock.trylock()                       # dropped while waiting
    qemu_co_enter_all(q, lock)                  # we hold it; it is dropped for the wake
    assert held_after_wake == [True]
    assert not lock.trylock()                   # and ours again afterwards
    lock.unlock()


def test_coqueue_wait_outside_a_coroutine_aborts(main: AioContext) -> None:
    with pytest.raises(QemuAssertionError, match="not in a coroutine"):
        qemu_co_queue_wait(CoQueue()).send(None)


# --------------------------------------------------------------------------- coqueue-restart-uaf


def _restart_uaf_scenario(ctx: AioContext) -> list[str]:
    """A wakes B and yields; B re-enters A, which finishes (and is freed)."""
    trace: list[str] = []
    holder: dict[str, Any] = {}

    async def b(_: Any) -> None:
        trace.append("b")
        qemu_coroutine_enter(holder["a"])
        trace.append("b after a")

    async def a(_: Any) -> None:
        aio_co_enter(ctx, qemu_coroutine_create(b, name="b"))
        await qemu_coroutine_yield()
        trace.append("a finished")

    holder["a"] = qemu_coroutine_create(a, name="a")
    qemu_coroutine_enter(holder["a"])
    return trace


def test_coqueue_restart_uaf_fixed() -> None:
    with main_loop() as ctx:
        assert _restart_uaf_scenario(ctx) == ["b", "a finished", "b after a"]


def test_coqueue_restart_uaf_buggy_touches_the_freed_coroutine() -> None:
    """The 2017 restart loop walks A's own wake-up list after B, nested, finished A."""
    with main_loop(bugs={"coqueue-restart-uaf"}) as ctx, \
            pytest.raises(UseAfterFree, match="coroutine 'a' terminated and was freed, "
                          "then its co_queue_wakeup was used"):
        _restart_uaf_scenario(ctx)
