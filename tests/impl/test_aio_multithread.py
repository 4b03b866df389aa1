"""test-aio-multithread.c's cross-thread cases (the coroutine ones belong to the
coroutine layer): IOThread life cycle, running code in another context's thread, and
cross-thread BH scheduling between several IOThreads."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from aioctx.impl import (
    AioContext,
    in_aio_context_home_thread,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_get_current_aio_context,
    sync,
)
from impl_helpers import WAIT, IOThread, ctx_run

NUM_CONTEXTS = 5

_thread_id = sync.ThreadLocal(name="test_thread_id")


def test_lifecycle() -> None:
    """/aio/multi/lifecycle: five IOThreads record their id via ctx_run, then stop."""
    threads = [IOThread(f"iothread{i}") for i in range(NUM_CONTEXTS)]
    for i, t in enumerate(threads):
        ctx_run(t.ctx, lambda i=i: _thread_id.set(i))
    for i, t in enumerate(threads):
        assert ctx_run(t.ctx, _thread_id.get) == i
        assert ctx_run(t.ctx, qemu_get_current_aio_context) is t.ctx
        assert ctx_run(t.ctx, lambda t=t: in_aio_context_home_thread(t.ctx)) is True
        assert in_aio_context_home_thread(t.ctx) is False
    for t in threads:
        t.join()


def test_cross_thread_bh_scheduling_between_iothreads() -> None:
    """The BH analogue of /aio/multi/schedule: every IOThread keeps scheduling oneshots
    and a shared BH into random contexts; each oneshot runs exactly once, in its
    target's thread, and nothing hangs."""
    threads = [IOThread(f"iothread{i}") for i in range(NUM_CONTEXTS)]
    ctxs = [t.ctx for t in threads]
    runs = [[0] * NUM_CONTEXTS for _ in range(NUM_CONTEXTS)]  # [sender][target]: home only
    sent = [[0] * NUM_CONTEXTS for _ in range(NUM_CONTEXTS)]
    wrong_thread: list[str] = []
    stop_at = time.monotonic() + 0.4
    shared_calls = [0] * NUM_CONTEXTS
    shared = [ctx.aio_bh_new(lambda i: shared_calls.__setitem__(i, shared_calls[i] + 1), i)
              for i, ctx in enumerate(ctxs)]
    finished = threading.Barrier(NUM_CONTEXTS + 1)

    def on_target(pair: tuple[int, int]) -> None:
        sender, target = pair
        if qemu_get_current_aio_context() is not ctxs[target]:
            wrong_thread.append(f"{sender}->{target}")
        runs[sender][target] += 1

    def sender_loop(me: int) -> None:
        rng = random.Random(me)
        if time.monotonic() < stop_at:
            for _ in range(20):
                target = rng.randrange(NUM_CONTEXTS)
                sent[me][target] += 1
                ctxs[target].aio_bh_schedule_oneshot(on_target, (me, target))
                qemu_bh_schedule(shared[rng.randrange(NUM_CONTEXTS)])
            ctxs[me].aio_bh_schedule_oneshot(sender_loop, me)   # keep going, yield first
        else:
            threading.Thread(target=finished.wait, daemon=True).start()

    for i, ctx in enumerate(ctxs):
        ctx.aio_bh_schedule_oneshot(sender_loop, i)
    finished.wait(WAIT)
    for _round in range(2):    # the first flush BH may run ahead of its slice (LIFO);
        for ctx in ctxs:       # the second one runs after that slice has drained
            ctx_run(ctx, lambda: None)
    for i, ctx in enumerate(ctxs):
        ctx_run(ctx, lambda i=i: qemu_bh_delete(shared[i]))
    for t in threads:
        t.join()
    assert wrong_thread == []
    assert runs == sent
    assert sum(map(sum, sent)) > 0 and sum(shared_calls) > 0


def test_blocking_poll_is_woken_by_another_thread(ctx: AioContext) -> None:
    """A home thread asleep in aio_poll(true) wakes for a BH scheduled elsewhere; the
    wake-up costs one EventNotifier write."""
    ran: list[Any] = []
    bh = ctx.aio_bh_new(ran.append, "x")

    def later() -> None:
        time.sleep(0.05)
        qemu_bh_schedule(bh)

    assert ctx.aio_poll(False) is False        # consume the registration's aio_notify
    t = threading.Thread(target=later, daemon=True)
    t.start()
    writes_before = ctx.stats.notifier_writes.value
    assert ctx.aio_poll(True) is True
    t.join()
    assert ran == ["x"]
    assert ctx.stats.notifier_writes.value - writes_before == 1
    qemu_bh_delete(bh)


def test_a_wake_up_by_aio_notify_alone_is_not_progress(ctx: AioContext) -> None:
    """Another thread's aio_notify wakes a sleeping aio_poll(true) through the
    EventNotifier; draining it is not progress, so the call returns False."""
    assert ctx.aio_poll(False) is False

    def later() -> None:
        time.sleep(0.05)
        ctx.aio_notify()

    t = threading.Thread(target=later, daemon=True)
    t.start()
    writes_before = ctx.stats.notifier_writes.value
    t0 = time.monotonic()
    assert ctx.aio_poll(True) is False
    assert time.monotonic() - t0 >= 0.03                 # it really slept
    t.join()
    assert ctx.stats.notifier_writes.value - writes_before == 1


def test_busy_polling_sees_aio_notify_without_an_eventfd_write(ctx: AioContext) -> None:
    """QEMU 10.0: while the home thread busy-polls, notify_me stays 0 and aio_notify is
    seen through the notifier's io_poll (``notified``): no EventNotifier write, and the
    wake-up is not progress."""
    ctx.aio_context_set_poll_params(10**10, 2, 2)
    assert ctx.aio_poll(False) is False
    threading.Thread(target=lambda: (time.sleep(0.05), ctx.aio_notify()), daemon=True).start()
    assert ctx.aio_poll(True) is False                   # the notifier fires once ...
    notifier_node = next(n for n in ctx.aio_handlers.load() if n.opaque.load() is ctx.notifier)
    assert notifier_node.polling                         # ... and joins busy-polling
    notifier_node.poll_ns = 10**10                       # spin up to 10 s for this test
    writes_before = ctx.stats.notifier_writes.value
    threading.Thread(target=lambda: (time.sleep(0.05), ctx.aio_notify()), daemon=True).start()
    t0 = time.monotonic()
    assert ctx.aio_poll(True) is False
    assert 0.03 <= time.monotonic() - t0 < 5            # spun until the notify, no longer
    assert ctx.stats.notifier_writes.value == writes_before
