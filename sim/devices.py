"""Simulated notifiers, polling, the clock and threads, and the substitution table.

Nothing here touches the operating system: an EventNotifier is a flag behind a virtual
fd number, ``Poller.poll`` blocks the controlled thread until a watched notifier is set
or its virtual timeout passes, the clock is the execution's virtual time, and a
``Thread`` is a new controlled thread of the same execution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aioctx.impl import sync

from .execution import SimThread
from .failures import SimulationMisuse
from .primitives import SimAtomic, SimCond, SimMutex, SimRecMutex, bind


class SimEventNotifier(sync.EventNotifier):
    """A level-triggered flag; its fd is a virtual number only ``SimPoller`` knows."""

    __slots__ = ("_ex", "display", "oid", "_set")

    def __init__(self, active: bool = False, name: str | None = None) -> None:
        self.name = name
        self._ex, self.display, self.oid = bind("EventNotifier", name)
        self.rfd = self.wfd = self._ex.new_vfd(self)
        self.initialized = True
        self._set = bool(active)

    def set(self, label: str | None = None) -> int:
        ex = self._ex
        ex.step("notifier_set", self, label)
        if not self.initialized:
            return -1
        self._set = True
        return 0

    def test_and_clear(self, label: str | None = None) -> bool:
        ex = self._ex
        ex.step("notifier_clear", self, label)
        was = self._set
        self._set = False
        if ex.trace is not None:
            ex.value(was)
        return was

    def cleanup(self) -> None:
        self.initialized = False


class _PollWait:
    """A blocked ``poll``: ready when a watched notifier is set or time ran out."""

    __slots__ = ("watched",)

    def __init__(self, watched: tuple[SimEventNotifier, ...]) -> None:
        self.watched = watched

    def ready(self, t: SimThread) -> bool:
        if t.timed_out:
            return True
        for n in self.watched:
            if n._set:
                return True
        return False


class SimPoller(sync.Poller):
    __slots__ = ("_ex", "display", "oid")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._ex, self.display, self.oid = bind("Poller", name)

    def poll(self, fds: Sequence[tuple[int, int]], timeout_ns: int,
             label: str | None = None) -> list[int]:
        ex = self._ex
        notifiers = []
        for fd, _events in fds:
            n = ex.vfds.get(fd)
            if n is None:
                raise SimulationMisuse(f"poll on fd {fd}, which is not a simulated "
                                       "EventNotifier (real fds cannot be simulated)")
            notifiers.append(n)
        watched = tuple(n for n, (_fd, ev) in zip(notifiers, fds, strict=True)
                        if ev & sync.POLLIN)
        if timeout_ns == 0:
            ex.step("poll", watched, label, False)
        else:
            deadline = None if timeout_ns < 0 else ex.clock_ns + timeout_ns
            ex.step_wait("poll", watched, label, _PollWait(watched), deadline, False)
        revents = []
        for n, (_fd, ev) in zip(notifiers, fds, strict=True):
            r = sync.POLLIN if (ev & sync.POLLIN and n._set) else 0
            if ev & sync.POLLOUT:
                r |= sync.POLLOUT
            revents.append(r)
        if ex.trace is not None:
            ex.value(revents)
        return revents


class _Sleep:
    """A virtual sleep: ready only once its deadline has passed."""

    __slots__ = ()

    def ready(self, t: SimThread) -> bool:
        return t.timed_out


SLEEPING = _Sleep()            # the wait of every virtual sleep


class SimClock(sync.Clock):
    """Virtual time: it only moves when every thread is blocked (see Execution)."""

    __slots__ = ("_ex", "display", "oid")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._ex, self.display, self.oid = bind("Clock", name)

    def now_ns(self, label: str | None = None) -> int:
        """Reading the clock is not a choice: time cannot move while we run."""
        ex = self._ex
        if ex.trace is not None and not ex.halted:
            ex.note(ex.current, "clock_now", self, label, ex.clock_ns)
        return ex.clock_ns

    def sleep_ns(self, ns: int, label: str | None = None) -> None:
        ex = self._ex
        if ns <= 0:
            ex.step("sleep", self, label, False)
        else:
            ex.step_wait("sleep", self, label, SLEEPING, ex.clock_ns + ns, False)


class SimQemuThread(sync.Thread):
    """A new controlled thread; ``join`` blocks until it has finished."""

    __slots__ = ("_ex", "display", "oid", "_target", "_args", "_sim")

    def __init__(self, target: Callable[..., Any], args: Sequence[Any] = (),
                 name: str | None = None) -> None:
        self.name = name
        self._ex, self.display, self.oid = bind("Thread", name)
        self._target = target
        self._args = tuple(args)
        self._sim: SimThread | None = None

    def start(self, label: str | None = None) -> None:
        ex = self._ex
        ex.step("thread_start", self, label)
        if self._sim is not None:
            raise RuntimeError(f"{self.display} started twice")
        self._sim = ex.spawn(self._target, self._args, self.name, self)

    def ready(self, t: SimThread) -> bool:
        return self._sim is not None and self._sim.finished

    def join(self, label: str | None = None) -> None:
        if self._sim is None:
            raise RuntimeError(f"{self.display} joined before it was started")
        self._ex.step_wait("thread_join", self, label, self, None, False)

    def is_alive(self) -> bool:
        return self._sim is not None and not self._sim.finished


SIM_CLASSES: dict[type, type] = {
    sync.Atomic: SimAtomic,
    sync.Mutex: SimMutex,
    sync.RecMutex: SimRecMutex,
    sync.Cond: SimCond,
    sync.EventNotifier: SimEventNotifier,
    sync.Poller: SimPoller,
    sync.Clock: SimClock,
    sync.Thread: SimQemuThread,
}
