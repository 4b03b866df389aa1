"""The OS-thread engine keeps its baton protocol whatever order the OS runs threads in.

A loaded machine can let a newly started OS thread run, and hand the CPU on, before
the thread that started it has done anything more.  ``HeldStarts`` makes that order
certain instead of likely: standing in for ``_thread`` inside ``sim.engines``, it holds
the starting thread until the new one has ended or is about to wait on a held lock (its
baton).  Under that order every controlled thread must still run on exactly one OS
thread, and the execution must be the one the fiber engine runs.
"""

from __future__ import annotations

import _thread
import functools
from collections.abc import Callable
from typing import Any

import pytest
from aioctx.sim import engines
from aioctx.sim.decider import Decider
from aioctx.sim.execution import Execution, SimThread
from aioctx.sim.runner import Runner, RunSpec
from aioctx.sim.trace import steps_of

from . import programs as P


class Alternate(Decider):
    """At every choice, run a thread other than the current one: each choice is a
    switch, so a new thread hands the CPU straight back to the one that started it."""

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        return next((t for t in enabled if t is not cur), cur)


class ParkSignallingLock:
    """A real lock that, before its caller blocks on it, lets go of the thread that
    started the caller (``HeldStarts.parking``)."""

    def __init__(self, starts: HeldStarts) -> None:
        self.starts = starts
        self.lock = _thread.allocate_lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self.lock.acquire(False):
            return True
        if not blocking:
            return False
        self.starts.parking()
        return self.lock.acquire(True, timeout)

    def release(self) -> None:
        self.lock.release()

    def locked(self) -> bool:
        return self.lock.locked()


class HeldStarts:
    """``_thread`` for sim.engines, with every new OS thread run first (see above).

    A start beyond one OS thread per controlled thread of the running execution is
    refused in the starting thread, so an engine that starts a thread twice fails the
    execution instead of leaving threads parked on batons nobody releases."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.starts = 0
        self.gates: dict[int, Any] = {}     # OS thread ident -> its starter's gate

    get_ident = staticmethod(_thread.get_ident)

    def allocate_lock(self) -> ParkSignallingLock:
        return ParkSignallingLock(self)

    def parking(self) -> None:
        """The calling OS thread ends or is about to block: its starter may go on."""
        gate = self.gates.pop(_thread.get_ident(), None)
        if gate is not None:
            gate.release()

    def start_new_thread(self, function: Callable[..., None], args: tuple[Any, ...]) -> int:
        ex = self.runner.current
        assert ex is not None
        if self.starts >= len(ex.threads):
            raise AssertionError(f"OS thread {self.starts + 1} started for "
                                 f"{len(ex.threads)} controlled threads")
        self.starts += 1
        gate = _thread.allocate_lock()
        gate.acquire()

        def first(*args: Any) -> None:
            self.gates[_thread.get_ident()] = gate
            try:
                function(*args)
            finally:
                self.parking()

        ident = _thread.start_new_thread(first, args)
        assert gate.acquire(True, 60), "a new OS thread neither blocked nor ended"
        return ident


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["lost_update", "lost_wakeup", "abba"])
def test_a_new_os_thread_that_runs_first_is_its_controlled_threads_only_carrier(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    program = functools.partial(getattr(P, name), False)
    with Runner(RunSpec(program, "fiber")) as fibers:
        expected = fibers.run(Alternate(), trace=True)
    with Runner(RunSpec(program, "thread")) as runner:
        starts = HeldStarts(runner)
        monkeypatch.setattr(engines, "_thread", starts)
        ex = runner.run(Alternate(), trace=True)
    def signature(run: Execution) -> object:
        return run.failure and run.failure.signature

    assert signature(ex) == signature(expected), ex.failure
    assert steps_of(ex.trace) == steps_of(expected.trace)
    assert starts.starts == len(ex.threads)
