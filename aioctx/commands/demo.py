"""``aioctx demo``: run the real, threaded AioContext under load and print what it did.

    aioctx demo [--seconds S] [--producers P]

A home thread runs ``aio_poll(true)``; P producer threads schedule oneshot BHs and
re-schedule a BH of their own as fast as they can, while a timer ticks every
millisecond and a pipe handler reads what a producer writes.  Then, with the loop
idle, the main thread wakes it 200 times.  The demo checks that every scheduled
callback ran exactly once and that no re-schedule was lost, and reports throughput,
EventNotifier writes per scheduled callback (low while the loop is busy, one per
wake-up when it sleeps), poll and wait counts, and wake-up latency.

Exit status (as for every command): 0 every callback ran exactly once, 1 one was lost
or ran twice, or the loop stopped answering (a lost wake-up), 2 bad input, 4 an
internal error (a bug in aioctx: one line, the traceback with --debug).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from typing import Any

from ..budgets import count_option, seconds_option
from ..errors import EXIT_CLEAN, EXIT_FOUND
from . import add_command

IDLE_WAKEUPS = 200
WAIT = 30.0


class LoopStalled(Exception):
    """The loop did not answer within ``WAIT`` seconds: a lost wake-up, a finding."""


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "demo", __doc__,
                    "run the real AioContext under load and print what it measured")
    p.add_argument("--seconds", type=seconds_option(0.1, 60, low_included=True), default=3.0,
                   metavar="S", help="how long to keep the loop busy (0.1 to 60, default 3)")
    p.add_argument("--producers", type=count_option(1, 32), default=4, metavar="P",
                   help="producer threads (1 to 32, default 4)")
    p.set_defaults(run=run)


class LoadedLoop:
    """The home thread and its context, plus the counters its callbacks keep."""

    def __init__(self) -> None:
        from aioctx import impl

        self.impl = impl
        self.ready = threading.Event()
        self.stop = False
        self.ctx: Any = None
        self.oneshots_ran = 0          # the counters below: home thread only
        self.timer_ticks = 0
        self.pipe_reads = 0
        self.thread = threading.Thread(target=self._run, name="home", daemon=True)
        self.thread.start()
        if not self.ready.wait(WAIT):
            raise LoopStalled("the home thread did not start")

    def _run(self) -> None:
        impl = self.impl
        self.ctx = impl.AioContext(name="demo")
        impl.qemu_set_current_aio_context(self.ctx)
        self.ready.set()
        while not self.stop:
            self.ctx.aio_poll(True)

    def oneshot_cb(self, _opaque: Any) -> None:
        self.oneshots_ran += 1

    def run_in_home(self, fn: Any) -> None:
        """Run ``fn`` in the home thread and wait for it (twice through the BH list, so
        everything scheduled before has run)."""
        for _ in range(2):
            done = threading.Event()

            def call(_: Any, done: threading.Event = done) -> None:
                fn()
                done.set()

            self.ctx.aio_bh_schedule_oneshot(call)
            if not done.wait(WAIT):
                raise LoopStalled("the home thread stopped responding")

    def finish(self) -> None:
        def set_stop(_: Any) -> None:
            self.stop = True

        self.ctx.aio_bh_schedule_oneshot(set_stop)
        self.thread.join(WAIT)
        self.ctx.aio_context_unref()


def _busy_phase(loop: LoadedLoop, seconds: float, producers: int) -> dict[str, Any]:
    impl, ctx = loop.impl, loop.ctx
    sync = impl.sync
    requested = [sync.Atomic(0, name=f"requested{p}") for p in range(producers)]
    seen = [0] * producers                      # home thread only
    own_bhs = [ctx.aio_bh_new(lambda p: seen.__setitem__(p, requested[p].load()), p,
                              name=f"producer{p}_bh") for p in range(producers)]
    sent = [0] * producers                      # each producer writes its own slot
    r, w = os.pipe()

    def on_pipe(_: Any) -> None:
        os.read(r, 4096)
        loop.pipe_reads += 1

    def tick(_: Any) -> None:
        loop.timer_ticks += 1
        impl.timer_mod_ns(timer, impl.qemu_clock_get_ns(impl.QEMU_CLOCK_REALTIME) + 1_000_000)

    ctx.aio_set_fd_handler(r, on_pipe)
    timer = ctx.aio_timer_new(impl.QEMU_CLOCK_REALTIME, impl.SCALE_NS, tick)
    loop.run_in_home(lambda: tick(None))
    before = ctx.stats.snapshot()
    start = threading.Barrier(producers + 1)
    deadline = [0.0]

    def produce(p: int) -> None:
        start.wait()
        cb, bh, n = loop.oneshot_cb, own_bhs[p], 0
        next_write = 0.0
        while True:
            for _ in range(64):
                ctx.aio_bh_schedule_oneshot(cb)
                n += 1
            requested[p].fetch_add(1)
            impl.qemu_bh_schedule(bh)
            now = time.monotonic()
            if p == 0 and now >= next_write:
                os.write(w, b"x")
                next_write = now + 0.01
            if now >= deadline[0]:
                break
        sent[p] = n

    threads = [threading.Thread(target=produce, args=(p,), daemon=True)
               for p in range(producers)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + WAIT)
    loop.run_in_home(lambda: impl.timer_del(timer))
    elapsed = time.perf_counter() - t0
    after = ctx.stats.snapshot()
    ctx.aio_set_fd_handler(r, None)
    os.close(r)
    os.close(w)
    schedules = sum(sent) + sum(a.load() for a in requested)
    result = {
        "elapsed": elapsed,
        "oneshots_sent": sum(sent),
        "oneshots_ran": loop.oneshots_ran,
        "reschedules": sum(a.load() for a in requested),
        "reschedules_lost": sum(seen[p] != requested[p].load() for p in range(producers)),
        "schedules": schedules,
        "delta": {k: after[k] - before[k] for k in after},
        "timer_ticks": loop.timer_ticks,
        "pipe_reads": loop.pipe_reads,
    }
    for bh in own_bhs:
        impl.qemu_bh_delete(bh)
    return result


def _idle_phase(loop: LoadedLoop) -> dict[str, Any]:
    ctx = loop.ctx
    woken = threading.Event()
    stamp = [0.0]

    def wake(_: Any) -> None:
        stamp[0] = time.perf_counter()
        woken.set()

    latencies = []
    writes_before = ctx.stats.notifier_writes.value
    for _ in range(IDLE_WAKEUPS):
        time.sleep(0.001)                       # let the home thread fall asleep
        woken.clear()
        t0 = time.perf_counter()
        ctx.aio_bh_schedule_oneshot(wake)
        if not woken.wait(WAIT):
            raise LoopStalled("the idle loop missed a wake-up")
        latencies.append(stamp[0] - t0)
    latencies.sort()
    return {"median_us": statistics.median(latencies) * 1e6,
            "p99_us": latencies[int(len(latencies) * 0.99) - 1] * 1e6,
            "writes_per_wakeup": (ctx.stats.notifier_writes.value - writes_before)
            / IDLE_WAKEUPS}


def run(args: argparse.Namespace) -> int:
    seconds, producers = args.seconds, args.producers
    try:
        loop = LoadedLoop()
        try:
            busy = _busy_phase(loop, seconds, producers)
            idle = _idle_phase(loop)
        finally:
            loop.finish()
    except LoopStalled as exc:
        print(f"aioctx demo: {exc} within {WAIT:g} s: a lost wake-up")
        return EXIT_FOUND
    d = busy["delta"]
    runs = busy["oneshots_ran"]
    ok = runs == busy["oneshots_sent"] and busy["reschedules_lost"] == 0
    print(f"aioctx demo: QEMU's AioContext on real threads, {busy['elapsed']:.1f} s under "
          f"load from {producers} producer threads (Python {sys.version.split()[0]})")
    print(f"  BH callbacks run (all)  : {d['bh_calls']:,} "
          f"({d['bh_calls'] / busy['elapsed']:,.0f}/s)")
    print(f"  oneshot BHs             : {busy['oneshots_sent']:,} scheduled, {runs:,} ran")
    print(f"  re-scheduled BHs        : {busy['reschedules']:,} schedules, "
          f"{busy['reschedules_lost']} lost")
    print(f"  EventNotifier writes    : {d['notifier_writes']:,} "
          f"({d['notifier_writes'] / max(busy['schedules'], 1):.4f} per scheduled callback)")
    print(f"  aio_poll calls          : {d['polls']:,} (ppoll {d['fd_waits']:,}, "
          f"of which blocking {d['blocking_waits']:,})")
    print(f"  timer ticks, pipe reads : {busy['timer_ticks']:,} (a 1 ms timer runs at most "
          f"once per aio_poll), {busy['pipe_reads']:,}")
    print(f"  idle loop, {IDLE_WAKEUPS} wake-ups  : median {idle['median_us']:.0f} us, "
          f"p99 {idle['p99_us']:.0f} us, {idle['writes_per_wakeup']:.2f} EventNotifier "
          f"writes per wake-up")
    print("  every callback ran exactly once: " + ("yes" if ok else "NO"))
    return EXIT_CLEAN if ok else EXIT_FOUND
