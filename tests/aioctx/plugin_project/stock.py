"""The outside project's plain-threading code: a stock counter and a bounded queue.

Nothing here knows about aioctx: it uses ``threading`` as any program does.  Under
aioctx's pytest plugin the threads, locks and conditions are the simulated ones and
every line is a scheduling point, so the races below are found without changes.
"""

import threading


class Stock:
    """take() reads the count and writes it back: two takers can both see the same
    count, and one of the takes is lost."""

    def __init__(self, count: int) -> None:
        self.count = count

    def take(self) -> None:
        left = self.count
        self.count = left - 1


class LockedStock(Stock):
    """take() under a lock."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.lock = threading.Lock()

    def take(self) -> None:
        with self.lock:
            super().take()


class BoundedQueue:
    """A queue of at most ``size`` items; put() waits while it is full, get() while it
    is empty.  One condition serves both kinds of waiter, and notify() wakes one: it
    can wake a waiter of the wrong kind, and the right one sleeps on (a lost wake-up)."""

    def __init__(self, size: int) -> None:
        self.items: list[object] = []
        self.size = size
        self.changed = threading.Condition()

    def put(self, item: object) -> None:
        with self.changed:
            while len(self.items) >= self.size:
                self.changed.wait()
            self.items.append(item)
            self.changed.notify()

    def get(self) -> object:
        with self.changed:
            while not self.items:
                self.changed.wait()
            item = self.items.pop(0)
            self.changed.notify()
            return item


class FixedBoundedQueue(BoundedQueue):
    """The fix: wake every waiter; each checks its own condition again."""

    def put(self, item: object) -> None:
        with self.changed:
            while len(self.items) >= self.size:
                self.changed.wait()
            self.items.append(item)
            self.changed.notify_all()

    def get(self) -> object:
        with self.changed:
            while not self.items:
                self.changed.wait()
            item = self.items.pop(0)
            self.changed.notify_all()
            return item
