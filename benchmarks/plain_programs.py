"""The plain ``threading`` programs ``plain_threading.py`` hands to every tool.

Each uses the standard library only (``threading``, ``concurrent.futures``) and has a
racy and a fixed variant, called as ``program(fixed)``.  ``program("lost-update x4")``
is the lost update with 4 threads: the size axis of the benchmark's curve.

``thread_bodies(name, fixed)`` gives the same program in frontrun's own form (shared
state made by ``setup``, the threads' bodies as ``workers``, the final assertion as
``invariant``): the bodies are the program's own functions, only the starting and
joining of the threads is left to the tool.  The thread-pool program has no such form
(its threads are the pool's).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Program = Callable[[bool], None]
Bodies = tuple[Callable[[], Any], list[Callable[[Any], None]], Callable[[Any], bool]]


class Stock:
    def __init__(self, count: int, locked: bool) -> None:
        self.count = count
        self.lock = threading.Lock() if locked else None

    def take(self) -> None:
        if self.lock is not None:
            with self.lock:
                left = self.count
                self.count = left - 1
        else:
            left = self.count
            self.count = left - 1


def run_threads(bodies: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=body) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def lost_update(fixed: bool, threads: int = 2) -> None:
    """Each thread takes one from a stock by read-then-write of an attribute."""
    stock = Stock(threads, fixed)
    run_threads([stock.take] * threads)
    assert stock.count == 0, f"a take was lost: {stock.count} left"


class BoundedQueue:
    def __init__(self, size: int, wake_all: bool) -> None:
        self.items: list[int] = []
        self.size = size
        self.wake_all = wake_all
        self.changed = threading.Condition()
        self.got: list[int] = []

    def _wake(self) -> None:
        if self.wake_all:
            self.changed.notify_all()
        else:
            self.changed.notify()

    def put(self, item: int) -> None:
        with self.changed:
            while len(self.items) >= self.size:
                self.changed.wait()
            self.items.append(item)
            self._wake()

    def get(self) -> int:
        with self.changed:
            while not self.items:
                self.changed.wait()
            item = self.items.pop(0)
            self._wake()
            return item

    def consume(self) -> None:
        self.got.append(self.get())


def lost_wakeup(fixed: bool) -> None:
    """A one-slot queue, two producers, two consumers, one condition: notify() can
    wake a waiter of the wrong kind, and everyone sleeps."""
    q = BoundedQueue(1, fixed)
    run_threads([functools.partial(q.put, 0), functools.partial(q.put, 1),
                 q.consume, q.consume])
    assert sorted(q.got) == [0, 1]


class Config:
    def __init__(self, locked: bool) -> None:
        self.loads = 0
        self.value: dict[str, int] | None = None
        self.lock = threading.Lock() if locked else None

    def _load(self) -> None:
        if self.value is None:
            self.loads += 1
            self.value = {"workers": 4}

    def get(self) -> dict[str, int] | None:
        if self.lock is not None:
            with self.lock:
                self._load()
        else:
            self._load()
        return self.value


def check_then_act(fixed: bool) -> None:
    """Lazy initialisation: two threads both see it missing and both load it."""
    config = Config(fixed)
    run_threads([config.get, config.get])
    assert config.loads == 1, f"loaded {config.loads} times"


class TwoLocks:
    def __init__(self, fixed: bool) -> None:
        self.a, self.b = threading.Lock(), threading.Lock()
        self.fixed = fixed

    def one(self) -> None:
        with self.a, self.b:
            pass

    def two(self) -> None:
        first, second = (self.a, self.b) if self.fixed else (self.b, self.a)
        with first, second:
            pass


def abba(fixed: bool) -> None:
    """Two locks taken in opposite orders by two threads: a deadlock."""
    locks = TwoLocks(fixed)
    run_threads([locks.one, locks.two])


def pool_lost_update(fixed: bool) -> None:
    """Tasks on a ThreadPoolExecutor update a shared attribute."""
    stock = Stock(2, fixed)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(2):
            pool.submit(stock.take)
    assert stock.count == 0, f"a take was lost: {stock.count} left"


PROGRAMS: dict[str, Program] = {
    "lost-update": lost_update, "lost-wakeup (Condition)": lost_wakeup,
    "check-then-act": check_then_act, "lock-order deadlock": abba,
    "thread-pool lost update": pool_lost_update,
}
CURVE_SIZES = (2, 3, 4, 6, 8)
_SIZED = re.compile(r"lost-update x(\d+)")


def curve_name(threads: int) -> str:
    return f"lost-update x{threads}"


def program(name: str) -> Program:
    """A program by its name in PROGRAMS, or ``lost-update xN`` (N threads)."""
    sized = _SIZED.fullmatch(name)
    if sized:
        return functools.partial(lost_update, threads=int(sized.group(1)))
    return PROGRAMS[name]


def thread_bodies(name: str, fixed: bool) -> Bodies | None:
    """The program as (setup, the threads' bodies, invariant); None if it has none."""
    sized = _SIZED.fullmatch(name)
    if sized or name == "lost-update":
        n = int(sized.group(1)) if sized else 2
        return (lambda: Stock(n, fixed), [Stock.take] * n, lambda s: s.count == 0)
    if name == "check-then-act":
        return (lambda: Config(fixed), [Config.get] * 2, lambda c: c.loads == 1)
    if name == "lock-order deadlock":
        return (lambda: TwoLocks(fixed), [TwoLocks.one, TwoLocks.two], lambda _: True)
    if name == "lost-wakeup (Condition)":
        return (lambda: BoundedQueue(1, fixed),
                [lambda q: q.put(0), lambda q: q.put(1), BoundedQueue.consume,
                 BoundedQueue.consume],
                lambda q: sorted(q.got) == [0, 1])
    return None
