"""The ``threading`` module's locks, conditions and events, simulated.

Inside an execution, ``threading.Lock()``, ``RLock()``, ``Condition()``, ``Event()``,
``Semaphore()``, ``BoundedSemaphore()``, ``Barrier()`` and ``queue.SimpleQueue()`` build
these classes instead (``sim.substitution`` swaps the names for the length of the
execution).  They keep the standard library's documented behaviour (return values,
timeouts in virtual time, the errors a misuse raises) and make every operation a
scheduling point that names the object, so a trace reads like the program.  Where the
documentation leaves a choice open (which waiter gets a released lock or semaphore),
every choice is a schedule the search may take; a condition wakes its waiters in the
order they came, as CPython's does.  ``queue.Queue``, ``LifoQueue`` and
``PriorityQueue`` need nothing here: they are built from ``threading.Lock`` and
``Condition`` and so are simulated as they are.

The classes derive from the real ones where those are Python classes (Condition, Event,
Semaphore, BoundedSemaphore, Barrier), so ``isinstance`` checks keep working, but share
none of their code.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Any

from .execution import Execution, SimThread
from .primitives import bind

NS = 1_000_000_000


def deadline(ex: Execution, timeout: float | None) -> int | None:
    """The virtual time at which a wait of ``timeout`` seconds (None: forever) ends."""
    if timeout is None:
        return None
    return ex.clock_ns + max(0, int(timeout * NS))


class SimLock:
    """``threading.Lock``: one holder at a time; any thread may release it."""

    __slots__ = ("_ex", "display", "oid", "_owner", "__weakref__")

    def __init__(self, name: str | None = None) -> None:
        self._ex, self.display, self.oid = bind("Lock", name)
        self._owner: SimThread | None = None

    def ready(self, t: SimThread) -> bool:
        return self._owner is None or t.timed_out

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        ex = self._ex
        if not blocking:
            if timeout != -1:
                raise ValueError("can't specify a timeout for a non-blocking call")
            ex.step("trylock", self, None)
            got = self._owner is None
        else:
            if timeout < 0 and timeout != -1:
                raise ValueError("timeout value must be a non-negative number")
            ex.step_wait("lock", self, None, self, deadline(ex, None if timeout == -1
                                                             else timeout))
            got = self._owner is None     # free when chosen, even as time ran out
        if got:
            self._owner = ex.current
        if ex.trace is not None:
            ex.value(got)
        return got

    def release(self) -> None:
        self._ex.step("unlock", self, None)
        if self._owner is None:
            raise RuntimeError("release unlocked lock")
        self._owner = None

    def locked(self) -> bool:
        self._ex.step("locked", self, None, False)
        return self._owner is not None

    def _is_owned(self) -> bool:
        return self._owner is not None

    def _release_all(self) -> int:
        self._owner = None
        return 1

    def _take_back(self, t: SimThread, depth: int) -> None:
        self._owner = t

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<simulated Lock {self.display} {'locked' if self._owner else 'unlocked'}>"


class SimRLock(SimLock):
    """``threading.RLock``: its holder may take it again and must release it as often."""

    __slots__ = ("_count",)

    def __init__(self, name: str | None = None) -> None:
        self._ex, self.display, self.oid = bind("RLock", name)
        self._owner = None
        self._count = 0

    def ready(self, t: SimThread) -> bool:
        return self._owner is None or self._owner is t or t.timed_out

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        ex = self._ex
        mine = self._owner is ex.current and self._owner is not None
        if mine:
            ex.step("lock", self, None)
            self._count += 1
            return True
        got = super().acquire(blocking, timeout)
        if got:
            self._count = 1
        return got

    __enter__ = acquire

    def release(self) -> None:
        ex = self._ex
        ex.step("unlock", self, None)
        if self._owner is not ex.current or self._owner is None:
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if self._count == 0:
            self._owner = None

    def _is_owned(self) -> bool:
        return self._owner is not None and self._owner is self._ex.current

    def _release_all(self) -> int:
        depth, self._count, self._owner = self._count, 0, None
        return depth

    def _take_back(self, t: SimThread, depth: int) -> None:
        self._owner, self._count = t, depth

    def __repr__(self) -> str:
        return f"<simulated RLock {self.display} count={self._count}>"


class _Waiter:
    """A thread waiting on a condition or an event: ready once woken (or timed out)
    and, for a condition, once its lock is free again."""

    __slots__ = ("lock", "woken", "queue")

    def __init__(self, lock: SimLock | None, queue: deque[_Waiter]) -> None:
        self.lock = lock
        self.woken = False
        self.queue = queue

    def ready(self, t: SimThread) -> bool:
        if not (self.woken or t.timed_out):
            return False
        lock = self.lock
        return lock is None or lock._owner is None or lock._owner is t

    def timeout(self, t: SimThread) -> None:
        if not self.woken:
            self.queue.remove(self)


def _wake(waiters: deque[_Waiter], n: int) -> None:
    while waiters and n > 0:
        waiters.popleft().woken = True
        n -= 1


class SimCondition(threading.Condition):
    """``threading.Condition``: ``wait`` gives the lock up entirely and takes it back."""

    def __init__(self, lock: Any = None) -> None:
        if lock is None:
            lock = SimRLock()
        elif hasattr(lock, "_simulated"):        # a lock built at import (sim.substitution)
            lock = lock._simulated()
        if not isinstance(lock, SimLock):
            raise TypeError(f"Condition({lock!r}): the lock was built outside the "
                            "simulation; build it inside the program under test")
        self._ex, self.display, self.oid = bind("Condition", None)
        self._lock = lock
        self._waiters: deque[_Waiter] = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def _is_owned(self) -> bool:
        return self._lock._is_owned()

    def wait(self, timeout: float | None = None) -> bool:
        ex = self._ex
        if not self._lock._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        touched = (self, self._lock)
        ex.step("cond_wait", touched, None)
        me = ex.current
        waiter = _Waiter(self._lock, self._waiters)
        self._waiters.append(waiter)
        depth = self._lock._release_all()
        ex.step_wait("cond_wake", touched, None, waiter, deadline(ex, timeout))
        self._lock._take_back(me, depth)
        if ex.trace is not None:
            ex.value("notified" if waiter.woken else "timed out")
        return waiter.woken

    def wait_for(self, predicate: Any, timeout: float | None = None) -> Any:
        ex = self._ex
        result = predicate()
        end = None if timeout is None else ex.clock_ns + int(timeout * NS)
        while not result:
            left = None
            if end is not None:
                left = (end - ex.clock_ns) / NS
                if left <= 0:
                    break
            self.wait(left)
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        if not self._lock._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        self._ex.step("cond_notify", self, None)
        _wake(self._waiters, n)

    def notify_all(self) -> None:
        if not self._lock._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        self._ex.step("cond_notify_all", self, None)
        _wake(self._waiters, len(self._waiters))

    def __repr__(self) -> str:
        return f"<simulated Condition {self.display} ({len(self._waiters)} waiting)>"


class SimEvent(threading.Event):
    """``threading.Event``: ``wait`` returns True once set, False if it timed out."""

    def __init__(self) -> None:
        self._ex, self.display, self.oid = bind("Event", None)
        self._flag = False
        self._waiters: deque[_Waiter] = deque()

    def is_set(self) -> bool:
        self._ex.step("event_is_set", self, None, False)
        return self._flag

    def set(self) -> None:
        self._ex.step("event_set", self, None)
        self._flag = True
        _wake(self._waiters, len(self._waiters))

    def clear(self) -> None:
        self._ex.step("event_clear", self, None)
        self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        """A scheduling point, then (if not set) a second one that waits for ``set``."""
        ex = self._ex
        ex.step("event_wait", self, None, False)
        if self._flag or ex.halted:
            return True
        waiter = _Waiter(None, self._waiters)
        self._waiters.append(waiter)
        ex.step_wait("event_wake", self, None, waiter, deadline(ex, timeout), False)
        return waiter.woken

    def __repr__(self) -> str:
        return f"<simulated Event {self.display} {'set' if self._flag else 'unset'}>"


class SimSemaphore(threading.Semaphore):
    """``threading.Semaphore``: ``acquire`` waits while the counter is zero."""

    def __init__(self, value: int = 1) -> None:
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._ex, self.display, self.oid = bind(type(self).__name__[3:], None)
        self._value = value

    def ready(self, t: SimThread) -> bool:
        return self._value > 0 or t.timed_out

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        ex = self._ex
        if not blocking:
            if timeout is not None:
                raise ValueError("can't specify timeout for non-blocking acquire")
            ex.step("sem_tryacquire", self, None)
            got = self._value > 0
        else:
            ex.step_wait("sem_acquire", self, None, self, deadline(ex, timeout))
            got = self._value > 0
        if got:
            self._value -= 1
        return got

    __enter__ = acquire

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        self._ex.step("sem_release", self, None)
        self._value += n

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<simulated {type(self).__name__[3:]} {self.display} value={self._value}>"


class SimBoundedSemaphore(SimSemaphore, threading.BoundedSemaphore):
    """``threading.BoundedSemaphore``: releasing past the initial value is an error."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self._initial_value = value

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        self._ex.step("sem_release", self, None)
        if self._value + n > self._initial_value:
            raise ValueError("Semaphore released too many times")
        self._value += n


FILLING, DRAINING, RESETTING, BROKEN = 0, 1, -1, -2


class SimBarrier(threading.Barrier):
    """``threading.Barrier``: ``parties`` threads meet; a timeout, an ``abort`` or an
    action that raises breaks it, and every waiter (present and future, until
    ``reset``) gets ``BrokenBarrierError``.  Built on the simulated condition."""

    def __init__(self, parties: int, action: Any = None, timeout: float | None = None
                 ) -> None:
        if parties < 1:
            raise ValueError("parties must be > 0")
        self._cond = SimCondition(SimLock())
        self._action = action
        self._timeout = timeout
        self._parties = parties
        self._state = FILLING
        self._count = 0

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            while self._state in (DRAINING, RESETTING):
                self._cond.wait()
            if self._state == BROKEN:
                raise threading.BrokenBarrierError
            index = self._count
            self._count += 1
            try:
                if index + 1 == self._parties:
                    self._trip()
                else:
                    if not self._cond.wait_for(lambda: self._state != FILLING, timeout):
                        self._break()
                        raise threading.BrokenBarrierError
                    if self._state < 0:
                        raise threading.BrokenBarrierError
                return index
            finally:
                self._count -= 1
                if self._count == 0 and self._state in (DRAINING, RESETTING):
                    self._state = FILLING
                    self._cond.notify_all()

    def _trip(self) -> None:
        try:
            if self._action is not None:
                self._action()
            self._state = DRAINING
            self._cond.notify_all()
        except BaseException:
            self._break()
            raise

    def _break(self) -> None:
        self._state = BROKEN
        self._cond.notify_all()

    def reset(self) -> None:
        with self._cond:
            if self._count > 0:
                if self._state in (FILLING, BROKEN):
                    self._state = RESETTING
            else:
                self._state = FILLING
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._break()

    @property
    def parties(self) -> int:
        return self._parties

    @property
    def n_waiting(self) -> int:
        return self._count if self._state == FILLING else 0

    @property
    def broken(self) -> bool:
        return self._state == BROKEN


class SimSimpleQueue:
    """``queue.SimpleQueue``: an unbounded FIFO; ``get`` waits for an item."""

    __slots__ = ("_ex", "display", "oid", "_items", "__weakref__")

    def __init__(self) -> None:
        self._ex, self.display, self.oid = bind("SimpleQueue", None)
        self._items: deque[Any] = deque()

    def ready(self, t: SimThread) -> bool:
        return bool(self._items) or t.timed_out

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        ex = self._ex
        if not ex.aborting:      # (a garbage-collection callback may put while unwinding)
            ex.step("queue_put", self, None)
        self._items.append(item)

    def put_nowait(self, item: Any) -> None:
        self.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        ex = self._ex
        if not block:
            ex.step("queue_get", self, None)
        else:
            if timeout is not None and timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            ex.step_wait("queue_get", self, None, self, deadline(ex, timeout))
        if not self._items:
            raise queue.Empty
        return self._items.popleft()

    def get_nowait(self) -> Any:
        return self.get(False)

    def empty(self) -> bool:
        self._ex.step("queue_empty", self, None, False)
        return not self._items

    def qsize(self) -> int:
        self._ex.step("queue_size", self, None, False)
        return len(self._items)
