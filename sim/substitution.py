"""Plain ``threading``, ``queue`` and ``time`` under the scheduler, for one execution.

impl code picks its simulated primitives at construction (``impl.sync``); code written
against the standard library cannot be asked to.  So for the length of each execution
the names it reaches are swapped: ``threading.Lock``, ``RLock``, ``Condition``,
``Event``, ``Semaphore``, ``BoundedSemaphore``, ``Barrier``, ``local``,
``current_thread``, ``get_ident``, ``queue.SimpleQueue``, ``time.sleep``,
``monotonic``, ``perf_counter`` (and their ``_ns`` forms), ``Thread.start``/``join``/
``is_alive`` (so subclasses of ``Thread`` are covered) and the pieces of
``concurrent.futures.thread`` that would otherwise hold a real lock across a
scheduling point.  The program's own modules that imported one of these names
(``from threading import Lock``) see the swap too, and their locks built at import
(a module-level ``lock = threading.Lock()``, a class attribute) stand in for a
simulated lock made fresh for each execution (``LockBuiltBefore``).

Each stand-in decides per call: in a controlled thread it builds or does the
simulated thing (``sim.pysync``, ``sim.pythread``), anywhere else (another OS thread
of the process, the scheduler itself) the real one.  ``Substitution`` is a context
manager the runner enters around every execution; on leaving, every name is put back,
so nothing outlives the execution, even when it ends by an exception.
"""

from __future__ import annotations

import concurrent.futures.thread as futures_thread
import queue
import sys
import threading
import time
from typing import Any

from . import pythread as T
from .linemode import traced
from .pysync import (
    SimBarrier,
    SimBoundedSemaphore,
    SimCondition,
    SimEvent,
    SimLock,
    SimRLock,
    SimSemaphore,
    SimSimpleQueue,
)


class Switch(type):
    """A stand-in for a class (or factory) of the standard library: calling it in a
    controlled thread builds ``sim``, anywhere else ``real``.  ``isinstance`` accepts
    instances of both."""

    real: Any
    sim: type

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if T.execution() is not None:
            return cls.sim(*args, **kwargs)
        return cls.real(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        kinds = (cls.sim, cls.real) if isinstance(cls.real, type) else (cls.sim,)
        return isinstance(obj, kinds)

    def __subclasscheck__(cls, sub: type) -> bool:
        kinds = (cls.sim, cls.real) if isinstance(cls.real, type) else (cls.sim,)
        return issubclass(sub, kinds)


def switch(real: Any, sim: type) -> Switch:
    return Switch(getattr(real, "__name__", sim.__name__), (),
                  {"real": real, "sim": sim, "__module__": getattr(real, "__module__", "")})


class LockBuiltBefore:
    """A lock built before the execution (at import: a module global, a class
    attribute, or ``concurrent.futures.thread``'s process-wide lock) and so real:
    while it stands in for it, controlled threads get a simulated lock of the same
    kind, fresh in each execution and named after the variable, and every other
    thread the real one."""

    def __init__(self, real: Any, kind: type[SimLock], name: str) -> None:
        self.real = real
        self.kind = kind
        self.name = name
        self.execution: Any = None
        self.sim: SimLock | None = None

    def _simulated(self) -> Any:
        ex = T.execution()
        if ex is None:
            return self.real
        if self.execution is not ex:
            self.execution, self.sim = ex, self.kind(self.name)
        return self.sim

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        return self._simulated().acquire(*args, **kwargs)

    def release(self) -> None:
        self._simulated().release()

    def locked(self) -> bool:
        return self._simulated().locked()

    def __enter__(self) -> bool:
        return self._simulated().acquire()

    def __exit__(self, *exc: object) -> None:
        self._simulated().release()

    def forget(self) -> None:
        self.execution = self.sim = None


REAL_LOCK_KINDS = {type(threading.Lock()): SimLock, type(threading.RLock()): SimRLock}


# (object, attribute, stand-in) for every name swapped during an execution.
SWAPS: list[tuple[Any, str, Any]] = [
    (threading, "Lock", switch(threading.Lock, SimLock)),
    (threading, "RLock", switch(threading.RLock, SimRLock)),
    (threading, "Condition", switch(threading.Condition, SimCondition)),
    (threading, "Event", switch(threading.Event, SimEvent)),
    (threading, "Semaphore", switch(threading.Semaphore, SimSemaphore)),
    (threading, "BoundedSemaphore", switch(threading.BoundedSemaphore, SimBoundedSemaphore)),
    (threading, "Barrier", switch(threading.Barrier, SimBarrier)),
    (threading, "local", switch(threading.local, T.SimLocal)),
    (threading, "current_thread", T.current_thread),
    (threading, "get_ident", T.get_ident),
    (threading, "_newname", T.newname),
    (threading.Thread, "start", T.start),
    (threading.Thread, "join", T.join),
    (threading.Thread, "is_alive", T.is_alive),
    (queue, "SimpleQueue", switch(queue.SimpleQueue, SimSimpleQueue)),
    (queue, "time", T.monotonic),
    (time, "sleep", T.sleep),
    (time, "monotonic", T.monotonic),
    (time, "monotonic_ns", T.monotonic_ns),
    (time, "perf_counter", T.perf_counter),
    (time, "perf_counter_ns", T.perf_counter_ns),
    (futures_thread, "_global_shutdown_lock",
     LockBuiltBefore(futures_thread._global_shutdown_lock,    # type: ignore[attr-defined]
                     SimLock, "concurrent.futures._global_shutdown_lock")),
    (futures_thread.ThreadPoolExecutor, "_counter", staticmethod(T.pool_counter)),
    (futures_thread.ThreadPoolExecutor, "_adjust_thread_count", T.adjust_thread_count),
]
MISSING = object()            # an attribute the class inherits: put back by deleting it
ORIGINALS: list[tuple[Any, str, Any]] = [(obj, name, obj.__dict__.get(name, MISSING))
                                         for obj, name, _new in SWAPS]
# a name the program's own modules may have imported, by the identity of its value
_BY_ORIGINAL = {id(orig): new for (obj, _n, orig), (_o, _n2, new) in zip(
    ORIGINALS, SWAPS, strict=True) if isinstance(obj, type(threading))}


def _grouped(table: list[tuple[Any, str, Any]]) -> tuple[list[tuple[dict[str, Any],
                                                                  dict[str, Any]]],
                                                        list[tuple[Any, str, Any]]]:
    """The swaps as one ``dict.update`` per module (cheaper than a setattr per name:
    this runs twice per execution) and the class attributes, which need setattr."""
    modules: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    classes = []
    for obj, name, value in table:
        if isinstance(obj, type):
            classes.append((obj, name, value))
        else:
            modules.setdefault(id(obj), (vars(obj), {}))[1][name] = value
    return list(modules.values()), classes


_SWAP_IN = _grouped(SWAPS)
_SWAP_OUT = _grouped(ORIGINALS)


Place = tuple[Any, str, Any, Any]      # (module dict or class, name, original, stand-in)


def _places(module: Any) -> list[Place]:
    """The names of a program module (and of the classes it defines) that hold a
    swapped original or a lock built at import, with their stand-ins."""
    found: list[Place] = []
    names = module.__dict__
    for name, value in list(names.items()):
        new = _BY_ORIGINAL.get(id(value))
        if new is not None:
            found.append((names, name, value, new))
        elif type(value) in REAL_LOCK_KINDS:
            found.append((names, name, value, LockBuiltBefore(
                value, REAL_LOCK_KINDS[type(value)], name)))
        elif isinstance(value, type) and value.__module__ == module.__name__:
            for attr, held in list(vars(value).items()):
                if type(held) in REAL_LOCK_KINDS:
                    found.append((value, attr, held, LockBuiltBefore(
                        held, REAL_LOCK_KINDS[type(held)], f"{value.__name__}.{attr}")))
    return found


class _Aliases:
    """The places of the program's modules to swap, found again only when modules
    were imported since the last look."""

    def __init__(self) -> None:
        self.seen = 0
        self.found: list[Place] = []

    def current(self) -> list[Place]:
        modules = sys.modules
        if len(modules) != self.seen:
            self.seen = len(modules)
            self.found = []
            for module in list(modules.values()):
                filename = getattr(module, "__file__", None)
                if filename and traced(filename):
                    self.found.extend(_places(module))
        return self.found


_aliases = _Aliases()


def _forget_simulated_workers() -> None:
    """concurrent.futures joins the workers it lists at interpreter exit: the ones a
    simulated pool started were never OS threads, so they leave the list with their
    execution."""
    workers = futures_thread._threads_queues              # type: ignore[attr-defined]
    for thread in list(workers):
        if getattr(thread, "_aioctx_handle", None) is not None:
            del workers[thread]


class Substitution:
    """Swap the names in for one execution (``with Substitution():``), then back."""

    __slots__ = ("aliases",)

    def __enter__(self) -> Substitution:
        modules, classes = _SWAP_IN
        for names, values in modules:
            names.update(values)
        for cls, name, value in classes:
            setattr(cls, name, value)
        self.aliases = _aliases.current()
        for place, name, _orig, new in self.aliases:
            if isinstance(place, dict):
                place[name] = new
            else:
                setattr(place, name, new)
        return self

    def __exit__(self, *exc: object) -> None:
        if futures_thread._threads_queues:            # type: ignore[attr-defined]
            _forget_simulated_workers()
        modules, classes = _SWAP_OUT
        for names, values in modules:
            names.update(values)
        for cls, name, value in classes:
            if value is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, value)
        for place, name, orig, new in self.aliases:
            if isinstance(place, dict):
                place[name] = orig
            else:
                setattr(place, name, orig)
            if isinstance(new, LockBuiltBefore):
                new.forget()
