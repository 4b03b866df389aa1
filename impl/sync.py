"""The primitive layer under every impl module: atomics, fences, locks, fds, threads.

Every shared-memory access and every blocking call that impl makes goes through this
module, so that the same code can run on OS threads (the classes below) or one step at
a time under aioctx.sim.  The switch is made once, when a primitive is constructed:
``Primitive.__new__`` asks the backend installed on the current OS thread (see
``using_backend``) for a substitute class and, if there is one, builds that instead.
Operations themselves never re-check, so real code pays nothing for the hook.

Free functions that have no object to construct (the fences, ``cpu_relax``,
``ThreadLocal`` lookups, ``global_state``) consult the installed backend on each call.
In a process that has never installed a backend this costs next to nothing: the
construction hook is put in place by the first ``using_backend``, and until then the
free functions read one module flag instead of the thread-local.

Every operation takes an optional ``label`` ("aio_poll.notify_me_add") that traces,
replays and model pairing refer to.  Real primitives ignore it.

Memory orders follow C11/QEMU: plain ``load``/``store`` default to relaxed
(``qatomic_read``/``qatomic_set``), read-modify-writes to seq_cst.  CPython with the GIL is
sequentially consistent at bytecode level, so real fences are no-ops; the simulation
gives them meaning.
"""

from __future__ import annotations

import itertools
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

RELAXED = "relaxed"
ACQUIRE = "acquire"
RELEASE = "release"
ACQ_REL = "acq_rel"
SEQ_CST = "seq_cst"
MEMORY_ORDERS = (RELAXED, ACQUIRE, RELEASE, ACQ_REL, SEQ_CST)

POLLIN = select.POLLIN
POLLOUT = select.POLLOUT
POLLERR = select.POLLERR
POLLHUP = select.POLLHUP


# --------------------------------------------------------------------------- backend hook


class Backend(Protocol):
    """What a simulation installs on the OS thread(s) that run its controlled threads.

    ``classes`` maps each real primitive class of this module to the subclass that should
    be built instead; a class missing from the map is built as the real one.  The other
    methods stand in for the free functions of this module.
    """

    classes: dict[type, type]

    def fence(self, kind: str, label: str | None) -> None: ...

    def cpu_relax(self, label: str | None) -> None: ...

    def thread_locals(self) -> dict[ThreadLocal, Any]: ...

    def global_state(self) -> dict[str, Any]: ...


class _ThreadState(threading.local):
    """Per-OS-thread state of this module.  The class-level default saves
    ``current_backend`` an exception on threads that never installed a backend."""

    backend: Backend | None = None


_tls = _ThreadState()

# Has any thread of this process installed a backend yet?  Until one does, no thread
# can have one, so the free functions skip the thread-local read (a module global costs
# a fifth of it) and ``Primitive`` has no ``__new__`` (a Python-level ``__new__`` more
# than doubles the cost of building a primitive, and every BH builds one).
_hooked = False


def current_backend() -> Backend | None:
    """The backend installed on this OS thread, or None when running for real."""
    return _tls.backend if _hooked else None


@contextmanager
def using_backend(backend: Backend | None) -> Iterator[None]:
    """Install ``backend`` on the calling OS thread for the duration of the block."""
    global _hooked
    if not _hooked:
        # Set on the base, the hook reaches every subclass, existing or future.  It
        # stays: taking a Python __new__ off a class again leaves CPython calling
        # object.__new__ with the constructor's arguments, which it refuses.
        Primitive.__new__ = staticmethod(_substituting_new)  # type: ignore[method-assign]
        _hooked = True
    previous = _tls.backend
    _tls.backend = backend
    try:
        yield
    finally:
        _tls.backend = previous


def _substituting_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``Primitive.__new__`` once a backend exists: build the class that the calling
    thread's backend substitutes for ``cls``, if any, else ``cls``."""
    backend = _tls.backend
    if backend is not None:
        substitute = backend.classes.get(cls)
        if substitute is not None:
            return object.__new__(substitute)
    return object.__new__(cls)


class Primitive:
    """Base of every substitutable primitive: the real or simulated class is picked
    once, at construction (see ``using_backend``)."""

    __slots__ = ("name", "__weakref__")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name or hex(id(self))}>"


# --------------------------------------------------------------------------- atomics


# The locks that make read-modify-writes atomic, handed out round-robin: a lock per word
# would cost every word (so every BH) an allocation and one more object for the garbage
# collector to track.  Only the operation itself runs under such a lock, so words that
# share one can at most make each other wait for an instant.
_RMW_LOCKS = itertools.cycle([threading.Lock() for _ in range(64)])


class Atomic(Primitive):
    """One shared memory word, accessed only through QEMU-style atomic operations."""

    __slots__ = ("_value", "_rmw")

    def __init__(self, value: Any = 0, name: str | None = None) -> None:
        self.name = name
        self._value = value
        self._rmw = next(_RMW_LOCKS)

    def load(self, order: str = RELAXED, label: str | None = None) -> Any:
        """``qatomic_read`` (relaxed) or ``qatomic_load_acquire`` (ACQUIRE)."""
        return self._value

    def store(self, value: Any, order: str = RELAXED, label: str | None = None) -> None:
        """``qatomic_set`` (relaxed) or ``qatomic_store_release`` (RELEASE)."""
        self._value = value

    # Read-modify-writes hold their lock with acquire/try/finally, which costs about a
    # third less than a ``with`` block on these hot paths.

    def xchg(self, value: Any, order: str = SEQ_CST, label: str | None = None) -> Any:
        """Store ``value``, return the previous one."""
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            self._value = value
        finally:
            rmw.release()
        return old

    def cmpxchg(self, expected: Any, new: Any, order: str = SEQ_CST,
                label: str | None = None) -> Any:
        """Store ``new`` if the word equals ``expected``; always return the previous value."""
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            if old == expected:
                self._value = new
        finally:
            rmw.release()
        return old

    def fetch_add(self, n: int, order: str = SEQ_CST, label: str | None = None) -> int:
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            self._value = old + n
        finally:
            rmw.release()
        return old

    def fetch_sub(self, n: int, order: str = SEQ_CST, label: str | None = None) -> int:
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            self._value = old - n
        finally:
            rmw.release()
        return old

    def fetch_or(self, mask: int, order: str = SEQ_CST, label: str | None = None) -> int:
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            self._value = old | mask
        finally:
            rmw.release()
        return old

    def fetch_and(self, mask: int, order: str = SEQ_CST, label: str | None = None) -> int:
        rmw = self._rmw
        rmw.acquire()
        try:
            old = self._value
            self._value = old & mask
        finally:
            rmw.release()
        return old

    def store_bits(self, mask: int, bits: int, order: str = RELAXED,
                   label: str | None = None) -> None:
        """A plain store to the field ``mask`` of the word: ``qatomic_set`` of a field
        that old QEMU code kept in a word of its own (``bh->scheduled``), now packed
        into this one.  The other bits are not touched, so it never undoes a
        concurrent update of another field; it is not a read-modify-write (no fence,
        nothing returned), which is what a weak memory model sees of it."""
        rmw = self._rmw
        rmw.acquire()
        try:
            self._value = (self._value & ~mask) | (bits & mask)
        finally:
            rmw.release()


# Each fence reads the backend itself, without calling current_backend: fences are on
# the hottest paths of the loop.


def smp_mb(label: str | None = None) -> None:
    """Full barrier (seq_cst fence)."""
    if _hooked and (backend := _tls.backend) is not None:
        backend.fence("mb", label)


def smp_rmb(label: str | None = None) -> None:
    """Load-load barrier (acquire fence)."""
    if _hooked and (backend := _tls.backend) is not None:
        backend.fence("rmb", label)


def smp_wmb(label: str | None = None) -> None:
    """Store-store barrier (release fence)."""
    if _hooked and (backend := _tls.backend) is not None:
        backend.fence("wmb", label)


def smp_mb__after_rmw(label: str | None = None) -> None:
    """Full barrier after a read-modify-write that may not be one itself (ARM)."""
    if _hooked and (backend := _tls.backend) is not None:
        backend.fence("mb_after_rmw", label)


def cpu_relax(label: str | None = None) -> None:
    """Called in every busy-wait loop; lets other threads (and the simulation) run."""
    backend = current_backend()
    if backend is not None:
        backend.cpu_relax(label)
    else:
        time.sleep(0)


# --------------------------------------------------------------------------- locks


class Mutex(Primitive):
    """QemuMutex: a non-recursive lock."""

    __slots__ = ("_lock",)

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._lock = threading.Lock()

    def lock(self, label: str | None = None) -> None:
        self._lock.acquire()

    def trylock(self, label: str | None = None) -> bool:
        return self._lock.acquire(blocking=False)

    def unlock(self, label: str | None = None) -> None:
        self._lock.release()

    def __enter__(self) -> Mutex:
        self.lock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unlock()


class RecMutex(Mutex):
    """QemuRecMutex: the owning thread may lock it again; it needs as many unlocks."""

    __slots__ = ()

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._lock = threading.RLock()


class Cond(Primitive):
    """QemuCond: waits release the given mutex and take it back before returning.

    ``signal``/``broadcast`` may be called with or without the mutex held, as in QEMU.
    """

    __slots__ = ("_waiters", "_guard")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._waiters: deque[threading.Lock] = deque()
        self._guard = threading.Lock()

    def wait(self, mutex: Mutex, label: str | None = None) -> None:
        self.timedwait(mutex, None, label)

    def timedwait(self, mutex: Mutex, timeout_ns: int | None,
                  label: str | None = None) -> bool:
        """Wait at most ``timeout_ns`` (None: forever); False if the time ran out."""
        waiter = threading.Lock()
        waiter.acquire()
        with self._guard:
            self._waiters.append(waiter)
        mutex.unlock()
        try:
            timeout = -1 if timeout_ns is None else max(timeout_ns, 0) / 1e9
            signalled = waiter.acquire(timeout=timeout)
            if not signalled:
                with self._guard:
                    try:
                        self._waiters.remove(waiter)
                    except ValueError:
                        signalled = True          # a signal picked us just as time ran out
            return signalled
        finally:
            mutex.lock()

    def signal(self, label: str | None = None) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()

    def broadcast(self, label: str | None = None) -> None:
        with self._guard:
            while self._waiters:
                self._waiters.popleft().release()


# --------------------------------------------------------------------------- fds


class EventNotifier(Primitive):
    """EventNotifier: a level-triggered wake-up fd (Linux eventfd, a pipe elsewhere)."""

    __slots__ = ("rfd", "wfd", "initialized")

    def __init__(self, active: bool = False, name: str | None = None) -> None:
        self.name = name
        if hasattr(os, "eventfd"):
            fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self.rfd = self.wfd = fd
        else:
            self.rfd, self.wfd = os.pipe()
            os.set_blocking(self.rfd, False)
            os.set_blocking(self.wfd, False)
        self.initialized = True
        if active:
            self.set()

    def get_fd(self) -> int:
        """The fd to poll for readability."""
        return self.rfd

    def get_wfd(self) -> int:
        return self.wfd

    def set(self, label: str | None = None) -> int:
        """Make the fd readable; 0 on success (a full counter already means 'set').

        Afterwards the writer offers the GIL to other threads: the thread this write
        woke cannot run until it gets the GIL, and in C it would already be running on
        another CPU.  Without the hand-over a busy writer keeps the GIL for a whole
        switch interval while the woken thread still looks asleep to it.
        """
        if not self.initialized:
            return -1
        while True:
            try:
                os.write(self.wfd, (1).to_bytes(8, "little"))
            except InterruptedError:
                continue
            except BlockingIOError:
                pass
            time.sleep(0)
            return 0

    def test_and_clear(self, label: str | None = None) -> bool:
        """Drain the fd; True if it was readable."""
        got = False
        while True:
            try:
                data = os.read(self.rfd, 512)
            except InterruptedError:
                continue
            except BlockingIOError:
                return got
            got = got or bool(data)
            if self.rfd == self.wfd or len(data) < 512:
                return got

    def cleanup(self) -> None:
        if not self.initialized:
            return
        os.close(self.rfd)
        if self.wfd != self.rfd:
            os.close(self.wfd)
        self.initialized = False


class Poller(Primitive):
    """ppoll(): wait until one of the given fds is ready or the timeout (ns) expires."""

    __slots__ = ()

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def poll(self, fds: Sequence[tuple[int, int]], timeout_ns: int,
             label: str | None = None) -> list[int]:
        """Return the ``revents`` of each entry of ``fds`` (same order); -1 waits forever."""
        poller = select.poll()
        for fd, events in fds:
            poller.register(fd, events)
        if timeout_ns < 0:
            timeout_ms = None
        else:
            timeout_ms = -(-timeout_ns // 1_000_000)    # round up, as qemu_timeout_ns_to_ms
        while True:
            try:
                ready = dict(poller.poll(timeout_ms))
                break
            except InterruptedError:
                continue
        return [ready.get(fd, 0) for fd, _ in fds]


# --------------------------------------------------------------------------- time


class Clock(Primitive):
    """The monotonic clock every QEMU clock type reads (virtual under simulation)."""

    __slots__ = ()

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def now_ns(self, label: str | None = None) -> int:
        return time.monotonic_ns()

    def sleep_ns(self, ns: int, label: str | None = None) -> None:
        time.sleep(max(ns, 0) / 1e9)


# --------------------------------------------------------------------------- threads


class Thread(Primitive):
    """QemuThread: a thread running ``target(*args)``."""

    __slots__ = ("_thread",)

    def __init__(self, target: Callable[..., Any], args: Sequence[Any] = (),
                 name: str | None = None) -> None:
        self.name = name
        self._thread = threading.Thread(target=target, args=tuple(args), name=name,
                                        daemon=True)

    def start(self, label: str | None = None) -> None:
        self._thread.start()

    def join(self, label: str | None = None) -> None:
        self._thread.join()

    def is_alive(self) -> bool:
        return self._thread.is_alive()


class ThreadLocal:
    """A per-thread slot.  Under simulation, "thread" means the controlled thread, and
    the slots live in the execution (``Backend.thread_locals``), so nothing carries over
    from one execution to the next."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._real = threading.local()

    def get(self, default: Any = None) -> Any:
        backend = current_backend()
        if backend is not None:
            return backend.thread_locals().get(self, default)
        return getattr(self._real, "value", default)

    def set(self, value: Any) -> None:
        backend = current_backend()
        if backend is not None:
            backend.thread_locals()[self] = value
        else:
            self._real.value = value


_real_globals: dict[str, Any] = {}
_real_globals_lock = threading.RLock()


def global_state(key: str, factory: Callable[[], Any]) -> Any:
    """A process-wide singleton (QEMU's file-scope globals), built on first use.

    Under simulation every execution has its own set, built inside the execution, so
    globals never leak from one run into the next and their primitives are simulated.
    """
    backend = current_backend()
    if backend is not None:
        table = backend.global_state()
        if key not in table:
            table[key] = factory()
        return table[key]
    with _real_globals_lock:
        if key not in _real_globals:
            _real_globals[key] = factory()
        return _real_globals[key]
