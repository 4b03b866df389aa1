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
  stuck thread (``ThreadEngine.abandon``) and reports it.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from .failures import Stall

STALL_SIGNAL = signal.SIGUSR2


class _Guard:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.fired = False
        self.message = ""


def _raise_stall(guard: _Guard) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        if guard.fired:
            guard.fired = False
            raise Stall(guard.message)
    return handler


def _async_raise(ident: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(Stall))


@contextmanager
def watchdog(progress: Callable[[], object], target: Callable[[], int | None],
             timeout: float, on_stuck: Callable[[str], None] | None = None) -> Iterator[None]:
    """Watch ``progress()`` (any value that changes while the simulation advances, None
    while nothing is being simulated: then the caller is busy elsewhere, e.g. waiting for
    worker processes, and cannot be stuck in a controlled thread).

    ``target()`` names the OS thread running the controlled thread now (None: the
    caller's thread).  ``on_stuck`` is called when raising did not help after a second
    ``timeout`` (the OS-thread engine abandons the thread there).
    """
    if timeout <= 0:
        yield
        return
    guard = _Guard(timeout)
    caller = threading.get_ident()
    in_main = threading.current_thread() is threading.main_thread()
    previous = None
    if in_main:
        previous = signal.signal(STALL_SIGNAL, _raise_stall(guard))
    stop = threading.Event()

    def watch() -> None:
        last = progress()
        quiet = 0.0
        tick = min(timeout / 4, 0.25)
        strikes = 0
        while not stop.wait(tick):
            now = progress()
            if now is None or now != last:
                last, quiet, strikes = now, 0.0, 0
                continue
            quiet += tick
            if quiet < timeout:
                continue
            quiet = 0.0
            strikes += 1
            who = target() or caller
            guard.message = (f"no scheduling point for {timeout:g} s: blocked in code the "
                             "simulation does not control (a real lock, real I/O) or "
                             "spinning without impl.sync")
            if strikes > 1 and on_stuck is not None:
                on_stuck(guard.message)
            elif in_main and who == caller:
                guard.fired = True
                signal.pthread_kill(caller, STALL_SIGNAL)
            else:
                _async_raise(who)

    watcher = threading.Thread(target=watch, name="aioctx-sim-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        if in_main:
            signal.signal(STALL_SIGNAL, previous)
