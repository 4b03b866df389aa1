"""Budgets, timing, memory and the progress bar shared by every search.

The search loops call ``Monitor.tick`` every few hundred expansions, never per
transition, so watching a search costs nothing measurable.  The progress bar goes to
stderr, appears only once a search has run for a second, and stays silent when stderr
is not a terminal (or when asked to be).
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Collection
from typing import Any, TextIO

#: expansions between two calls of ``Monitor.tick`` (a power of two minus one: a mask)
TICK_MASK = 1023

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """Current resident set size of this process (0 when it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        try:
            import resource
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        except (ImportError, OSError):
            return 0


def _deep_size(value: Any) -> int:
    if isinstance(value, tuple):
        return sys.getsizeof(value) + sum(_deep_size(v) for v in value)
    if isinstance(value, int) and -5 <= value <= 256:
        return 0                      # CPython shares these
    return sys.getsizeof(value)


def table_bytes(table: Collection[Any], *extra: Any) -> int:
    """Estimated bytes held by a table of states (the table, plus the states, sized
    from a sample of 64) and by ``extra`` containers (shallow)."""
    size = sys.getsizeof(table) + sum(sys.getsizeof(x) for x in extra)
    sample = list(itertools.islice(iter(table), 64))
    if sample:
        size += sum(_deep_size(s) for s in sample) * len(table) // len(sample)
    return size


class Monitor:
    """Watches one search: its clock, its memory, its budgets and its progress bar."""

    def __init__(self, name: str, max_states: int | None, max_depth: int | None,
                 time_limit: float | None, progress: bool | None,
                 stream: TextIO | None = None) -> None:
        self.name = name
        self.max_states = max_states if max_states is not None else sys.maxsize
        self.max_depth = max_depth if max_depth is not None else sys.maxsize
        self.time_limit = time_limit
        self.stream = stream if stream is not None else sys.stderr
        if progress is None:
            isatty = getattr(self.stream, "isatty", None)
            progress = bool(isatty and isatty())
        self.show = progress
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        self.base_rss = resident_bytes()
        self.peak_rss = self.base_rss
        self._last_draw = self.start
        self._drawn = False
        self._structures = 0

    def account(self, nbytes: int) -> None:
        """Record the estimated size of the search's own tables (see ``close``)."""
        self._structures = max(self._structures, nbytes)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def tick(self, states: int, transitions: int, depth: int) -> bool:
        """Sample memory, redraw the bar; True when the time budget is spent."""
        now = time.perf_counter()
        rss = resident_bytes()
        if rss > self.peak_rss:
            self.peak_rss = rss
        if self.show and now - self._last_draw >= 0.5 and now - self.start >= 1.0:
            self._last_draw = now
            self._draw(states, transitions, depth, now - self.start)
        return self.time_limit is not None and now - self.start >= self.time_limit

    def _draw(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        rate = transitions / seconds if seconds > 0 else 0.0
        line = (f"\r{self.name}: {states:,} states, {transitions:,} transitions "
                f"({rate:,.0f}/s), depth {depth}, {seconds:.0f}s ")
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> tuple[float, float, int]:
        """Stop watching: (seconds, CPU seconds, peak bytes).  The bytes are the larger
        of the growth of the resident set during the search and the estimated size of
        its tables (the resident set does not grow when the search reuses memory freed
        earlier)."""
        seconds = self.elapsed()
        cpu = time.process_time() - self.cpu_start
        rss = resident_bytes()
        if rss > self.peak_rss:
            self.peak_rss = rss
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        return seconds, cpu, max(self.peak_rss - self.base_rss, self._structures)
