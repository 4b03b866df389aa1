"""What a program tells the simulation about itself, from inside an execution.

``pending(check, what)``: ``check()`` is true while work is outstanding (a BH scheduled
but not run, a request completed but not delivered).  If every thread blocks while it
is true, the failure is a lost wakeup instead of a plain deadlock.

``invariant(check, what)``: ``check()`` must be true when the execution ends.

``daemon(thread)``: the execution ends when every other thread has finished, even if
this (started) thread still runs, as a process ends with only daemon threads left
(impl's real threads are daemons).  Scenarios use it for event-loop threads, so that
an execution stops once the race is decided instead of spending steps on shutdown.

All three apply to the current execution only (checks run without scheduling points);
outside a simulation they do nothing, so the same program also runs for real.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aioctx.impl import sync

from .execution import Execution


def _execution() -> Execution | None:
    backend = sync.current_backend()
    return backend if isinstance(backend, Execution) else None


def pending(check: Callable[[], Any], what: str) -> None:
    ex = _execution()
    if ex is not None:
        ex.pending_checks.append((check, what))


def invariant(check: Callable[[], Any], what: str) -> None:
    ex = _execution()
    if ex is not None:
        ex.invariants.append((lambda: not check(), what))


def in_simulation() -> bool:
    """True inside a simulated execution."""
    return _execution() is not None


def daemon(thread: sync.Thread) -> None:
    ex = _execution()
    if ex is None:
        return
    sim_thread = getattr(thread, "_sim", None)
    if sim_thread is None:
        raise RuntimeError("sim.daemon() needs a started sync.Thread")
    sim_thread.daemon = True
