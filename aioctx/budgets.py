"""Budgets and other numbers a user writes on the command line, checked once where they
are read.

Each ``*_option`` function, and ``parse_size``, is an argparse ``type=``: it refuses what
cannot be meant (not a number, NaN, infinity, negative where a count is asked for, a
value out of its documented range) with a message that says what is expected, which
argparse prints as a one-line usage error (exit status 2).  A value that passes can be
used as it is.  ``parse_size`` reads ``4G``, ``512M``, ``1.5GiB``, ``200000000`` (bytes;
K, M, G, T are powers of 1024).

``Deadline`` makes a time budget cover a whole command, reading and compiling the
input included, not only the search that reports it; ``MemoryWatch`` does the same for
a memory budget until the search, which keeps it from then on, begins.
"""

from __future__ import annotations

import _thread
import argparse
import math
import re
import threading
import time
from collections.abc import Callable
from types import TracebackType

#: the longest time budget taken: about 115 days
MAX_SECONDS = 10_000_000.0
#: after the deadline's first interrupt, the next ones (``Deadline``)
REPEAT_SECONDS = 5.0
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([kmgt]?)(?:i?b)?\s*$", re.I)
#: no size above this is a budget (a pebibyte)
MAX_SIZE = 1 << 50


def count_option(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse type for an integer from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {what} (expected {low:,} to {high:,})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range: {what} from {low:,} "
                                             f"to {high:,}")
        return value

    return parse


def seconds_option(low: float = 0.0, high: float = MAX_SECONDS,
                   low_included: bool = False) -> Callable[[str], float]:
    """An argparse type for a finite number of seconds above ``low`` (or from it, with
    ``low_included``) up to ``high``: 'nan', 'inf' and negative times are refused."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        above = value >= low if low_included else value > low
        if not math.isfinite(value) or not above or value > high:
            bound = "from" if low_included else "more than"
            raise argparse.ArgumentTypeError(
                f"{text} is not a time budget: seconds {bound} {low:g} up to {high:g}")
        return value

    return parse


class Deadline:
    """A time budget for a whole command, as a context manager: ``left()`` is what
    remains of it for a search that stops itself (and reports what it found so far);
    if the command is still busy ``grace`` seconds after the deadline, in code that
    never checks the clock (reading, preprocessing, parsing a model), the main thread
    gets a ``KeyboardInterrupt`` and ``expired`` is True, and again every
    REPEAT_SECONDS until the command ends: a search takes the first as "stop at your
    next state" (``model.monitor``), which never comes when one step does not end (a
    d_step that loops), and the second stops it there (a search looks at the clock
    every few thousand states: far more often than that on any machine).
    ``searched``: ``left()`` was asked, so the search had begun.  From then on the
    search owns the budget (it stops itself at the deadline and reports what it found),
    so the first interrupt is moved to REPEAT_SECONDS past the deadline: the search's
    own accounting after it stopped (seconds for millions of states on a loaded
    machine) must not be cut short and lose its statistics.  Outside the main thread,
    or without a budget, it only counts."""

    def __init__(self, seconds: float | None, grace: float = 1.0) -> None:
        self.seconds = seconds
        self.grace = grace
        self.expired = False
        self.searched = False
        self._armed = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._start = time.monotonic()

    def left(self) -> float | None:
        """Seconds left of the budget (never below 0), or None without a budget."""
        first = not self.searched
        self.searched = True
        if self.seconds is None:
            return None
        left = max(0.0, self.seconds - (time.monotonic() - self._start))
        if first:
            with self._lock:
                if self._armed and not self.expired and self._timer is not None:
                    self._timer.cancel()
                    self._arm(left + REPEAT_SECONDS)
        return left

    def __enter__(self) -> Deadline:
        self._start = time.monotonic()
        if self.seconds is not None and threading.current_thread() is threading.main_thread():
            self._armed = True
            self._arm(self.seconds + self.grace)
        return self

    def _arm(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._armed:
                self.expired = True
                _thread.interrupt_main()
                self._arm(max(self.grace, REPEAT_SECONDS))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._armed = False
            timer = self._timer
        if timer is not None:
            timer.cancel()
        if self.expired and kind is None:
            # the interrupt was raised but not yet delivered: take it here, not in
            # whatever the caller runs next
            try:
                for _ in range(1000):
                    time.sleep(0)
            except KeyboardInterrupt:
                pass


class MemoryWatch:
    """A memory budget for the part of a command before its search, as a context
    manager: reading, preprocessing and compiling a model check no budget themselves
    (the search's own monitor does, and stops with its statistics).  A thread samples
    ``resident()`` (bytes) every ``period`` seconds; over ``limit``, it interrupts the
    main thread once and ``exceeded`` is True.  ``stop()``, when the search begins,
    ends the watch.  Outside the main thread, or without a limit, it does nothing."""

    def __init__(self, limit: int | None, resident: Callable[[], int],
                 period: float = 0.1) -> None:
        self.limit = limit
        self.resident = resident
        self.period = period
        self.exceeded = False
        self._done = threading.Event()
        self._lock = threading.Lock()

    def __enter__(self) -> MemoryWatch:
        if self.limit is not None and \
                threading.current_thread() is threading.main_thread():
            threading.Thread(target=self._watch, daemon=True).start()
        return self

    def _watch(self) -> None:
        while not self._done.wait(self.period):
            if self.resident() > self.limit:
                with self._lock:
                    if not self._done.is_set():
                        self.exceeded = True
                        self._done.set()
                        _thread.interrupt_main()
                return

    def stop(self) -> None:
        with self._lock:
            self._done.set()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def parse_size(text: str) -> int:
    """Bytes in ``text`` ("4G", "512MiB", "100000"); ArgumentTypeError if it is not a
    size."""
    m = _SIZE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size (a number of bytes, or with K, M, G or T: '4G')")
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if value > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is too large for a size")
    return int(value)
