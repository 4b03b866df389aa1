"""The world bench_sim's peers run the catalogue scenarios in: the same impl code on real
threads, with the EventNotifier and poll built on one ``threading.Condition`` (the
peers control ``threading`` but not eventfds), and the small program every tool warms
up on.  Imported by bench_sim.py (a script beside it, so no package is needed)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from aioctx.impl import sync


class _CondNotifier(sync.EventNotifier):
    """An EventNotifier made of a flag and the backend's condition (peers can see it)."""

    __slots__ = ("_backend", "_flag")

    def __init__(self, active: bool = False, name: str | None = None) -> None:
        self.name = name
        self._backend = backend = sync.current_backend()
        self._flag = bool(active)
        self.rfd = self.wfd = backend.register(self)
        self.initialized = True

    def set(self, label: str | None = None) -> int:
        with self._backend.cond:
            self._flag = True
            self._backend.cond.notify_all()
        return 0

    def test_and_clear(self, label: str | None = None) -> bool:
        with self._backend.cond:
            was, self._flag = self._flag, False
        return was

    def cleanup(self) -> None:
        self.initialized = False


class _CondPoller(sync.Poller):
    __slots__ = ("_backend",)

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._backend = sync.current_backend()

    def poll(self, fds: Any, timeout_ns: int, label: str | None = None) -> list[int]:
        backend = self._backend
        notifiers = [backend.fds[fd] for fd, _ in fds]
        with backend.cond:
            if timeout_ns != 0 and not any(n._flag for n in notifiers):
                backend.cond.wait(None if timeout_ns < 0 else timeout_ns / 1e9)
            return [sync.POLLIN if n._flag else 0 for n in notifiers]


class CondBackend:
    """impl.sync backend for the peers: real threads, fds made of a condition."""

    def __init__(self) -> None:
        self.classes = {sync.EventNotifier: _CondNotifier, sync.Poller: _CondPoller}
        self.cond = threading.Condition()
        self.fds: dict[int, _CondNotifier] = {}
        self.locals = threading.local()

    def register(self, notifier: _CondNotifier) -> int:
        fd = 1000 + len(self.fds)
        self.fds[fd] = notifier
        return fd

    def fence(self, kind: str, label: str | None) -> None:
        """Python threads are sequentially consistent."""

    def cpu_relax(self, label: str | None) -> None:
        time.sleep(0)

    def thread_locals(self) -> dict[Any, Any]:
        if not hasattr(self.locals, "slots"):
            self.locals.slots = {}
        return self.locals.slots

    def global_state(self) -> dict[str, Any]:
        return sync._real_globals          # shared with the program's other threads


def fresh_world() -> None:
    """Forget QEMU's process globals (main loop, graph lock, pools), as a new process
    would: every run of a scenario outside the simulation starts from scratch."""
    sync._real_globals.clear()


def peer_model(program: Callable[[], None]) -> Callable[[], None]:
    """``program`` as a zero-argument model for the peers."""
    def model() -> None:
        fresh_world()
        with sync.using_backend(CondBackend()):
            program()
    return model


def warm_program() -> None:
    """What every tool runs before the clock starts: two threads, a lost update."""
    x = sync.Atomic(0, name="x")

    def inc() -> None:
        x.store(x.load() + 1)

    t = sync.Thread(inc, name="inc")
    t.start()
    inc()
    t.join()
    assert x.load() == 2, "lost update"
