"""``threading.Thread``, thread identity, thread-locals and ``time``, simulated.

``Thread.start`` called by a controlled thread starts a new controlled thread of the
same execution running the thread's ``run`` (subclasses that override ``run`` work,
and so do ``threading.Timer`` and ``concurrent.futures.ThreadPoolExecutor``'s
workers); ``join`` waits for it in the scheduler, with its timeout in virtual time.
``current_thread``, ``get_ident`` and ``threading.local`` answer for the controlled
thread, not for the OS thread that carries it (on the fiber engine all of them share
one).  ``time.sleep`` blocks in virtual time, ``time.monotonic``/``perf_counter`` read
it; ``sleep(0)`` is a busy-wait step that gives way.  ``sim.substitution`` installs
these for the length of one execution; outside a controlled thread each falls back to
the real function.
"""

from __future__ import annotations

import concurrent.futures.thread as futures_thread
import functools
import itertools
import threading
import time
from typing import Any

from aioctx.impl import sync

from .devices import SLEEPING
from .execution import Execution, SimThread
from .primitives import bind
from .pysync import NS

REAL_START = threading.Thread.start
REAL_JOIN = threading.Thread.join
REAL_IS_ALIVE = threading.Thread.is_alive
REAL_RUN = threading.Thread.run
REAL_ADJUST_THREAD_COUNT = futures_thread.ThreadPoolExecutor._adjust_thread_count
REAL_CURRENT_THREAD = threading.current_thread
REAL_GET_IDENT = threading.get_ident
REAL_NEWNAME = threading._newname                   # type: ignore[attr-defined]
REAL_SLEEP = time.sleep
REAL_MONOTONIC = time.monotonic
REAL_MONOTONIC_NS = time.monotonic_ns
REAL_PERF_COUNTER = time.perf_counter
REAL_PERF_COUNTER_NS = time.perf_counter_ns
IDENT_BASE = 0x5100_0000            # controlled thread n has ident IDENT_BASE + n


def execution() -> Execution | None:
    """The execution the calling OS thread runs a controlled thread of, if any."""
    ex = sync.current_backend()
    return ex if isinstance(ex, Execution) else None


class ThreadHandle:
    """What the scheduler knows of a started ``threading.Thread``: the controlled thread
    that runs it (``join`` waits on this object; DPOR orders start and join by it)."""

    __slots__ = ("_ex", "display", "oid", "sim", "thread")

    def __init__(self, thread: threading.Thread) -> None:
        self._ex, self.display, self.oid = bind("Thread", thread.name)
        self.thread = thread
        self.sim: SimThread | None = None

    def ready(self, t: SimThread) -> bool:
        return (self.sim is not None and self.sim.finished) or t.timed_out


def _target_of(thread: threading.Thread) -> tuple[Any, tuple[Any, ...]]:
    """What the controlled thread runs: the ``target`` itself when ``run`` is not
    overridden (so traces point at the user's function), else ``run``."""
    if type(thread).run is REAL_RUN and getattr(thread, "_target", None) is not None:
        return functools.partial(thread._target, *thread._args,   # type: ignore[attr-defined]
                                 **thread._kwargs), ()            # type: ignore[attr-defined]
    return thread.run, ()


def _is_pool_worker(target: Any) -> bool:
    """A ``ThreadPoolExecutor`` worker: released at interpreter exit by
    concurrent.futures' own hook, so the execution need not wait for it."""
    func = getattr(target, "func", target)
    return getattr(func, "__module__", "") == "concurrent.futures.thread" \
        and getattr(func, "__name__", "") == "_worker"


def start(self: threading.Thread) -> None:
    ex = execution()
    if ex is None:
        return REAL_START(self)
    if getattr(self, "_aioctx_handle", None) is not None:
        raise RuntimeError("threads can only be started once")
    handle = ThreadHandle(self)
    ex.step("thread_start", handle, None)
    self._aioctx_handle = handle                              # type: ignore[attr-defined]
    target, args = _target_of(self)
    handle.sim = t = ex.spawn(target, args, self.name, handle)
    t.daemon = self.daemon or _is_pool_worker(target)
    self._ident = self._native_id = IDENT_BASE + t.tid        # type: ignore[attr-defined]
    started = self._started                                   # type: ignore[attr-defined]
    if hasattr(started, "_waiters"):
        started._flag = True                  # a simulated Event: set, not a step
    else:
        started.set()


def join(self: threading.Thread, timeout: float | None = None) -> None:
    handle = getattr(self, "_aioctx_handle", None)
    ex = execution()
    if ex is None or handle is None:
        return REAL_JOIN(self, timeout)
    if handle.sim is ex.current:
        raise RuntimeError("cannot join current thread")
    until = None if timeout is None else ex.clock_ns + max(0, int(timeout * NS))
    ex.step_wait("thread_join", handle, None, handle, until, False)
    return None


def is_alive(self: threading.Thread) -> bool:
    handle = getattr(self, "_aioctx_handle", None)
    if handle is None:
        return REAL_IS_ALIVE(self)
    return handle.sim is not None and not handle.sim.finished


class OrderedThreads(dict):
    """A set of threads that iterates in the order they were added (a set iterates
    by address, which differs from run to run).  ``ThreadPoolExecutor`` keeps its
    workers in one and joins them in that order on shutdown."""

    def add(self, thread: threading.Thread) -> None:
        self[thread] = None


def adjust_thread_count(self: Any) -> None:
    """``ThreadPoolExecutor._adjust_thread_count`` with its set of workers ordered."""
    if execution() is not None and not isinstance(self._threads, OrderedThreads):
        self._threads = OrderedThreads.fromkeys(self._threads)
    REAL_ADJUST_THREAD_COUNT(self)


def current_thread() -> threading.Thread:
    """The ``Thread`` whose ``start`` made the calling controlled thread; the process's
    main thread for the program's first thread (it runs the test body)."""
    ex = execution()
    if ex is None or ex.current is None:
        return REAL_CURRENT_THREAD()
    handle = ex.current.handle
    return handle.thread if isinstance(handle, ThreadHandle) else threading.main_thread()


def get_ident() -> int:
    ex = execution()
    if ex is None or ex.current is None:
        return REAL_GET_IDENT()
    if ex.current.tid == 0:
        return threading.main_thread().ident or 0
    return IDENT_BASE + ex.current.tid


def newname(name_template: str = "Thread-%d") -> str:
    """Default thread names numbered per execution ("Thread-1" in every run), so that
    names, which traces show, do not depend on how many runs came before."""
    ex = execution()
    if ex is None:
        return REAL_NEWNAME(name_template)
    n = ex.counters.get("threading.Thread", 0) + 1
    ex.counters["threading.Thread"] = n
    return name_template % n


def pool_counter() -> int:
    """``ThreadPoolExecutor``'s numbering of pools, per execution (see ``newname``)."""
    ex = execution()
    if ex is None:
        return next(_pool_numbers)
    n = ex.counters.get("ThreadPoolExecutor", -1) + 1
    ex.counters["ThreadPoolExecutor"] = n
    return n


_pool_numbers = itertools.count(1_000_000)


class SimLocal:
    """``threading.local``: attributes of the controlled thread that reads them."""

    __slots__ = ("_ex", "__weakref__")

    def __init__(self) -> None:
        object.__setattr__(self, "_ex", execution())

    def _slots(self) -> dict[str, Any]:
        locals_ = object.__getattribute__(self, "_ex").thread_locals()
        mine = locals_.get(self)
        if mine is None:
            mine = locals_[self] = {}
        return mine

    def __getattr__(self, name: str) -> Any:
        try:
            return self._slots()[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._slots()[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._slots()[name]
        except KeyError:
            raise AttributeError(name) from None


def sleep(seconds: float) -> None:
    ex = execution()
    if ex is None:
        return REAL_SLEEP(seconds)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if seconds == 0:
        ex.cpu_relax(None)                    # a yield: the sleeper gives way
        return None
    ex.step_wait("sleep", None, None, SLEEPING, ex.clock_ns + max(1, int(seconds * NS)),
                 False)
    return None


def _virtual(real: Any, unit: int) -> Any:
    """A clock function that reads virtual time (in ``1/unit`` seconds) in a controlled
    thread, and calls ``real`` anywhere else."""

    def read() -> Any:
        ex = execution()
        if ex is None:
            return real()
        return ex.clock_ns if unit == NS else ex.clock_ns / NS

    read.__name__ = read.__qualname__ = real.__name__
    return read


monotonic = _virtual(REAL_MONOTONIC, 1)
monotonic_ns = _virtual(REAL_MONOTONIC_NS, NS)
perf_counter = _virtual(REAL_PERF_COUNTER, 1)
perf_counter_ns = _virtual(REAL_PERF_COUNTER_NS, NS)
