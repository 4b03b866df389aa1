"""Test scaffolding for the coroutine, thread-pool, AIO_WAIT and graph-lock tests: a
fresh main loop per test (QEMU's test binaries each start one), process-wide bug
switches that are always switched off again, running coroutines in a given context,
and a stop-the-world pause for checking invariants while IOThreads are at rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from aioctx.impl import (
    AioContext,
    IOThread,
    QemuAssertionError,
    aio_wait_bh_oneshot,
    check_graph_lock_invariants,
    qemu_coroutine_create,
    qemu_get_current_aio_context,
    qemu_set_current_aio_context,
)
from aioctx.impl.aio_coroutine import aio_co_schedule
from aioctx.impl.bugs import set_global_bugs
from aioctx.impl.home_thread import main_loop_globals

WAIT = 10.0         # seconds a test waits for something that must happen


@contextmanager
def main_loop(bugs: Any = ()) -> Iterator[AioContext]:
    """A new ``qemu_aio_context``, current for the calling thread, for one test; the
    process's own main context (if any) comes back afterwards."""
    state = main_loop_globals()
    saved_main = state.qemu_aio_context
    saved_current = qemu_get_current_aio_context()
    ctx = AioContext(bugs, name="qemu_aio_context")
    state.qemu_aio_context = ctx
    qemu_set_current_aio_context(None)
    qemu_set_current_aio_context(ctx)
    try:
        ctx.aio_bh_schedule_oneshot(lambda _: None, name="settle")
        ctx.aio_poll(True)                  # start settled: consume the creation's notify
        yield ctx
        while ctx.aio_poll(False):          # leftover oneshots (aio_wait_kick's dummies)
            pass
    finally:
        qemu_set_current_aio_context(None)
        if saved_current is not None and saved_current is not saved_main:
            qemu_set_current_aio_context(saved_current)
        state.qemu_aio_context = saved_main
        ctx.aio_context_unref()


@contextmanager
def global_bugs(*slugs: str) -> Iterator[None]:
    """Switch process-wide bugs on for the block, and off again whatever happens."""
    set_global_bugs(slugs)
    try:
        yield
    finally:
        set_global_bugs(())


@contextmanager
def clean_graph_lock() -> Iterator[None]:
    """The graph lock must be idle and consistent before and after the block."""
    snap = check_graph_lock_invariants()
    assert snap.total == 0 and snap.has_writer == 0 and not snap.holders, snap
    yield
    snap = check_graph_lock_invariants()
    assert snap.total == 0 and snap.has_writer == 0 and not snap.holders, snap


def start_co(ctx: AioContext, fn: Callable[[], Coroutine[Any, Any, Any]],
             name: str | None = None) -> threading.Event:
    """Schedule ``await fn()`` as a new coroutine in ``ctx``; the event is set when
    it returns."""
    done = threading.Event()

    async def body(_opaque: Any) -> None:
        await fn()
        done.set()

    aio_co_schedule(ctx, qemu_coroutine_create(body, None, name or fn.__name__))
    return done


@contextmanager
def stop_the_world(iothreads: list[IOThread]) -> Iterator[None]:
    """Park every IOThread in a BH (so none is half-way through a step) for the block."""
    release = threading.Event()
    arrived = threading.Semaphore(0)

    def park(_opaque: Any) -> None:
        arrived.release()
        release.wait()

    for t in iothreads:
        t.iothread_get_aio_context().aio_bh_schedule_oneshot(park, name="park")
    try:
        for _ in iothreads:
            assert arrived.acquire(timeout=WAIT), "an IOThread did not park"
        yield
    finally:
        release.set()


class Rescue:
    """Unless ``done()`` is called within ``seconds``, run ``rescue()`` (which must
    unblock the thread under test) and remember that it was needed: a scenario that
    would hang forever reports "hung" instead."""

    def __init__(self, seconds: float, rescue: Callable[[], None]) -> None:
        self._finished = threading.Event()
        self._rescue = rescue
        self.needed = False
        self._thread = threading.Thread(target=self._run, args=(seconds,), name="rescue",
                                        daemon=True)
        self._thread.start()

    def _run(self, seconds: float) -> None:
        if not self._finished.wait(seconds):
            self.needed = True
            self._rescue()

    def done(self) -> bool:
        """Stop the timer; True if the rescue had to run."""
        self._finished.set()
        self._thread.join()
        return self.needed


def wait_until(pred: Callable[[], Any], what: str) -> None:
    """Spin (with short sleeps) until ``pred()`` holds; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not pred():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


def poll_until(ctx: AioContext, pred: Callable[[], Any], what: str) -> None:
    """Keep ``ctx``'s loop (the caller's own) turning until ``pred()`` holds, for work
    that other threads finish without waking this one."""
    deadline = time.monotonic() + WAIT
    while not pred():
        assert time.monotonic() < deadline, what
        ctx.aio_poll(False)
        time.sleep(0.0005)


def assertions_in_an_iothread(calls: list[Callable[[], Any]]) -> list[str]:
    """Run each call in a fresh IOThread (from the main loop, which waits) and return
    the QemuAssertionError messages they raised, in order."""
    t = IOThread("not_main")
    errors: list[str] = []

    def run_all(_: Any) -> None:
        for call in calls:
            try:
                call()
            except QemuAssertionError as exc:
                errors.append(str(exc))

    aio_wait_bh_oneshot(t.iothread_get_aio_context(), run_all)
    t.join()
    return errors
