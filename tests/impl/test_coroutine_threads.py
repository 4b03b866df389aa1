"""Coroutines across threads and contexts: test-aio.c's worker-thread-co-enter,
test-aio-multithread.c's /aio/multi/schedule as a stress test, context hopping with
aio_co_reschedule_self, and the co-schedule-ctx-uaf race on real threads."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aioctx.impl import (
    AIO_WAIT_WHILE,
    AioContext,
    IOThread,
    UseAfterFree,
    aio_co_enter,
    aio_co_reschedule_self,
    aio_co_schedule,
    aio_co_wake,
    aio_wait_bh_oneshot,
    aio_wait_kick,
    qemu_coroutine_create,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    qemu_get_aio_context,
    qemu_get_current_aio_context,
    sync,
)
from co_helpers import WAIT, main_loop
from impl_helpers import hooked

NUM_CONTEXTS = 5


@pytest.fixture
def main() -> Iterator[AioContext]:
    with main_loop() as ctx:
        yield ctx


def test_worker_thread_co_enter(main: AioContext) -> None:
    """/aio/coroutine/worker-thread-co-enter: a thread with no context (and no BQL)
    entering a coroutine in the main context schedules it there."""
    ran_in: list[threading.Thread] = []

    async def co_check_current_thread(_: Any) -> None:
        ran_in.append(threading.current_thread())

    co = qemu_coroutine_create(co_check_current_thread)
    worker = sync.Thread(lambda: aio_co_enter(qemu_get_aio_context(), co),
                         name="test_aio_co_enter")
    worker.start()
    worker.join()
    assert ran_in == []
    assert main.aio_poll(True) is True
    assert ran_in == [threading.current_thread()]
    assert main.aio_poll(False) is False


def test_reschedule_self_hops_between_contexts(main: AioContext) -> None:
    """A coroutine moves main -> A -> B -> main; after each hop it runs in the new
    context's home thread, and aio_co_wake sends it back to where it last ran."""
    threads = [IOThread(f"hop{i}") for i in range(2)]
    a, b = (t.iothread_get_aio_context() for t in threads)
    seen: list[tuple[str, str]] = []
    parked: dict[str, Any] = {}
    finished = threading.Event()

    def where() -> tuple[str, str]:
        ctx = qemu_get_current_aio_context()
        return (ctx.name if ctx else "-", threading.current_thread().name)

    async def hopper(_: Any) -> None:
        seen.append(where())
        for target in (a, b):
            await aio_co_reschedule_self(target)
            seen.append(where())
        parked["co"] = qemu_coroutine_self()
        await qemu_coroutine_yield()            # woken from the main thread below
        seen.append(where())
        await aio_co_reschedule_self(main)
        seen.append(where())
        finished.set()

    qemu_coroutine_enter_main = qemu_coroutine_create(hopper)
    aio_co_enter(main, qemu_coroutine_enter_main)
    deadline = time.monotonic() + WAIT
    while "co" not in parked and time.monotonic() < deadline:
        main.aio_poll(False)
        time.sleep(0.001)
    aio_co_wake(parked["co"])                   # last ran in b: scheduled there
    while not finished.is_set() and time.monotonic() < deadline:
        main.aio_poll(True)
    assert finished.is_set()
    main_thread = threading.current_thread().name
    assert seen == [("qemu_aio_context", main_thread), ("hop0", "hop0"), ("hop1", "hop1"),
                    ("hop1", "hop1"), ("qemu_aio_context", main_thread)]
    for t in threads:
        t.join()


def test_multi_schedule_every_coroutine_completes_once(main: AioContext) -> None:
    """/aio/multi/schedule: one coroutine per IOThread; each takes a random context's
    published coroutine and hands it back to that context (aio_co_schedule, or
    aio_co_wake, which must find the same context), then publishes itself and yields;
    finish_cb, run in each context, stops them.  Every hand-off resumes its coroutine
    exactly once, no wake-up is lost, and every coroutine finishes exactly once.

    In QEMU's version the hand-offs soon die out (a round that picks its own or a busy
    slot passes nothing on); here the main loop also hands off parked coroutines,
    from outside any IOThread, for the whole run."""
    threads = [IOThread(f"iothread{i}") for i in range(NUM_CONTEXTS)]
    ctxs = [t.iothread_get_aio_context() for t in threads]
    to_schedule = [sync.Atomic(None, name=f"to_schedule[{i}]") for i in range(NUM_CONTEXTS)]
    stop = [False] * NUM_CONTEXTS                # each written in its own context only
    handed = [sync.Atomic(0, name=f"handed[{i}]") for i in range(NUM_CONTEXTS)]
    resumed = [0] * NUM_CONTEXTS
    finished = [0] * NUM_CONTEXTS
    ident = sync.ThreadLocal(name="id")

    def schedule_next(n: int, wake: bool = False) -> bool:
        co = to_schedule[n].xchg(None)
        if co is None:
            return False
        handed[n].fetch_add(1)
        if wake:
            aio_co_wake(co)                      # last ran in ctxs[n]: scheduled there
        else:
            aio_co_schedule(ctxs[n], co)
        return True

    async def entry(i: int) -> None:
        ident.set(i)
        rng = random.Random(i)
        assert to_schedule[i].load() is None
        while not stop[i]:
            schedule_next(rng.randrange(NUM_CONTEXTS), wake=rng.random() < 0.5)
            to_schedule[i].store(qemu_coroutine_self())
            sync.smp_mb()
            await qemu_coroutine_yield()         # finish_cb may run before this
            resumed[i] += 1
            assert to_schedule[i].load() is None
            assert qemu_get_current_aio_context() is ctxs[i]
        finished[i] += 1

    for i, ctx in enumerate(ctxs):
        aio_co_schedule(ctx, qemu_coroutine_create(entry, i, name=f"co{i}"))
    rng = random.Random(99)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        schedule_next(rng.randrange(NUM_CONTEXTS), wake=rng.random() < 0.5)
        time.sleep(0.0002)

    def finish_cb(i: int) -> None:
        assert ident.get() == i
        stop[i] = True
        schedule_next(i)

    for i, ctx in enumerate(ctxs):
        aio_wait_bh_oneshot(ctx, finish_cb, i)   # the main loop waits for each one
        assert to_schedule[i].load() is None
    for ctx in ctxs:                             # hand-offs begun before a finish_cb
        aio_wait_bh_oneshot(ctx, lambda _: None)
    for t in threads:
        t.join()
    assert finished == [1] * NUM_CONTEXTS
    assert resumed == [handed[i].load() for i in range(NUM_CONTEXTS)]
    assert sum(resumed) > 100, resumed


def test_many_coroutines_hop_and_are_woken_across_contexts_each_completes_once(
        main: AioContext) -> None:
    """Cross-context stress: 200 coroutines, started from the main loop, each make 12
    moves between 4 IOThreads and the main loop.  Even moves are aio_co_reschedule_self
    to a random context; odd moves park the coroutine on a shared stack and yield, and
    two waker threads (no context of their own) pop parked coroutines and aio_co_wake
    them, which must resume each in the context it last ran in.  Every move resumes its
    coroutine exactly once, in the right context, and every coroutine finishes once."""
    ncos, moves = 200, 12
    threads = [IOThread(f"stress{i}") for i in range(4)]
    ctxs = [main] + [t.iothread_get_aio_context() for t in threads]
    parked: list[Any] = []                       # under parked_lock
    parked_lock = threading.Lock()
    resumed = [0] * ncos                         # each written by its coroutine only
    finished = sync.Atomic(0, name="finished")
    misplaced: list[tuple[int, str, str]] = []
    wakers_stop = threading.Event()

    async def mover(i: int) -> None:
        rng = random.Random(i)
        for move in range(moves):
            if move % 2 == 0:
                target = rng.choice(ctxs)
                await aio_co_reschedule_self(target)
            else:
                target = qemu_get_current_aio_context()
                with parked_lock:
                    parked.append(qemu_coroutine_self())
                await qemu_coroutine_yield()     # a waker may pop us before this
            resumed[i] += 1
            here = qemu_get_current_aio_context()
            if here is not target:
                misplaced.append((i, target.name, here.name if here else "-"))
        finished.fetch_add(1)
        aio_wait_kick()

    def waker() -> None:
        while not wakers_stop.is_set():
            with parked_lock:
                co = parked.pop() if parked else None
            if co is None:
                time.sleep(0.0001)
            else:
                aio_co_wake(co)

    wakers = [threading.Thread(target=waker, name=f"waker{i}") for i in range(2)]
    for w in wakers:
        w.start()
    try:
        for i in range(ncos):
            aio_co_enter(main, qemu_coroutine_create(mover, i, name=f"mover{i}"))
        assert AIO_WAIT_WHILE(main, lambda: finished.load() < ncos)
    finally:
        wakers_stop.set()
        for w in wakers:
            w.join()
        for t in threads:
            t.join()
    assert misplaced == []
    assert resumed == [moves] * ncos
    assert finished.load() == ncos and parked == []


# --------------------------------------------------------------------- co-schedule-ctx-uaf


def _co_schedule_race(bugs: set[str]) -> list[BaseException]:
    """Y pushes a coroutine into an IOThread's context and is held right there; the
    IOThread runs it (another schedule's BH takes the whole list), the IOThread is
    joined and the context unreferenced; then Y goes on to schedule the BH."""
    iothread = IOThread("co_schedule_ctx", bugs=bugs)
    ctx = iothread.iothread_get_aio_context()
    pushed, destroyed = threading.Event(), threading.Event()
    ran = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []

    def hold_after_push() -> None:
        pushed.set()
        assert destroyed.wait(WAIT)

    hooked(ctx, "scheduled_coroutines").arm("aio_co_schedule.push", hold_after_push,
                                            after=True)

    def coroutine(i: int) -> Any:
        async def run(_: Any) -> None:
            ran[i].set()
        return qemu_coroutine_create(run, name=f"co{i}")

    def y() -> None:
        try:
            aio_co_schedule(ctx, coroutine(1))
        except BaseException as exc:
            errors.append(exc)

    thread_y = sync.Thread(y, name="Y")
    thread_y.start()
    assert pushed.wait(WAIT)
    aio_co_schedule(ctx, coroutine(0))          # its BH enters both coroutines
    assert ran[0].wait(WAIT) and ran[1].wait(WAIT)
    iothread.join()                             # buggy: the last reference, finalized
    destroyed.set()
    thread_y.join()
    return errors


def test_co_schedule_ctx_uaf_fixed_holds_a_reference() -> None:
    assert _co_schedule_race(set()) == []


def test_co_schedule_ctx_uaf_buggy_schedules_a_freed_bh() -> None:
    errors = _co_schedule_race({"co-schedule-ctx-uaf"})
    assert len(errors) == 1 and isinstance(errors[0], UseAfterFree), errors
    assert "co_schedule_bh" in str(errors[0])
