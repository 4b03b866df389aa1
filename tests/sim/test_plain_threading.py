"""Plain ``threading`` code under the scheduler: races found, names put back.

The programs here use the standard library only; ``sim.substitution`` makes their
threads, locks and sleeps the simulated ones for the length of each execution, and
line-level mode makes each of their lines a scheduling point.
"""

from __future__ import annotations

import _thread
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from threading import Lock as ImportedLock

import pytest
from aioctx.sim.pysync import SimLock

from aioctx import sim


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def add(self) -> None:
        seen = self.n
        self.n = seen + 1


class LockedCounter(Counter):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def add(self) -> None:
        with self.lock:
            super().add()


def two_adders(counter: Counter) -> None:
    threads = [threading.Thread(target=counter.add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.n == 2, f"lost update: {counter.n}"


@pytest.mark.parametrize("engine", ["fiber", "thread"])
def test_a_lost_update_on_a_plain_attribute_is_found_and_the_fix_holds(engine):
    racy = sim.explore(lambda: two_adders(Counter()), sim.DFS(2), line_level=True,
                       engine=engine)
    assert racy.failed
    cx = racy.counterexample
    assert "lost update: 1" in cx.failure.message and cx.preemptions == 1
    assert any(step.obj == "seen = self.n" for step in cx.trace)     # the code, shown
    assert sim.replay(lambda: two_adders(Counter()), cx.schedule).failed
    fixed = sim.explore(lambda: two_adders(LockedCounter()), sim.DFS(2), line_level=True,
                        engine=engine)
    assert not fixed.failed and fixed.exhaustive and fixed.executions > 50


def test_both_engines_take_the_same_steps_in_line_level_mode():
    def program():
        two_adders(Counter())

    fibers = sim.explore(program, sim.DFS(2), line_level=True, engine="fiber")
    threads = sim.explore(program, sim.DFS(2), line_level=True, engine="thread")
    assert fibers.executions == threads.executions
    assert ([s.row() for s in fibers.counterexample.trace]
            == [s.row() for s in threads.counterexample.trace])


def test_without_line_level_mode_plain_attributes_show_no_race():
    result = sim.explore(lambda: two_adders(Counter()), sim.DFS(2))
    assert not result.failed and result.exhaustive
    with pytest.raises(ValueError, match="'dpor' cannot see races between program lines"):
        sim.explore(lambda: two_adders(Counter()), "dpor", line_level=True)


ORIGINALS = {
    "threading.Lock": threading.Lock, "threading.Condition": threading.Condition,
    "threading.Event": threading.Event, "threading.Thread.start": threading.Thread.start,
    "queue.SimpleQueue": queue.SimpleQueue, "time.sleep": time.sleep,
    "time.monotonic": time.monotonic, "ImportedLock": ImportedLock,
}


def current_names() -> dict[str, object]:
    return {"threading.Lock": threading.Lock, "threading.Condition": threading.Condition,
            "threading.Event": threading.Event,
            "threading.Thread.start": threading.Thread.start,
            "queue.SimpleQueue": queue.SimpleQueue, "time.sleep": time.sleep,
            "time.monotonic": time.monotonic, "ImportedLock": ImportedLock}


def test_the_names_are_swapped_only_inside_an_execution_and_only_for_its_threads():
    seen: dict[str, object] = {}

    def other_os_thread(done) -> None:
        seen["real thread builds"] = type(threading.Lock())
        done.release()

    def program() -> None:
        seen["inside"] = current_names()
        seen["lock"] = type(threading.Lock())
        seen["imported"] = type(ImportedLock())
        done = _thread.allocate_lock()
        done.acquire()
        _thread.start_new_thread(other_os_thread, (done,))
        done.acquire()                       # blocks this OS thread a moment: fine
        raise ValueError("the execution fails; the names still go back")

    result = sim.explore(program, sim.DFS(0), shrink=False)
    assert result.failed and "ValueError" in result.counterexample.failure.message
    assert seen["lock"] is SimLock and seen["imported"] is SimLock
    assert seen["real thread builds"] is type(_thread.allocate_lock())
    assert all(seen["inside"][k] is not ORIGINALS[k] for k in ORIGINALS)
    assert current_names() == ORIGINALS
    assert type(threading.Lock()) is type(_thread.allocate_lock())


def test_virtual_time_sleeps_without_waiting():
    times: list[float] = []

    def program() -> None:
        start = time.monotonic()
        time.sleep(3600)
        threading.Event().wait(60)
        times.append(time.monotonic() - start)

    wall = time.perf_counter()
    result = sim.explore(program, sim.DFS(0))
    assert not result.failed and times == [3660.0]
    assert time.perf_counter() - wall < 5


def test_line_level_mode_puts_the_previous_trace_function_back():
    calls: list[str] = []

    def tracer(frame, event, arg):
        calls.append(event)

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        sim.explore(lambda: two_adders(Counter()), sim.DFS(1), line_level=True)
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def pool_program(counter: Counter) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(2):
            pool.submit(counter.add)
    assert counter.n == 2, f"lost update: {counter.n}"


def test_a_race_between_thread_pool_tasks_is_found():
    result = sim.explore(lambda: pool_program(Counter()), "pct", runs=300, seed=1,
                         line_level=True)
    assert result.failed and "lost update" in result.counterexample.failure.message
    fixed = sim.explore(lambda: pool_program(LockedCounter()), "pct", runs=200, seed=1,
                        line_level=True)
    assert not fixed.failed and fixed.executions == 200


MODULE_LOCK = threading.Lock()


class Ledger:
    lock = threading.RLock()            # built at import, like MODULE_LOCK: real locks

    def __init__(self) -> None:
        self.total = 0

    def add(self) -> None:
        with MODULE_LOCK, self.lock:
            seen = self.total
            self.total = seen + 1


def test_locks_built_at_import_are_simulated_in_each_execution():
    def program() -> None:
        ledger = Ledger()
        threads = [threading.Thread(target=ledger.add) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ledger.total == 2

    result = sim.explore(program, sim.DFS(2), line_level=True, stall_timeout=2)
    assert not result.failed and result.exhaustive          # no stall on a real lock
    assert type(MODULE_LOCK) is type(_thread.allocate_lock())
    assert type(Ledger.__dict__["lock"]) is type(threading.RLock())
    cx = sim.explore(lambda: (program(), MODULE_LOCK.release()), sim.DFS(0),
                     line_level=True).counterexample
    assert "release unlocked lock" in cx.failure.message
    assert any(step.obj == "MODULE_LOCK" for step in cx.trace)
