"""Cross-thread wake-up throughput: aioctx's qemu_bh_schedule + aio_poll against
asyncio's call_soon_threadsafe + a running loop.

Same producers, same work for every contender: P producer threads each hand N callbacks
to one event-loop thread as fast as they can; every callback increments a counter in
the loop thread and runs exactly once.  Contenders, interleaved round by round in one
process (medians are compared):

* ``aioctx work list``: the way QEMU hands work across threads (aio_co_schedule, the
  thread pool's completion BH): push the item onto a lock-free list, then
  ``qemu_bh_schedule`` one BH that drains the list in the loop thread;
* ``aioctx oneshot``: ``aio_bh_schedule_oneshot``, a fresh BH per callback;
* ``asyncio``: ``loop.call_soon_threadsafe`` into ``loop.run_forever``.

For aioctx the run counts EventNotifier writes per callback; the notify_me/notified
protocol writes only when the loop thread may be asleep.  asyncio writes its self-pipe
on every call_soon_threadsafe.

    python benchmarks/bench_wakeup.py [--producers 4] [--callbacks 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from aioctx.impl import (
    AioContext,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_set_current_aio_context,
    sync,
)

WAIT = 30.0
Submit = Callable[[Callable[[Any], None]], None]


class Round:
    """One measured round: producers start together; the clock stops at the last callback."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0                       # loop thread only
        self.done = threading.Event()

    def callback(self, _opaque: Any = None) -> None:
        self.count += 1
        if self.count == self.total:
            self.done.set()


def _drive(producers: int, per_producer: int, submit: Submit, rnd: Round) -> float:
    start = threading.Barrier(producers + 1)

    def produce() -> None:
        start.wait()
        cb = rnd.callback
        for _ in range(per_producer):
            submit(cb)

    threads = [threading.Thread(target=produce, daemon=True) for _ in range(producers)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    if not rnd.done.wait(WAIT):
        raise RuntimeError(f"only {rnd.count} of {rnd.total} callbacks ran")
    elapsed = time.perf_counter() - t0
    for t in threads:
        t.join()
    return elapsed


class _Item:
    """A work-list node; compared by identity, as the C pointers are."""

    __slots__ = ("cb", "next")

    def __init__(self, cb: Callable[[Any], None], next_item: _Item | None) -> None:
        self.cb = cb
        self.next = next_item


class WorkList:
    """A lock-free LIFO of callbacks drained by one BH (QEMU's scheduled_coroutines
    pattern): producers push, then schedule the BH; the BH takes the whole list."""

    def __init__(self, ctx: AioContext) -> None:
        self.head = sync.Atomic(None, name="work_list")
        self.bh = ctx.aio_bh_new(self._drain, name="work_list_bh")

    def submit(self, cb: Callable[[Any], None]) -> None:
        head = self.head
        while True:
            old = head.load(label="work_list.load")
            if head.cmpxchg(old, _Item(cb, old), label="work_list.push") is old:
                break
        qemu_bh_schedule(self.bh)

    def _drain(self, _opaque: Any) -> None:
        node = self.head.xchg(None, label="work_list.take")
        items = []
        while node is not None:
            items.append(node.cb)
            node = node.next
        for cb in reversed(items):               # FIFO, as aio_co_schedule reverses
            cb(None)


def run_aioctx(producers: int, per_producer: int, work_list: bool) -> tuple[float, int]:
    """(seconds, EventNotifier writes) for one round on a fresh AioContext."""
    ready = threading.Event()
    box: dict[str, Any] = {"stop": False}

    def loop() -> None:
        ctx = AioContext(name="bench")
        qemu_set_current_aio_context(ctx)
        box["ctx"] = ctx
        ready.set()
        while not box["stop"]:
            ctx.aio_poll(True)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    ready.wait()
    ctx: AioContext = box["ctx"]
    submit: Submit = ctx.aio_bh_schedule_oneshot
    if work_list:
        wl = WorkList(ctx)
        submit = wl.submit
    writes_before = ctx.stats.notifier_writes.value
    rnd = Round(producers * per_producer)
    elapsed = _drive(producers, per_producer, submit, rnd)
    writes = ctx.stats.notifier_writes.value - writes_before
    if work_list:
        qemu_bh_delete(wl.bh)
    ctx.aio_bh_schedule_oneshot(lambda _: box.__setitem__("stop", True))
    thread.join(WAIT)
    ctx.aio_context_unref()
    return elapsed, writes


def run_asyncio(producers: int, per_producer: int) -> float:
    """Seconds for one round on a fresh asyncio loop running in its own thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    rnd = Round(producers * per_producer)
    elapsed = _drive(producers, per_producer, loop.call_soon_threadsafe, rnd)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(WAIT)
    loop.close()
    return elapsed


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:           # type: ignore[override]
        print(f"bench_wakeup: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(description="Cross-thread wake-up throughput: aioctx vs asyncio.")
    parser.add_argument("--producers", type=_positive, default=4)
    parser.add_argument("--callbacks", type=_positive, default=20_000,
                        help="callbacks per producer (default 20000)")
    parser.add_argument("--rounds", type=_positive, default=5)
    args = parser.parse_args(argv)
    p, n = args.producers, args.callbacks
    total = p * n
    times: dict[str, list[float]] = {"work list": [], "oneshot": [], "asyncio": []}
    writes: dict[str, list[int]] = {"work list": [], "oneshot": []}
    run_aioctx(p, min(n, 1000), work_list=True)            # warm up
    run_aioctx(p, min(n, 1000), work_list=False)
    run_asyncio(p, min(n, 1000))
    for r in range(args.rounds):
        order = ["work list", "oneshot", "asyncio"]
        for name in order[r % 3:] + order[:r % 3]:         # rotate who goes first
            if name == "asyncio":
                times[name].append(run_asyncio(p, n))
            else:
                seconds, w = run_aioctx(p, n, work_list=name == "work list")
                times[name].append(seconds)
                writes[name].append(w)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{p} producers x {n} callbacks, {args.rounds} rounds (medians), "
          f"Python {sys.version.split()[0]}")
    rows = [("work list", "aioctx work list + qemu_bh_schedule"),
            ("oneshot", "aioctx aio_bh_schedule_oneshot"),
            ("asyncio", "asyncio call_soon_threadsafe")]
    for key, label in rows:
        line = f"  {label:<37}: {total / med[key]:>9,.0f} callbacks/s ({med[key]:.3f} s)"
        if key in writes:
            per_cb = statistics.median(writes[key]) / total
            line += f", EventNotifier writes/callback {per_cb:.4f}"
        else:
            line += ", self-pipe writes/callback 1 (one per call)"
        print(line)
    for key in ("work list", "oneshot"):
        ratio = med["asyncio"] / med[key]
        per_cb = statistics.median(writes[key]) / total
        print(f"  ratio {key} / asyncio: {ratio:.2f} (throughput; target >= 1: "
              f"{'met' if ratio >= 1 else 'NOT met'}), writes/callback {per_cb:.4f} "
              f"(target < 0.1: {'met' if per_cb < 0.1 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
