"""Programs the simulation cannot control end with a clear report, never a hang."""

from __future__ import annotations

import _thread
import functools
import os
import sys
import threading
import time

import pytest
from aioctx.impl import sync

from aioctx import sim


def real_lock_program() -> None:
    """Two controlled threads share a lock the simulation does not control (``_thread``'s:
    ``threading.Lock`` built here would be the simulated one): the second blocks for
    real."""
    real = _thread.allocate_lock()
    x = sync.Atomic(0, name="x")

    def holder() -> None:
        real.acquire()
        x.store(1, label="holder.store")     # a scheduling point while holding it
        real.release()

    def taker() -> None:
        with real:                            # blocks the OS thread, not the fiber
            x.store(2, label="taker.store")

    a, b = sync.Thread(holder, name="holder"), sync.Thread(taker, name="taker")
    a.start()
    b.start()
    a.join()
    b.join()


def spin_program() -> None:
    """Spins on a plain dict entry: no impl.sync operation, no scheduling point."""
    flag = {"go": False}

    def setter() -> None:
        flag["go"] = True

    t = sync.Thread(setter, name="setter")
    t.start()
    while not flag["go"]:
        pass
    t.join()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("engine", ["fiber", "thread"])
def test_blocking_on_a_real_lock_is_reported(engine: str) -> None:
    t0 = time.monotonic()
    result = sim.explore(real_lock_program, sim.DFS(1), engine=engine, stall_timeout=0.5,
                         shrink=False)
    assert time.monotonic() - t0 < 30
    failure = result.counterexample.failure
    assert failure.kind == "stall"
    assert "real lock" in failure.message
    assert failure.thread == "taker"
    assert failure.where.endswith(f"test_misuse.py:{line_of('with real:')}")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("engine", ["fiber", "thread"])
def test_spinning_without_a_scheduling_point_is_reported(engine: str) -> None:
    result = sim.explore(spin_program, sim.DFS(0), engine=engine, stall_timeout=0.5,
                         shrink=False)
    failure = result.counterexample.failure
    assert failure.kind == "stall" and failure.thread == "main"
    assert "spinning without impl.sync" in failure.message


@pytest.mark.timeout(60)
def test_line_level_mode_makes_the_spin_schedulable() -> None:
    """Each line is a scheduling point, so the spinner is preempted (fairness) and the
    setter gets to run: the same program that stalled above now passes."""
    result = sim.explore(spin_program, sim.DFS(1), line_level=True, max_steps=5_000,
                         stall_timeout=5, shrink=False)
    assert not result.failed and result.exhaustive, result


def test_polling_a_real_fd_is_reported() -> None:
    import os

    def program() -> None:
        r, w = os.pipe()
        try:
            sync.Poller().poll([(r, sync.POLLIN)], 0)
        finally:
            os.close(r)
            os.close(w)

    result = sim.explore(program, sim.DFS(0))
    assert "not a simulated EventNotifier" in result.counterexample.failure.message


def line_of(text: str) -> int:
    with open(__file__, encoding="utf-8") as f:
        return next(i for i, line in enumerate(f, 1) if text in line)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("engine", ["fiber", "thread"])
def test_replaying_a_stall_is_reported_not_a_hang(engine: str) -> None:
    result = sim.explore(real_lock_program, sim.DFS(1), engine=engine, stall_timeout=0.5,
                         shrink=False)
    schedule = result.counterexample.schedule
    replayed = sim.replay(real_lock_program, schedule, stall_timeout=0.5)
    assert replayed.failure.kind == "stall" and replayed.failure.thread == "taker"


@pytest.mark.timeout(120)
def test_a_thread_given_up_on_leaves_traced_code_running() -> None:
    """The OS-thread engine first sends the thread blocked on the real lock a Stall it
    cannot take, then gives up on it; the Stall must be withdrawn.  While one is
    pending, CPython 3.11 keeps a thread with a trace function (line-level mode,
    coverage) from getting past its next call: the plain-threading tests after this
    one hung there.  The traced thread here runs on a real thread with a deadline, so
    a regression fails instead of hanging."""
    result = sim.explore(real_lock_program, sim.DFS(1), engine="thread", stall_timeout=0.5,
                         shrink=False)
    assert result.counterexample.failure.kind == "stall"
    calls = []

    def call() -> None:
        calls.append(None)

    def traced() -> None:
        sys.settrace(lambda frame, event, arg: None)
        for _ in range(1000):
            call()

    t = threading.Thread(target=traced, daemon=True)
    t.start()
    t.join(30)
    assert len(calls) == 1000


def stuck_after_a_store(body, entered: list[str]) -> None:
    """A controlled thread that stores, then gets stuck in ``body`` for good;
    ``entered`` counts how many executions got as far as the stuck code."""
    x = sync.Atomic(0, name="x")

    def stuck() -> None:
        x.store(1, label="stuck.store")
        entered.append(body.__name__)
        body()

    t = sync.Thread(stuck, name="stuck")
    t.start()
    x.store(2, label="main.store")
    t.join()


def spin_forever() -> None:
    while True:
        pass


def read_forever() -> None:
    r, w = os.pipe()                          # nobody ever writes
    os.read(r, 1)


def python_threads() -> set[int]:
    return set(sys._current_frames())


def threads_left(before: set[int], allowed: set[int]) -> set[int]:
    """The Python threads started since ``before`` and not in ``allowed``, once the
    ones that are ending have ended (a joined OS thread may still be unwinding)."""
    watchdog = {t.ident for t in threading.enumerate() if t.name == "aioctx-sim-watchdog"}
    deadline = time.monotonic() + 30          # a safety bound, not a measurement
    while True:
        left = python_threads() - before - watchdog - allowed
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.01)


STUCK = [("spin", spin_forever), ("blocking read", read_forever)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ["fiber", "thread"])
@pytest.mark.parametrize("name, body", STUCK, ids=[s[0] for s in STUCK])
def test_a_stall_is_waited_for_once_and_reported_with_its_trace(engine, name, body):
    """The search meets the stall once; the counterexample re-runs the stalled schedule
    only up to the stall.  It used to run into it three more times (shrinking, the
    traced run, the determinism check): about four stall timeouts, eight on the thread
    engine, and an OS thread left blocked for each on the thread engine."""
    before = python_threads()
    entered: list[str] = []
    result = sim.explore(functools.partial(stuck_after_a_store, body, entered),
                         sim.DFS(0), engine=engine, stall_timeout=0.5)
    cx = result.counterexample
    assert cx.failure.kind == "stall" and cx.failure.thread == "stuck"
    assert entered == [body.__name__]
    # the trace goes up to the stall: the stuck thread's store is its last step
    last = cx.trace[-1]
    assert (cx.threads[last.tid], last.label) == ("stuck", "stuck.store"), cx
    if engine == "thread" and body is read_forever:
        # the one OS thread that could not be interrupted is named, no other is left
        named = int(cx.failure.detail.split("its OS thread ")[1].split()[0])
        assert named in python_threads()
        assert not threads_left(before, {named})
    else:
        assert not threads_left(before, set())


def forgets_to_join() -> None:
    x = sync.Atomic(0, name="x")
    t = sync.Thread(lambda: x.store(1, label="late.store"), name="late")
    t.start()
    x.load()


def joins() -> None:
    x = sync.Atomic(0, name="x")
    t = sync.Thread(lambda: x.store(1, label="late.store"), name="late")
    t.start()
    t.join()


def test_a_thread_never_joined_is_reported():
    result = sim.explore(forgets_to_join, sim.DFS(2), runs=50)
    assert not result.failed
    assert any("returned while thread(s) 'late' still ran (never joined)" in note
               for note in result.notes), result.notes
    result = sim.explore(joins, sim.DFS(2), runs=50)
    assert not any("never joined" in note for note in result.notes), result.notes
