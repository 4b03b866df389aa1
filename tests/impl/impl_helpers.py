"""Shared test devices for tests/impl: QEMU's test helpers in Python form, plus hooks
that open a race window at one labelled step, so a real-thread scenario can be
interleaved on purpose."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aioctx.impl import (
    AioContext,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_set_current_aio_context,
    sync,
)

WAIT = 5.0          # seconds a test waits for something that must happen


class BHTestData:
    """test-aio's BHTestData: counts calls and re-schedules itself up to ``max``."""

    def __init__(self, ctx: AioContext, max_runs: int = 0, delete_at_max: bool = False):
        self.n = 0
        self.max = max_runs
        self.delete_at_max = delete_at_max
        self.bh = ctx.aio_bh_new(self.cb, None, name="bh_test_cb")

    def cb(self, _opaque: Any) -> None:
        self.n += 1
        if self.n < self.max:
            qemu_bh_schedule(self.bh)
        elif self.delete_at_max and self.bh is not None:
            qemu_bh_delete(self.bh)
            self.bh = None


class EventNotifierTestData:
    """test-aio's EventNotifierTestData: counts reads, re-arms while ``active``."""

    def __init__(self, active: int = 0, auto_set: bool = False) -> None:
        self.e = sync.EventNotifier(name="test_notifier")
        self.n = 0
        self.active = active
        self.auto_set = auto_set

    def cb(self, e: sync.EventNotifier) -> None:
        assert e.test_and_clear()
        self.n += 1
        if self.active > 0:
            self.active -= 1
        if self.auto_set and self.active:
            e.set()


def set_event_notifier(ctx: AioContext, data: EventNotifierTestData,
                       cb: Callable[[Any], None] | None) -> None:
    """Register with io_read only: no io_poll, so aio_poll really calls ppoll."""
    ctx.aio_set_event_notifier(data.e, cb)


def wait_until_inactive(ctx: AioContext, data: EventNotifierTestData) -> None:
    while data.active > 0:
        ctx.aio_poll(True)


class IOThread:
    """tests/unit/iothread.c: a thread that owns a context and polls it until stopped."""

    def __init__(self, name: str = "iothread", **ctx_args: Any) -> None:
        self.name = name
        self._ctx_args = ctx_args
        self.stopping = False               # written and read by the home thread only
        self._ready = threading.Event()
        self.ctx: AioContext
        self.error: BaseException | None = None
        self.thread = sync.Thread(self._run, name=name)
        self.thread.start()
        assert self._ready.wait(WAIT)

    def _run(self) -> None:
        self.ctx = AioContext(name=self.name, **self._ctx_args)
        qemu_set_current_aio_context(self.ctx)
        self._ready.set()
        try:
            while not self.stopping:
                self.ctx.aio_poll(True)
        except BaseException as exc:        # reported by join()
            self.error = exc

    def _stop(self, _opaque: Any) -> None:
        self.stopping = True

    def join(self) -> None:
        self.ctx.aio_bh_schedule_oneshot(self._stop, name="iothread_stop")
        self.thread._thread.join(WAIT)
        assert not self.thread.is_alive(), f"{self.name} did not stop"
        self.ctx.aio_context_unref()
        if self.error is not None:
            raise self.error


def ctx_run(ctx: AioContext, fn: Callable[[], Any]) -> Any:
    """test-aio-multithread's ctx_run: run ``fn`` in ``ctx``'s thread and wait for it."""
    done = threading.Event()
    result: list[Any] = []

    def cb(_opaque: Any) -> None:
        result.append(fn())
        done.set()

    ctx.aio_bh_schedule_oneshot(cb, name="ctx_run_bh_cb")
    assert done.wait(WAIT), "ctx_run: the callback never ran"
    return result[0]


def run_in_thread(fn: Callable[[], Any], name: str = "helper") -> threading.Thread:
    t = threading.Thread(target=fn, name=name, daemon=True)
    t.start()
    return t


# --------------------------------------------------------------------------- race windows


class HookedAtomic(sync.Atomic):
    """An atomic that runs ``hook()`` just before (or after) the operation that carries
    ``label``, once, when armed: a hand-made preemption point for real threads."""

    __slots__ = ("hook_label", "hook", "hook_after")

    def __init__(self, value: Any = 0, name: str | None = None) -> None:
        super().__init__(value, name)
        self.hook_label: str | None = None
        self.hook: Callable[[], None] | None = None
        self.hook_after = False

    def arm(self, label: str, hook: Callable[[], None], after: bool = False) -> None:
        self.hook_label, self.hook, self.hook_after = label, hook, after

    def _fire(self, label: str | None, after: bool) -> None:
        if label == self.hook_label and after == self.hook_after and self.hook:
            hook, self.hook = self.hook, None
            hook()

    def load(self, order: str = sync.RELAXED, label: str | None = None) -> Any:
        self._fire(label, False)
        value = super().load(order, label)
        self._fire(label, True)
        return value

    def store(self, value: Any, order: str = sync.RELAXED, label: str | None = None) -> None:
        self._fire(label, False)
        super().store(value, order, label)
        self._fire(label, True)

    def cmpxchg(self, expected: Any, new: Any, order: str = sync.SEQ_CST,
                label: str | None = None) -> Any:
        self._fire(label, False)
        value = super().cmpxchg(expected, new, order, label)
        self._fire(label, True)
        return value


def hooked(ctx: AioContext, field: str) -> HookedAtomic:
    """Replace the atomic ``ctx.<field>`` by a HookedAtomic holding the same value."""
    old = getattr(ctx, field)
    new = HookedAtomic(old.load(), name=old.name)
    setattr(ctx, field, new)
    return new


class GatedPoller(sync.Poller):
    """A poller whose next poll, once armed, first waits for the test to open the gate:
    it holds a thread between computing its timeout and entering ppoll."""

    __slots__ = ("armed", "at_gate", "gate")

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self.armed = False
        self.at_gate = threading.Event()
        self.gate = threading.Event()

    def poll(self, fds: Any, timeout_ns: int, label: str | None = None) -> list[int]:
        if self.armed:
            self.armed = False
            self.at_gate.set()
            assert self.gate.wait(WAIT)
        return super().poll(fds, timeout_ns, label)


@contextmanager
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    try:
        yield r, w
    finally:
        os.close(r)
        os.close(w)


class FreshProcess:
    """A sync backend that substitutes nothing but gives the calling thread its own
    globals and thread-locals, as if it were a new process (used for the main loop,
    whose globals exist once per process)."""

    classes: dict[type, type] = {}

    def __init__(self) -> None:
        self.locals: dict[Any, Any] = {}
        self.globals: dict[str, Any] = {}

    def fence(self, kind: str, label: str | None) -> None:
        """Real memory is sequentially consistent here."""

    def cpu_relax(self, label: str | None) -> None:
        """Nothing to yield to in a single-threaded test."""

    def thread_locals(self) -> dict[Any, Any]:
        return self.locals

    def global_state(self) -> dict[str, Any]:
        return self.globals


@contextmanager
def fresh_process() -> Iterator[FreshProcess]:
    backend = FreshProcess()
    with sync.using_backend(backend):
        yield backend


class RecordingAtomic(sync.Atomic):
    """An atomic that logs every operation (kind, memory order, label) it performs."""

    __slots__ = ()
    log: list[tuple[str, str, str | None]] = []

    def load(self, order: str = sync.RELAXED, label: str | None = None) -> Any:
        self.log.append(("load", order, label))
        return super().load(order, label)

    def store(self, value: Any, order: str = sync.RELAXED, label: str | None = None) -> None:
        self.log.append(("store", order, label))
        super().store(value, order, label)

    def store_bits(self, mask: int, bits: int, order: str = sync.RELAXED,
                   label: str | None = None) -> None:
        self.log.append(("store_bits", order, label))
        super().store_bits(mask, bits, order, label)

    def xchg(self, value: Any, order: str = sync.SEQ_CST, label: str | None = None) -> Any:
        self.log.append(("xchg", order, label))
        return super().xchg(value, order, label)

    def cmpxchg(self, expected: Any, new: Any, order: str = sync.SEQ_CST,
                label: str | None = None) -> Any:
        self.log.append(("cmpxchg", order, label))
        return super().cmpxchg(expected, new, order, label)

    def fetch_add(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        self.log.append(("fetch_add", order, label))
        return super().fetch_add(n, order, label)

    def fetch_sub(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        self.log.append(("fetch_sub", order, label))
        return super().fetch_sub(n, order, label)

    def fetch_or(self, mask: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        self.log.append(("fetch_or", order, label))
        return super().fetch_or(mask, order, label)

    def fetch_and(self, mask: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        self.log.append(("fetch_and", order, label))
        return super().fetch_and(mask, order, label)


class Recorder(FreshProcess):
    """A backend that builds RecordingAtomics and logs fences into the same log, so a
    test can read the exact sequence of memory operations a piece of impl performs."""

    classes = {sync.Atomic: RecordingAtomic}

    def __init__(self) -> None:
        super().__init__()
        RecordingAtomic.log = self.log = []

    def fence(self, kind: str, label: str | None) -> None:
        self.log.append(("fence", kind, label))

    def ops(self, prefix: str) -> list[tuple[str, str, str | None]]:
        """The logged operations whose label starts with ``prefix``."""
        return [op for op in self.log if op[2] is not None and op[2].startswith(prefix)]


@contextmanager
def recording() -> Iterator[Recorder]:
    backend = Recorder()
    with sync.using_backend(backend):
        yield backend
