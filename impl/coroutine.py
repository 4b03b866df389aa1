"""QEMU coroutines as Python ``async def`` functions (util/qemu-coroutine.c).

A QEMU ``coroutine_fn`` is an ``async def`` here, and ``await`` chains play the role of
the coroutine's own stack.  A ``Coroutine`` wraps one such function; entering it means
driving its Python coroutine object with ``send()`` from the entering thread, until it
awaits ``qemu_coroutine_yield()`` or returns.  Only awaiting QEMU's own coroutine
operations is allowed (there is no asyncio loop underneath).

Fields follow QEMU's ``struct Coroutine``:

* ``caller``: who entered it (another coroutine, or the thread's leader); set while it
  runs, cleared when it yields.  Entering a coroutine whose ``caller`` is set is a
  recursive entry and fails like QEMU's abort.
* ``ctx``: the context of its last entry; written by the entering thread, read by
  ``aio_co_wake`` in any thread.
* ``scheduled``: a tag, set while it sits on a context's ``scheduled_coroutines`` list
  (aio_coroutine.py); entering it meanwhile would run it twice.
* ``co_queue_wakeup``: coroutines it woke while running (``aio_co_enter`` from inside a
  coroutine defers the entry); the entering loop runs them, depth first, when it yields
  or terminates.  The loop is iterative, so chains of wake-ups do not grow the stack.

A coroutine that returned is freed: touching it afterwards raises ``UseAfterFree``.

Bug switch ``coqueue-restart-uaf`` (owned by the entering context): after the coroutine
yields, walk its own ``co_queue_wakeup`` entering each one recursively (the 2017
``qemu_co_queue_run_restart``), instead of moving the list onto the local queue first.
"""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from . import sync
from .errors import QemuAssertionError, UseAfterFree
from .home_thread import qemu_get_current_aio_context

if TYPE_CHECKING:
    from .aio_context import AioContext

CoroutineEntry = Callable[[Any], Awaitable[Any]]

_current = sync.ThreadLocal(name="current_coroutine")
_leader = sync.ThreadLocal(name="leader_coroutine")


class _YieldSignal:
    """What ``qemu_coroutine_yield`` hands to the entering loop through ``send()``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<coroutine yield>"


_YIELD = _YieldSignal()


class _CoField:
    """A coroutine field that cannot be used once the coroutine was freed."""

    __slots__ = ("name", "slot")

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_" + name

    def __get__(self, co: Coroutine | None, owner: type) -> Any:
        if co is None:
            return self
        if co._freed:
            raise co._use_after_free(self.name)
        return getattr(co, self.slot)

    def __set__(self, co: Coroutine, value: Any) -> None:
        if co._freed:
            raise co._use_after_free(self.name)
        setattr(co, self.slot, value)


class Coroutine:
    """One coroutine: an ``async def`` entry point with QEMU's scheduling fields."""

    __slots__ = ("name", "entry", "entry_arg", "_coro", "_freed", "_caller", "_ctx",
                 "_scheduled", "_co_queue_wakeup", "_co_scheduled_next")

    caller = _CoField()
    ctx = _CoField()
    scheduled = _CoField()
    co_queue_wakeup = _CoField()
    co_scheduled_next = _CoField()

    def __init__(self, entry: CoroutineEntry | None, opaque: Any = None,
                 name: str | None = None) -> None:
        self.name = name or getattr(entry, "__qualname__", "leader")
        self.entry = entry
        self.entry_arg = opaque
        self._coro: Any = None                  # the Python coroutine, made at first entry
        self._freed = False
        self._caller: Coroutine | None = None
        self._ctx = sync.Atomic(None, name=f"co[{self.name}].ctx")
        self._scheduled = sync.Atomic(None, name=f"co[{self.name}].scheduled")
        self._co_queue_wakeup: deque[Coroutine] = deque()
        self._co_scheduled_next: Coroutine | None = None

    def _use_after_free(self, field: str) -> UseAfterFree:
        return UseAfterFree(f"coroutine {self.name!r} terminated and was freed, "
                            f"then its {field} was used")

    def free(self) -> None:
        """What ``coroutine_delete`` does: from now on, touching it is an error."""
        self._freed = True

    @property
    def freed(self) -> bool:
        return self._freed

    def __repr__(self) -> str:
        return f"<Coroutine {self.name}{' freed' if self._freed else ''}>"


def qemu_coroutine_create(entry: CoroutineEntry, opaque: Any = None,
                          name: str | None = None) -> Coroutine:
    """A coroutine that will run ``await entry(opaque)`` when first entered."""
    return Coroutine(entry, opaque, name)


def qemu_coroutine_self() -> Coroutine:
    """The running coroutine; outside coroutines, the calling thread's leader."""
    co = _current.get(None)
    if co is not None:
        return co
    leader = _leader.get(None)
    if leader is None:
        leader = Coroutine(None, name="leader")
        _leader.set(leader)
    return leader


def qemu_in_coroutine() -> bool:
    """Is the calling code running inside a coroutine?"""
    return _current.get(None) is not None


def qemu_coroutine_entered(co: Coroutine) -> bool:
    """Has ``co`` been entered and not yet yielded (is it on some thread's stack)?"""
    return co.caller is not None


def qemu_coroutine_get_aio_context(co: Coroutine) -> AioContext | None:
    """The context ``co`` was last entered in."""
    return co.ctx.load(label="qemu_coroutine_get_aio_context.load_ctx")


@types.coroutine
def qemu_coroutine_yield() -> Generator[_YieldSignal, None, None]:
    """Give control back to whoever entered the running coroutine (``await`` it)."""
    self = _current.get(None)
    if self is None or self.caller is None:
        raise QemuAssertionError("Co-routine is yielding to no one")
    self.caller = None
    yield _YIELD


def _switch(ctx: AioContext | None, to: Coroutine, caller: Coroutine) -> bool:
    """Run ``to`` until it yields (False) or terminates (True)."""
    # relaxed, as QEMU reads it (after smp_read_barrier_depends, which orders nothing
    # but on Alpha): pairs with the cmpxchg in aio_co_schedule
    scheduled = to.scheduled.load(label="qemu_aio_coroutine_enter.load_scheduled")
    if scheduled is not None:
        raise QemuAssertionError(f"qemu_aio_coroutine_enter: Co-routine was already "
                                 f"scheduled in '{scheduled}'")
    if to.caller is not None:
        raise QemuAssertionError("Co-routine re-entered recursively")
    if to.entry is None:
        raise QemuAssertionError("a thread's leader coroutine cannot be entered")
    to.caller = caller
    to.ctx.store(ctx, label="qemu_aio_coroutine_enter.store_ctx")
    sync.smp_wmb("qemu_aio_coroutine_enter.wmb")     # ctx before anything `to` publishes
    if to._coro is None:
        to._coro = to.entry(to.entry_arg)           # type: ignore[misc]
    outer = _current.get(None)
    _current.set(to)
    try:
        signal = to._coro.send(None)
    except StopIteration:
        return True
    except BaseException:
        to.free()                                   # it died: nobody may enter it again
        raise
    finally:
        _current.set(outer)
    if signal is not _YIELD:
        to.free()
        raise QemuAssertionError(f"coroutine {to.name!r} awaited {signal!r}; a coroutine_fn "
                                 "may only await QEMU coroutine operations")
    return False


def _enter_with_run_restart(ctx: AioContext | None, co: Coroutine, caller: Coroutine) -> None:
    """The 2017 enter: run ``co``, then walk its own wake-up list, entering each
    coroutine recursively.  If one of them re-enters ``co`` and ``co`` finishes, the
    walk reads a freed coroutine (bug ``coqueue-restart-uaf``)."""
    terminated = _switch(ctx, co, caller)
    while co.co_queue_wakeup:
        _enter_with_run_restart(ctx, co.co_queue_wakeup.popleft(), caller)
    if terminated:
        co.free()


def qemu_aio_coroutine_enter(ctx: AioContext | None, co: Coroutine) -> None:
    """Enter ``co`` in ``ctx``, then the coroutines it queued for wake-up, depth first.

    Returns when ``co`` and everything it (transitively) woke have yielded or finished.
    A coroutine scheduled in some context, or already running, is not entered: that
    is QEMU's abort, raised as ``QemuAssertionError``.
    """
    caller = qemu_coroutine_self()
    if ctx is not None and "coqueue-restart-uaf" in ctx.bugs:
        _enter_with_run_restart(ctx, co, caller)
        return
    pending: deque[Coroutine] = deque([co])
    while pending:
        to = pending.popleft()
        terminated = _switch(ctx, to, caller)
        woken = to.co_queue_wakeup
        pending.extendleft(reversed(woken))          # its wake-ups run before older ones
        woken.clear()
        if terminated:
            to.free()


def qemu_coroutine_enter(co: Coroutine) -> None:
    """Enter ``co`` in the calling thread's current context."""
    qemu_aio_coroutine_enter(qemu_get_current_aio_context(), co)


def qemu_coroutine_enter_if_inactive(co: Coroutine) -> None:
    """Enter ``co`` unless it is running right now."""
    if not qemu_coroutine_entered(co):
        qemu_coroutine_enter(co)
