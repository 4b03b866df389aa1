"""Simulated memory and lock primitives: Atomic, Mutex, RecMutex, Cond.

Each class derives from its impl.sync counterpart and keeps its method signatures, so
impl code cannot tell the difference; it is built instead of the real one when an
``Execution`` is installed (see ``Primitive.__new__``).  Every operation is a scheduling
point (``Execution.step``) that names the objects it touches and whether it writes them,
which is what traces show and what DPOR's independence relation is built from.
Memory is sequentially consistent: a value is read and written in place.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from aioctx.impl import sync

from .execution import Execution, SimThread


def bind(kind: str, name: str | None) -> tuple[Execution, str, int]:
    """The execution a primitive is being built in, its display name, and its serial
    number (creation order: the same in every execution of a deterministic program)."""
    ex = sync.current_backend()
    if not isinstance(ex, Execution):
        raise RuntimeError(f"simulated {kind} built outside a simulated execution")
    ex.nobjects += 1
    return ex, ex.object_name(kind, name), ex.nobjects


class SimAtomic(sync.Atomic):
    """A shared word; each access is one scheduling point."""

    __slots__ = ("_ex", "display", "oid")

    def __init__(self, value: Any = 0, name: str | None = None) -> None:
        self.name = name
        self._value = value
        self._ex, self.display, self.oid = bind("Atomic", name)

    def load(self, order: str = sync.RELAXED, label: str | None = None) -> Any:
        ex = self._ex
        ex.step("load", self, label, False)
        v = self._value
        if ex.trace is not None:
            ex.value(v)
        return v

    def store(self, value: Any, order: str = sync.RELAXED, label: str | None = None) -> None:
        ex = self._ex
        ex.step("store", self, label)
        self._value = value
        if ex.trace is not None:
            ex.value(value)

    def store_bits(self, mask: int, bits: int, order: str = sync.RELAXED,
                   label: str | None = None) -> None:
        ex = self._ex
        ex.step("store", self, label)
        value = self._value = (self._value & ~mask) | (bits & mask)
        if ex.trace is not None:
            ex.value(value)

    def _rmw(self, op: str, label: str | None, new: Any) -> Any:
        """Shared tail of the read-modify-writes: ``new(old)`` gives the stored value."""
        ex = self._ex
        ex.step(op, self, label)
        old = self._value
        value = self._value = new(old)
        if ex.trace is not None:
            ex.value((old, value))
        return old

    def xchg(self, value: Any, order: str = sync.SEQ_CST, label: str | None = None) -> Any:
        return self._rmw("xchg", label, lambda old: value)

    def cmpxchg(self, expected: Any, new: Any, order: str = sync.SEQ_CST,
                label: str | None = None) -> Any:
        return self._rmw("cmpxchg", label, lambda old: new if old == expected else old)

    def fetch_add(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._rmw("fetch_add", label, lambda old: old + n)

    def fetch_sub(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._rmw("fetch_sub", label, lambda old: old - n)

    def fetch_or(self, mask: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._rmw("fetch_or", label, lambda old: old | mask)

    def fetch_and(self, mask: int, order: str = sync.SEQ_CST,
                  label: str | None = None) -> int:
        return self._rmw("fetch_and", label, lambda old: old & mask)


class _LockOps:
    """Lock/trylock/unlock shared by the plain and the recursive mutex.

    ``_recursive`` says whether the owner may take the lock again.  The mutex itself is
    the wait object of a blocked ``lock``: it is ready when free (or, recursively, ours).
    """

    __slots__ = ()
    _recursive = False
    _ex: Execution
    display: str
    oid: int
    _owner: SimThread | None
    _count: int

    def _setup(self, name: str | None) -> None:
        self._ex, self.display, self.oid = bind("Mutex", name)
        self._owner = None
        self._count = 0

    def ready(self, t: SimThread) -> bool:
        owner = self._owner
        return owner is None or (self._recursive and owner is t)

    def lock(self, label: str | None = None) -> None:
        ex = self._ex
        ex.step_wait("lock", self, label, self)
        self._owner = ex.current
        self._count += 1

    def trylock(self, label: str | None = None) -> bool:
        ex = self._ex
        ex.step("trylock", self, label)
        got = self.ready(ex.current)
        if got:
            self._owner = ex.current
            self._count += 1
        if ex.trace is not None:
            ex.value(got)
        return got

    def unlock(self, label: str | None = None) -> None:
        ex = self._ex
        ex.step("unlock", self, label)
        if ex.halted:
            return
        if self._owner is not ex.current:
            owner = self._owner.name if self._owner is not None else "nobody"
            raise AssertionError(f"{self.display} unlocked by {ex.current.name}, "
                                 f"held by {owner}")
        self._count -= 1
        if self._count == 0:
            self._owner = None

    def release_for_wait(self) -> int:
        """Cond wait: give the lock up entirely; returns the depth to restore."""
        depth, self._count, self._owner = self._count, 0, None
        return depth

    def reacquire_after_wait(self, t: SimThread, depth: int) -> None:
        self._owner = t
        self._count = depth


class SimMutex(_LockOps, sync.Mutex):
    __slots__ = ("_ex", "display", "oid", "_owner", "_count")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._setup(name)


class SimRecMutex(_LockOps, sync.RecMutex):
    __slots__ = ("_ex", "display", "oid", "_owner", "_count")
    _recursive = True

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._setup(name)


class _CondWaiter:
    """One waiter on a condition: woken by a signal or by its virtual deadline, then
    enabled once the mutex is free again."""

    __slots__ = ("cond", "mutex", "signalled")

    def __init__(self, cond: SimCond, mutex: Any) -> None:
        self.cond = cond
        self.mutex = mutex
        self.signalled = False

    def ready(self, t: SimThread) -> bool:
        return (self.signalled or t.timed_out) and self.mutex.ready(t)

    def timeout(self, t: SimThread) -> None:
        if not self.signalled:
            self.cond._queue.remove(self)


class SimCond(sync.Cond):
    __slots__ = ("_ex", "display", "oid", "_queue")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._ex, self.display, self.oid = bind("Cond", name)
        self._queue: deque[_CondWaiter] = deque()

    def timedwait(self, mutex: sync.Mutex, timeout_ns: int | None,
                  label: str | None = None) -> bool:
        ex = self._ex
        touched = (self, mutex)
        ex.step("cond_wait", touched, label)
        cur = ex.current
        if ex.halted:
            return True
        if getattr(mutex, "_owner", None) is not cur:
            raise AssertionError(f"{self.display}: wait without holding {mutex!r}")
        waiter = _CondWaiter(self, mutex)
        self._queue.append(waiter)
        depth = mutex.release_for_wait()
        deadline = None if timeout_ns is None else ex.clock_ns + max(timeout_ns, 0)
        ex.step_wait("cond_wake", touched, label, waiter, deadline)
        mutex.reacquire_after_wait(cur, depth)
        if ex.trace is not None:
            ex.value("signalled" if waiter.signalled else "timed out")
        return waiter.signalled

    def signal(self, label: str | None = None) -> None:
        self._ex.step("cond_signal", self, label)
        if self._queue:
            self._queue.popleft().signalled = True

    def broadcast(self, label: str | None = None) -> None:
        self._ex.step("cond_broadcast", self, label)
        while self._queue:
            self._queue.popleft().signalled = True
