"""Budgets, timing, memory and the progress bar shared by every search.

The search loops call ``Monitor.tick`` every few hundred expansions, never per
transition, so watching a search costs nothing measurable.  The progress bar goes to
stderr, appears only once a search has run for a second, and stays silent when stderr
is not a terminal (or when asked to be).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
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


def _meminfo() -> dict[str, int]:
    out = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                name, _, rest = line.partition(":")
                fields = rest.split()
                if fields and fields[0].isdigit():
                    out[name] = int(fields[0]) * 1024
    except OSError:
        pass
    return out


def _cgroup_limit() -> int | None:
    """The memory limit of this process's control group (v2 or v1), if any."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text)
    return None


def default_memory_limit() -> int:
    """The memory budget of a search when the user sets none: what the process holds
    now plus 80% of the memory the machine has available, at most 90% of the control
    group's limit (a container's), so that a search stops with its statistics before
    the kernel's out-of-memory killer ends it."""
    info = _meminfo()
    available = info.get("MemAvailable", info.get("MemFree", 0))
    limit = resident_bytes() + int(0.8 * available) if available else 8 << 30
    cgroup = _cgroup_limit()
    if cgroup is not None:
        limit = min(limit, int(0.9 * cgroup))
    return limit


class Growth:
    """Foresees the next resize of a growing set or dict of the search.

    CPython resizes them by allocating a table twice the size and copying, so the
    resident set briefly holds both: with tens of millions of states that jump is far
    larger than what a search adds between two ticks.  The table's size (``getsizeof``)
    changes only at a resize, and each resize comes when the container holds twice as
    many items as at the previous one.
    """

    def __init__(self, container: Any) -> None:
        self.container = container
        self.size = sys.getsizeof(container)
        self.length = len(container)
        self.next_resize = 0        # the next resize comes at no fewer items than this

    def extra_bytes(self, margin: int) -> int:
        """The bytes a resize within the next ``margin`` insertions would add (0 if
        none is due)."""
        size = sys.getsizeof(self.container)
        n = len(self.container)
        if size != self.size:
            # it resized after the previous look, at more than ``self.length`` items
            self.size = size
            self.next_resize = 2 * self.length + 1
        self.length = n
        if self.next_resize and n + margin < self.next_resize:
            return 0
        return 2 * size


class Monitor:
    """Watches one search: its clock, its memory, its budgets and its progress bar.

    ``tick`` returns why the search must stop now ("time", "memory", "interrupted",
    "stopped" when ``stop()`` says so), or None.  The memory budget bounds the resident
    set of the whole process; a SIGINT (Ctrl-C) during ``interruptible()`` stops the
    search at its next tick with the statistics so far (a second one interrupts at
    once).
    """

    def __init__(self, name: str, max_states: int | None, max_depth: int | None,
                 time_limit: float | None, progress: bool | None,
                 stream: TextIO | None = None, memory_limit: int | None = None,
                 stop: Callable[[], bool] | None = None) -> None:
        self.name = name
        self.stop = stop
        self.max_states = max_states if max_states is not None else sys.maxsize
        self.max_depth = max_depth if max_depth is not None else sys.maxsize
        self.time_limit = time_limit
        self.memory_limit = memory_limit if memory_limit is not None else \
            default_memory_limit()
        self.stream = stream if stream is not None else sys.stderr
        if progress is None:
            isatty = getattr(self.stream, "isatty", None)
            progress = bool(isatty and isatty())
        self.show = progress
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        self.base_rss = resident_bytes()
        self.peak_rss = self.base_rss
        self.rss = self.base_rss
        self._last_draw = self.start
        self._drawn = False
        self._structures = 0
        self._growing: list[Growth] = []
        self._last_states = 0
        self.interrupted = False

    def watch(self, *containers: Any) -> None:
        """Sets and dicts of the search whose next resize the memory budget must allow
        for (see ``Growth``)."""
        self._growing += [Growth(c) for c in containers]

    def account(self, nbytes: int) -> None:
        """Record the estimated size of the search's own tables (see ``close``)."""
        self._structures = max(self._structures, nbytes)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def tick(self, states: int, transitions: int, depth: int) -> str | None:
        """Sample memory, redraw the bar; the budget that stops the search, if any."""
        now = time.perf_counter()
        rss = self.rss = resident_bytes()
        if rss > self.peak_rss:
            self.peak_rss = rss
        margin = 2 * max(states - self._last_states, 1024)
        self._last_states = states
        if self.show and now - self._last_draw >= 0.5 and now - self.start >= 1.0:
            self._last_draw = now
            self._draw(states, transitions, depth, now - self.start)
        if self.interrupted:
            return "interrupted"
        if self.stop is not None and self.stop():
            return "stopped"
        if self.time_limit is not None and now - self.start >= self.time_limit:
            return "time"
        if rss + sum(g.extra_bytes(margin) for g in self._growing) > self.memory_limit:
            return "memory"
        return None

    def _draw(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        line = (f"\r{self.name}: {states:,} states ({states / seconds:,.0f}/s), "
                f"{transitions:,} transitions, depth {depth}, "
                f"{self.rss / 2**30:.2f} of {self.memory_limit / 2**30:.2f} GiB, "
                f"{seconds:.0f}s ")
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """While active, the first SIGINT asks the search to stop at its next tick (in
        the main thread only; elsewhere Python delivers no signals anyway)."""
        if threading.current_thread() is not threading.main_thread() or \
                signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            yield
            return

        def stop(signum: int, frame: Any) -> None:
            self.interrupted = True
            signal.signal(signal.SIGINT, signal.default_int_handler)

        signal.signal(signal.SIGINT, stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)

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
