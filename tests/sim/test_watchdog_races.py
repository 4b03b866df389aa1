"""The watchdog against the OS-thread engine's own moments: a thread not yet in its
body, the driver between threads, a thread given up on that was only slow.

Each case is made certain with gates (real locks) opened by what the watchdog does,
not by sleeping: the watchdog's ``target`` calls are counted (it asks for a target
only once nothing moved for a whole stall timeout), so a test waits for the watchdog
to have looked twice before it lets the simulation go on.  Timeouts here are safety
bounds only.
"""

from __future__ import annotations

import _thread
import functools
import sys
import threading
import time
from collections.abc import Callable

import pytest
from aioctx.impl import sync
from aioctx.sim import engines, runner
from aioctx.sim import watchdog as watchdog_module

from aioctx import sim

SAFETY = 60.0


class TargetCalls:
    """Counts the watchdog's ``target()`` calls; ``gate`` opens at the ``n``-th."""

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self.answers: list[int | None] = []
        self.gate = _thread.allocate_lock()
        self.gate.acquire()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = runner.watchdog

        def watching(progress, target, timeout, on_stuck=None):
            def counted() -> int | None:
                who = target()
                self.answers.append(who)
                if len(self.answers) == self.n:
                    self.gate.release()
                return who
            return real(progress, counted, timeout, on_stuck)

        monkeypatch.setattr(runner, "watchdog", watching)

    def wait(self) -> None:
        assert self.gate.acquire(timeout=SAFETY), "the watchdog never looked"
        self.gate.release()


def two_writers() -> None:
    """A program with nothing wrong in it."""
    x = sync.Atomic(0, name="x")
    t = sync.Thread(lambda: x.fetch_add(1, label="writer.add"), name="writer")
    t.start()
    x.fetch_add(1, label="main.add")
    t.join()
    assert x.load() == 2


@pytest.mark.timeout(120)
def test_the_driver_between_threads_is_never_sent_a_stall(monkeypatch) -> None:
    """Before the first controlled thread's OS thread exists, nothing simulated runs:
    the watchdog used to send its Stall to the driver (the caller's thread), and it
    escaped ``explore`` as an exception.  Now it waits until there is a thread to stop."""
    calls = TargetCalls()
    calls.install(monkeypatch)
    real_run = engines.ThreadEngine.run
    held: list[bool] = []

    def late_run(self, ex, first) -> None:
        if not held:
            held.append(True)
            calls.wait()                      # the watchdog looked twice, nothing ran
        real_run(self, ex, first)

    monkeypatch.setattr(engines.ThreadEngine, "run", late_run)
    result = sim.explore(two_writers, sim.DFS(0), runs=1, engine="thread",
                         stall_timeout=0.2)
    assert not result.failed, result.counterexample
    assert calls.answers[:2] == [None, None]


class FirstStartHeld:
    """``_thread`` for sim.engines, whose first ``start_new_thread`` holds the new OS
    thread before it runs anything of the engine until ``calls.gate`` opens."""

    def __init__(self, calls: TargetCalls) -> None:
        self.calls = calls
        self.held = False

    def __getattr__(self, name: str) -> object:
        return getattr(_thread, name)

    def start_new_thread(self, func: Callable[..., None], args: tuple) -> int:
        if self.held:
            return _thread.start_new_thread(func, args)
        self.held = True

        def held() -> None:
            self.calls.wait()
            func(*args)
        return _thread.start_new_thread(held, ())


@pytest.mark.timeout(120)
def test_an_os_thread_that_has_not_reached_its_body_is_not_struck(monkeypatch) -> None:
    """A slow start (the new OS thread not yet scheduled) is not a stall: the thread
    names itself to the watchdog only inside the ``try`` that hands its end back.  The
    starter used to name it at once: the Stall then landed before that ``try`` (the
    thread died, its end never signalled) or the thread was given up on."""
    calls = TargetCalls()
    calls.install(monkeypatch)
    monkeypatch.setattr(engines, "_thread", FirstStartHeld(calls))
    result = sim.explore(two_writers, sim.DFS(0), runs=1, engine="thread",
                         stall_timeout=0.2)
    assert not result.failed, result.counterexample
    assert calls.answers[:2] == [None, None]


def sleeps_for_real(real: object, ran_on: list[str]) -> None:
    """A controlled thread blocked on a lock the simulation does not control, which
    the test releases once the watchdog gave up on the thread."""
    x = sync.Atomic(0, name="x")

    def sleeper() -> None:
        x.store(1, label="sleeper.store")
        real.acquire()                        # C code: no Stall can reach it here
        real.release()
        for _ in range(100):
            x.load(label="sleeper.load")
        ran_on.append("ran on after it was given up on")

    t = sync.Thread(sleeper, name="sleeper")
    t.start()
    t.join()


@pytest.mark.timeout(120)
def test_a_thread_given_up_on_that_wakes_ends_quietly(monkeypatch) -> None:
    """The watchdog gives up on a thread it cannot interrupt; that thread may only have
    been slow, and wake after the execution is over.  It used to run on against the
    ended execution (its scheduling points no longer stopped it) and die on removing
    itself from the live threads a second time; now its next scheduling point ends
    it and it leaves the execution alone."""
    real = _thread.allocate_lock()
    real.acquire()
    ran_on: list[str] = []
    result = sim.explore(functools.partial(sleeps_for_real, real, ran_on), sim.DFS(0),
                         engine="thread", stall_timeout=0.2)
    failure = result.counterexample.failure
    assert failure.kind == "stall" and failure.thread == "sleeper"
    ident = int(failure.detail.split("its OS thread ")[1].split()[0])
    assert ident in sys._current_frames()
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    real.release()                            # it wakes
    deadline = time.monotonic() + SAFETY
    while ident in sys._current_frames() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ident not in sys._current_frames()
    assert ran_on == [] and unraisable == []


def test_a_thread_that_cannot_take_the_stall_is_given_up_on_a_grace_after_it() -> None:
    """The thread engine gives up on a thread a grace (a quarter of the timeout, at
    most 0.5 s) after the Stall was sent, not a second timeout; the Stall it never
    took is withdrawn.  The watchdog's clock is the ``now`` it is handed."""
    blocked = _thread.allocate_lock()
    blocked.acquire()
    woke: list[str] = []

    def helper() -> None:
        blocked.acquire()                     # C code: the Stall stays pending
        woke.append("woke")

    th = threading.Thread(target=helper, daemon=True)
    th.start()
    stuck: list[str] = []
    watch = watchdog_module._Watch(lambda: "no progress", lambda: th.ident, 2.0,
                                   stuck.append)
    watch.check(100.0)
    watch.check(101.9)
    assert watch.strikes == 0
    watch.check(102.0)
    assert watch.strikes == 1 and watch.sent_to == th.ident and not stuck
    watch.check(102.49)
    assert not stuck
    watch.check(102.5)
    assert len(stuck) == 1 and "no scheduling point for 2 s" in stuck[0]
    blocked.release()
    th.join(SAFETY)
    assert woke == ["woke"]                   # it did not get the withdrawn Stall


@pytest.mark.timeout(120)
def test_a_ctrl_c_that_ends_a_fiber_outside_its_body_reaches_the_caller(monkeypatch):
    """A Ctrl-C may land in the engine's own code around a thread's body (here: the
    line-level hook's ``leave``, made to raise it), so the fiber dies while its thread
    is still live.  Aborting threw ``Abort`` into that dead fiber, which raised it in
    the driver: ``hunt`` ended with an ``Abort`` traceback (exit 1) instead of its
    Ctrl-C report (seen once in a loaded suite run).  The interrupt reaches the caller."""
    from aioctx.sim import linemode

    real_leave = linemode.LineTracer.leave
    raised: list[bool] = []

    def leave(self) -> None:
        real_leave(self)
        if not raised:
            raised.append(True)
            raise KeyboardInterrupt

    monkeypatch.setattr(linemode.LineTracer, "leave", leave)
    with pytest.raises(KeyboardInterrupt):
        sim.explore(two_writers, sim.DFS(0), runs=1, line_level=True, shrink=False)
    assert raised == [True]
