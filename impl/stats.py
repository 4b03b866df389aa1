"""Counters an AioContext keeps about itself, for the demo and the benchmarks.

They are measurements, never inputs: no algorithm reads them.  Counters bumped only by
the home thread are plain integers.  ``notifier_writes`` is bumped by whichever thread
calls ``aio_notify``; each OS thread counts in its own slot, so no increment is lost
and no lock is taken.
"""

from __future__ import annotations

import threading


class CrossThreadCounter:
    """A counter many threads may bump at once without losing increments."""

    __slots__ = ("_per_thread",)

    def __init__(self) -> None:
        self._per_thread: dict[int, int] = {}

    def bump(self) -> None:
        key = threading.get_ident()
        slots = self._per_thread
        slots[key] = slots.get(key, 0) + 1       # only this thread writes this key

    @property
    def value(self) -> int:
        return sum(list(self._per_thread.values()))


class AioStats:
    """What one AioContext has done so far."""

    __slots__ = ("polls", "fd_waits", "blocking_waits", "bh_calls", "notifier_writes")

    def __init__(self) -> None:
        self.polls = 0              # aio_poll calls
        self.fd_waits = 0           # ppoll calls made by aio_poll
        self.blocking_waits = 0     # ... of which with a non-zero timeout
        self.bh_calls = 0           # BH callbacks run
        self.notifier_writes = CrossThreadCounter()   # event_notifier_set by aio_notify

    def snapshot(self) -> dict[str, int]:
        return {"polls": self.polls, "fd_waits": self.fd_waits,
                "blocking_waits": self.blocking_waits, "bh_calls": self.bh_calls,
                "notifier_writes": self.notifier_writes.value}
