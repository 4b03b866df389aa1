"""QEMU timers as the event loop uses them (QEMU util/qemu-timer.c, include/qemu/timer.h).

Each AioContext owns a ``QEMUTimerListGroup``: one ``QEMUTimerList`` per clock type,
each a list of armed timers sorted by expiry and guarded by its own mutex.  Arming a
timer so that it becomes the earliest of its list calls the list's notify callback
(``aio_notify`` for a context), so a sleeping ``aio_poll`` recomputes its timeout.
Every clock type reads the one monotonic ``sync.Clock`` (virtual time under aioctx.sim).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import sync

QEMU_CLOCK_REALTIME = 0
QEMU_CLOCK_VIRTUAL = 1
QEMU_CLOCK_HOST = 2
QEMU_CLOCK_VIRTUAL_RT = 3
QEMU_CLOCK_MAX = 4

SCALE_NS = 1
SCALE_US = 1_000
SCALE_MS = 1_000_000

INT32_MAX = 2**31 - 1

QEMUTimerCB = Callable[[Any], None]


def _clock() -> sync.Clock:
    return sync.global_state("impl.timers.clock", lambda: sync.Clock(name="qemu_clock"))


def qemu_clock_get_ns(clock_type: int) -> int:
    """Current time of ``clock_type`` in ns (all types share one monotonic clock)."""
    return _clock().now_ns(label="qemu_clock_get_ns")


def qemu_clock_get_us(clock_type: int) -> int:
    return qemu_clock_get_ns(clock_type) // SCALE_US


def qemu_clock_get_ms(clock_type: int) -> int:
    return qemu_clock_get_ns(clock_type) // SCALE_MS


def qemu_soonest_timeout(a: int, b: int) -> int:
    """The smaller of two timeouts, where -1 (infinite) is larger than any other."""
    return a if (a % 2**64) < (b % 2**64) else b


def qemu_timeout_ns_to_ms(ns: int) -> int:
    """Convert a ns timeout to glib's ms, rounding up; -1 stays infinite."""
    if ns < 0:
        return -1
    if ns == 0:
        return 0
    return min(-(-ns // SCALE_MS), INT32_MAX)


class QEMUTimer:
    """A one-shot timer on one timer list; re-arm it from its callback to repeat.

    ``expire_time`` is in ns, -1 while not armed; it is written under the list's mutex
    and read without it by ``timer_pending``, as in QEMU.
    """

    __slots__ = ("timer_list", "cb", "opaque", "scale", "attributes", "expire_time")

    def __init__(self, timer_list: QEMUTimerList, scale: int, cb: QEMUTimerCB,
                 opaque: Any = None, attributes: int = 0) -> None:
        self.timer_list = timer_list
        self.cb = cb
        self.opaque = opaque
        self.scale = scale
        self.attributes = attributes
        self.expire_time = -1

    def __repr__(self) -> str:
        return f"<QEMUTimer {getattr(self.cb, '__qualname__', self.cb)} at {self.expire_time}>"


class QEMUTimerList:
    """The armed timers of one clock type for one context, earliest first."""

    def __init__(self, clock_type: int, notify_cb: Callable[[int], None] | None,
                 name: str = "tl") -> None:
        self.clock_type = clock_type
        self.notify_cb = notify_cb
        self.active_timers_lock = sync.Mutex(name=f"{name}.active_timers_lock")
        # The earliest armed timer (None if none): lets readers skip the lock when idle.
        self.active_head = sync.Atomic(None, name=f"{name}.active_timers")
        self.active_timers: list[QEMUTimer] = []      # guarded by active_timers_lock

    def _publish_head(self) -> None:
        head = self.active_timers[0] if self.active_timers else None
        self.active_head.store(head, label="timerlist.set_active_timers")

    def deadline_ns(self) -> int:
        """ns until the earliest timer expires: -1 if none, 0 if already expired."""
        if self.active_head.load(label="timerlist_deadline_ns.load_active") is None:
            return -1
        self.active_timers_lock.lock(label="timerlist_deadline_ns.lock")
        try:
            if not self.active_timers:
                return -1
            expire_time = self.active_timers[0].expire_time
        finally:
            self.active_timers_lock.unlock(label="timerlist_deadline_ns.unlock")
        delta = expire_time - qemu_clock_get_ns(self.clock_type)
        return max(delta, 0)

    def run_timers(self) -> bool:
        """Run every timer that had expired when we started; True if any ran.

        Each callback runs without the list lock, after its timer was taken off the
        list, so callbacks may re-arm or delete timers freely.
        """
        if self.active_head.load(label="timerlist_run_timers.load_active") is None:
            return False
        progress = False
        current_time = qemu_clock_get_ns(self.clock_type)
        self.active_timers_lock.lock(label="timerlist_run_timers.lock")
        try:
            while self.active_timers and self.active_timers[0].expire_time <= current_time:
                ts = self.active_timers.pop(0)
                ts.expire_time = -1
                self._publish_head()
                cb, opaque = ts.cb, ts.opaque
                self.active_timers_lock.unlock(label="timerlist_run_timers.unlock_for_cb")
                try:
                    cb(opaque)
                finally:
                    self.active_timers_lock.lock(label="timerlist_run_timers.relock")
                progress = True
        finally:
            self.active_timers_lock.unlock(label="timerlist_run_timers.unlock")
        return progress

    def _del_locked(self, ts: QEMUTimer) -> None:
        ts.expire_time = -1
        if ts in self.active_timers:
            self.active_timers.remove(ts)
            self._publish_head()

    def _mod_locked(self, ts: QEMUTimer, expire_time: int) -> bool:
        """Insert ``ts`` after every timer expiring no later; True if it became the head."""
        expire_time = max(expire_time, 0)
        pos = 0
        while pos < len(self.active_timers) and \
                self.active_timers[pos].expire_time <= expire_time:
            pos += 1
        ts.expire_time = expire_time
        self.active_timers.insert(pos, ts)
        if pos == 0:
            self._publish_head()
        return pos == 0

    def notify(self) -> None:
        if self.notify_cb is not None:
            self.notify_cb(self.clock_type)


class QEMUTimerListGroup:
    """One timer list per clock type; the context's deadline is the soonest of them."""

    def __init__(self, notify_cb: Callable[[int], None] | None, name: str = "tlg") -> None:
        self.tl = [QEMUTimerList(t, notify_cb, name=f"{name}[{t}]")
                   for t in range(QEMU_CLOCK_MAX)]

    def deadline_ns(self) -> int:
        deadline = -1
        for timer_list in self.tl:
            deadline = qemu_soonest_timeout(deadline, timer_list.deadline_ns())
        return deadline

    def run_timers(self) -> bool:
        progress = False
        for timer_list in self.tl:
            progress = timer_list.run_timers() or progress
        return progress


def timer_mod_ns(ts: QEMUTimer, expire_time: int) -> None:
    """Arm (or re-arm) ``ts`` for the absolute time ``expire_time`` ns; thread-safe."""
    timer_list = ts.timer_list
    timer_list.active_timers_lock.lock(label="timer_mod_ns.lock")
    try:
        timer_list._del_locked(ts)
        rearm = timer_list._mod_locked(ts, expire_time)
    finally:
        timer_list.active_timers_lock.unlock(label="timer_mod_ns.unlock")
    if rearm:
        timer_list.notify()


def timer_mod(ts: QEMUTimer, expire_time: int) -> None:
    """Arm ``ts`` for ``expire_time`` in the timer's scale (ns, us or ms)."""
    timer_mod_ns(ts, expire_time * ts.scale)


def timer_del(ts: QEMUTimer) -> None:
    """Disarm ``ts``; its callback will not run unless it is armed again."""
    timer_list = ts.timer_list
    timer_list.active_timers_lock.lock(label="timer_del.lock")
    try:
        timer_list._del_locked(ts)
    finally:
        timer_list.active_timers_lock.unlock(label="timer_del.unlock")


def timer_free(ts: QEMUTimer) -> None:
    timer_del(ts)


def timer_pending(ts: QEMUTimer) -> bool:
    return ts.expire_time >= 0


def timer_expired(ts: QEMUTimer, current_time: int) -> bool:
    """Has ``ts`` expired at ``current_time`` (in the timer's scale)?"""
    return timer_pending(ts) and ts.expire_time <= current_time * ts.scale


def timer_expire_time_ns(ts: QEMUTimer) -> int:
    return ts.expire_time if timer_pending(ts) else -1
