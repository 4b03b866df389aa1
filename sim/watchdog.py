"""Misuse guard: a controlled thread that stops reaching scheduling points is stopped.

A program that blocks on a real lock (a ``threading.Lock`` instead of ``sync.Mutex``) or
spins on a plain variable never returns to the scheduler, and the step budget cannot
fire.  A watchdog thread (wall-clock time: it watches the simulation from outside)
samples the runner's progress; when nothing moved for ``timeout`` seconds it raises
``Stall`` inside the stuck controlled thread, which the execution reports as a failure
naming the thread and the line it was stuck on:

* fibers on the main OS thread: a signal (SIGUSR2) to the main thread, whose handler
  raises; a blocking ``lock.acquire()`` is interrupted by it as well;
* anywhere else: an asynchronous exception (``PyThreadState_SetAsyncExc``) into the
  stuck OS thread, which works for spins.  A real lock held forever outside the main
  thread cannot be interrupted; with the OS-thread engine the driver then abandons the
  stuck thread (``ThreadEngine.abandon``) and reports it, a short grace (a quarter of
  the timeout, at most 0.5 s) after the raise: the report comes within the timeout and
  the grace, not two timeouts.  The exception that thread never took is withdrawn
  (``_withdraw``): while one is pending, CPython 3.11 keeps every thread that has a
  trace function (line-level mode, coverage, a debugger) from making progress.

One watchdog thread serves the whole process: it is started by the first ``watchdog``
block and sleeps while no block is open.  Starting and joining a thread for every
exploration cost more than a small exploration that fails at once (about 0.2 ms).
"""

from __future__ import annotations

import _thread
import ctypes
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from .failures import Stall

STALL_SIGNAL = signal.SIGUSR2


class _Withdrawn(Exception):
    """Sent to the watchdog's own thread, and caught there, by ``_withdraw``."""


def _withdraw(who: int) -> None:
    """Cancel the asynchronous exception sent to the OS thread ``who``, which it never
    took (it is blocked in C code).  Cancelling it is not enough: the interpreter keeps
    a process-wide "asynchronous exception pending" flag that only the receiving
    thread's taking of one lowers, and on CPython 3.11 a thread with a trace function
    spins at its next function call while the flag is up.  So one is sent to this
    thread too, and taken here, which lowers the flag."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(who), None)
    try:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(_thread.get_ident()),
                                                   ctypes.py_object(_Withdrawn))
        while True:                    # it is raised here at the latest
            pass
    except _Withdrawn:
        pass


class _Watch:
    """One open ``watchdog`` block, as the watchdog thread sees it."""

    def __init__(self, progress: Callable[[], object], target: Callable[[], int | None],
                 timeout: float, on_stuck: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.target = target
        self.timeout = timeout
        self.on_stuck = on_stuck
        self.tick = min(timeout / 4, 0.25)
        # raising did not free the thread within this: give up on it (``on_stuck``)
        self.grace = min(timeout / 4, 0.5)
        self.caller = threading.get_ident()
        self.in_main = threading.current_thread() is threading.main_thread()
        self.fired = False             # a Stall signal is on its way to the caller
        self.message = ""
        self.last: object = None
        self.since = time.monotonic()  # when progress last changed
        self.strikes = 0
        self.sent_to: int | None = None  # the OS thread an asynchronous Stall went to
        self.struck: int | None = None   # the OS thread the strikes so far were aimed at

    def raise_stall(self, signum: int, frame: FrameType | None) -> None:
        """The SIGUSR2 handler while this block is open in the main thread."""
        if self.fired:
            self.fired = False
            raise Stall(self.message)

    def check(self, now: float) -> None:
        progress = self.progress()
        if progress is None or progress != self.last:
            self.last, self.since, self.strikes = progress, now, 0
            return
        if now - self.since < (self.timeout if self.strikes == 0 else self.grace):
            return
        who = self.target()
        if who is None:
            return                     # nobody to interrupt yet: look again next tick
        if self.strikes and who != self.struck:
            # another thread than the one struck is running now (the engine unwinds
            # the others after giving up on one): it gets a timeout of its own
            self.since, self.strikes = now, 0
            return
        self.struck = who
        self.since = now
        self.strikes += 1
        self.message = (f"no scheduling point for {self.timeout:g} s: blocked in code the "
                        "simulation does not control (a real lock, real I/O) or spinning "
                        "without impl.sync")
        if self.strikes > 1 and self.on_stuck is not None:
            if self.sent_to is not None:
                _withdraw(self.sent_to)
                self.sent_to = None
            self.on_stuck(self.message)
        elif self.in_main and who == self.caller:
            self.fired = True
            signal.pthread_kill(self.caller, STALL_SIGNAL)
        else:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(who),
                                                       ctypes.py_object(Stall))
            self.sent_to = who


class _Watcher:
    """The process's watchdog thread and the blocks it watches (a list: no set order)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.watches: list[_Watch] = []
        self.thread: threading.Thread | None = None

    def add(self, watch: _Watch) -> None:
        with self.cond:
            self.watches.append(watch)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="aioctx-sim-watchdog",
                                               daemon=True)
                self.thread.start()
            self.cond.notify()

    def remove(self, watch: _Watch) -> None:
        """After this returns the watch fires no more (firing holds the lock)."""
        with self.cond:
            self.watches.remove(watch)

    def _run(self) -> None:
        with self.cond:
            while True:
                while not self.watches:
                    self.cond.wait()
                self.cond.wait(min(w.tick for w in self.watches))
                now = time.monotonic()
                for watch in list(self.watches):
                    watch.check(now)


_watcher = _Watcher()


def _after_fork_in_child() -> None:
    global _watcher
    _watcher = _Watcher()              # the parent's thread does not exist here


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def watchdog(progress: Callable[[], object], target: Callable[[], int | None],
             timeout: float, on_stuck: Callable[[str], None] | None = None) -> Iterator[None]:
    """Watch ``progress()`` (any value that changes while the simulation advances, None
    while nothing is being simulated: then the caller is busy elsewhere, e.g. waiting for
    worker processes, and cannot be stuck in a controlled thread).

    ``target()`` names the OS thread running the controlled thread now, the one a
    ``Stall`` is aimed at (the caller's own for fibers), or None when there is none to
    interrupt (the OS-thread engine between two threads): the watchdog then waits, as
    a ``Stall`` sent anywhere else would escape the simulation.  ``on_stuck`` is called
    when raising did not help within the grace after it (the OS-thread engine abandons
    the thread there).
    """
    if timeout <= 0:
        yield
        return
    watch = _Watch(progress, target, timeout, on_stuck)
    previous = None
    if watch.in_main:
        previous = signal.signal(STALL_SIGNAL, watch.raise_stall)
    watcher = _watcher
    watcher.add(watch)
    try:
        yield
    finally:
        watcher.remove(watch)
        if watch.in_main:
            signal.signal(STALL_SIGNAL, previous)
