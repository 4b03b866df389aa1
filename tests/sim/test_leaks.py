"""Many executions leave nothing behind: no OS threads, no fibers, no memory growth."""

from __future__ import annotations

import functools
import gc
import threading

import pytest
from greenlet import greenlet

from aioctx import sim

from . import programs as P


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def live_greenlets() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, greenlet) and not o.dead)


@pytest.mark.timeout(300)
def test_100k_executions_leave_no_threads_fibers_or_memory_growth() -> None:
    program = functools.partial(P.lost_wakeup, True)      # 3 threads, mutex + cond
    sim.explore(program, sim.RandomWalk(), runs=2_000, seed=0)   # warm caches
    gc.collect()
    threads, fibers, rss = threading.active_count(), live_greenlets(), rss_kib()
    result = sim.explore(program, sim.RandomWalk(), runs=100_000, seed=1)
    assert not result.failed and result.executions == 100_000
    gc.collect()
    assert threading.active_count() == threads
    assert live_greenlets() == fibers
    assert rss_kib() - rss < 8 * 1024, "more than 8 MiB retained by 100,000 executions"


@pytest.mark.timeout(120)
def test_thread_engine_joins_every_os_thread() -> None:
    program = functools.partial(P.abba, False)
    sim.explore(functools.partial(P.abba, True), sim.DFS(0))   # the process's watchdog
    before = threading.active_count()
    result = sim.explore(program, sim.DFS(2), engine="thread")
    assert result.failed                 # failing runs abort threads blocked mid-way
    sim.explore(functools.partial(P.abba, True), sim.DFS(2), engine="thread")
    assert threading.active_count() == before
