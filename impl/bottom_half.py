"""Bottom halves: callbacks any thread can schedule into a context (QEMU util/async.c).

A BH is linked on its context's ``bh_list`` (a lock-free LIFO) while it is PENDING.
``aio_bh_poll`` in the home thread takes the whole list at once into a slice and runs
it; a nested ``aio_bh_poll`` (a BH callback that polls) drains the outer slices too.
Scheduling a BH that is already pending only adds flags, so several schedules before
the loop runs give one callback.  A freed BH (deleted or oneshot, once dequeued) raises
``UseAfterFree`` when touched.

Bug switches (owned by the context, copied onto each BH):
``bh-schedule-ctx-uaf`` reads ``bh.ctx`` after publishing the BH;
``bh-schedule-missing-full-barrier`` puts back both sides of the code before e8d3b1a2
(2015), which kept ``scheduled`` in a field of its own: ``qemu_bh_schedule`` and
``qemu_bh_schedule_idle`` return early after a plain load that sees SCHEDULED
(skipping the full-barrier RMW), and ``aio_bh_poll``, having unlinked the BH, clears
SCHEDULED with a plain store to that field followed by ``smp_rmb`` instead of clearing
it in the dequeue's RMW; ``bh-cancel-missing-barrier`` puts back the code before
ef6dada8 (2017): ``qemu_bh_cancel`` is a plain store to the SCHEDULED field.  The field
stores are ``Atomic.store_bits``: they leave the other flags alone, so under sequential
consistency each switch behaves like the fixed code; only a weak memory model (store
buffers) tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sync
from .errors import QemuAssertionError, UseAfterFree

if TYPE_CHECKING:
    from .aio_context import AioContext

BH_PENDING = 1 << 0      # linked on bh_list or a slice (or about to be)
BH_SCHEDULED = 1 << 1    # run the callback when dequeued
BH_DELETED = 1 << 2      # free when dequeued, without running
BH_ONESHOT = 1 << 3      # free after the callback ran
BH_IDLE = 1 << 4         # not progress; caps the poll timeout at 10 ms

IDLE_BH_TIMEOUT_NS = 10_000_000

# Masks of the hot paths, computed once (Python does not fold the constants above).
_DEQUEUE_CLEARS = ~(BH_PENDING | BH_SCHEDULED | BH_IDLE)
_DEQUEUE_KEEPS_SCHEDULED = ~(BH_PENDING | BH_IDLE)
_RUN_OR_DELETE = BH_SCHEDULED | BH_DELETED
_FREED_AFTER = BH_DELETED | BH_ONESHOT

QEMUBHFunc = Callable[[Any], None]


class MemReentrancyGuard:
    """Marks a device as busy in I/O, so a BH can notice re-entering it."""

    __slots__ = ("engaged_in_io",)

    def __init__(self) -> None:
        self.engaged_in_io = False


class QEMUBH:
    """A bottom half: ``cb(opaque)`` run in ``ctx``'s home thread when scheduled."""

    __slots__ = ("_ctx", "_name", "cb", "opaque", "next", "_flags", "reentrancy_guard",
                 "_bugs", "_freed")

    def __init__(self, ctx: AioContext, cb: QEMUBHFunc, opaque: Any = None,
                 name: str | None = None,
                 reentrancy_guard: MemReentrancyGuard | None = None) -> None:
        self._ctx = ctx
        self._name = name
        self.cb = cb
        self.opaque = opaque
        self.next: QEMUBH | None = None            # link in bh_list or a slice
        # name passed positionally: a keyword makes the class call build a dict
        self._flags = sync.Atomic(0, f"bh[{name}].flags" if name else "bh.flags")
        self.reentrancy_guard = reentrancy_guard
        self._bugs = ctx.bugs
        self._freed = False

    @property
    def name(self) -> str:
        """The name given at creation, else the callback's (as QEMU's aio_bh_new)."""
        return self._name or getattr(self.cb, "__qualname__", None) or repr(self.cb)

    @property
    def ctx(self) -> AioContext:
        if self._freed:
            raise UseAfterFree(f"BH {self.name!r} was freed, then its ctx was read")
        return self._ctx

    @property
    def flags(self) -> sync.Atomic:
        if self._freed:
            raise UseAfterFree(f"BH {self.name!r} was freed, then its flags were used")
        return self._flags

    def free(self) -> None:
        """What g_free does in QEMU: from now on, touching this BH is an error."""
        self._freed = True

    def __repr__(self) -> str:
        state = "freed" if self._freed else f"flags={self._flags.load():#x}"
        return f"<QEMUBH {self.name} {state}>"


class BHListSlice:
    """The part of ``bh_list`` one ``aio_bh_poll`` call took; private to the home thread."""

    __slots__ = ("bh_list",)

    def __init__(self, head: QEMUBH | None) -> None:
        self.bh_list = head


# --------------------------------------------------------------------------- enqueue


def aio_bh_enqueue(bh: QEMUBH, new_flags: int) -> int:
    """Add ``new_flags`` (plus PENDING), link the BH if it was not pending, notify.

    Callable from any thread.  Returns the flags as they were before.  From the
    moment the BH is linked, the home thread may run and free it: the context is
    read before that, except under the bug switch ``bh-schedule-ctx-uaf``.
    """
    if bh._freed:
        raise UseAfterFree(f"BH {bh.name!r} was freed, then scheduled or deleted")
    read_ctx_late = "bh-schedule-ctx-uaf" in bh._bugs
    ctx = bh._ctx
    old = bh._flags.fetch_or(BH_PENDING | new_flags, label="aio_bh_enqueue.fetch_or")
    if not old & BH_PENDING:                    # lock-free LIFO push onto bh_list
        head = ctx.bh_list
        while True:
            first = head.load(label="aio_bh_enqueue.load_bh_list")
            bh.next = first
            if head.cmpxchg(first, bh, label="aio_bh_enqueue.cmpxchg_bh_list") is first:
                break
    if read_ctx_late:
        # The 2014 code read bh->ctx here.  In C that is a plain load; the labelled
        # load of the BH is where another thread can run (and free it) first.
        bh.flags.load(label="aio_bh_enqueue.late_ctx_read")
        ctx = bh.ctx
    ctx.aio_notify()
    return old


def _already_scheduled(bh: QEMUBH) -> bool:
    """``if (bh->scheduled) return;``: the 2015 early return of both schedule functions
    (switch ``bh-schedule-missing-full-barrier``), a plain load with no barrier after
    the caller's stores."""
    return bool(bh.flags.load(label="qemu_bh_schedule.test_scheduled") & BH_SCHEDULED)


def qemu_bh_schedule(bh: QEMUBH) -> None:
    """Run ``bh`` once in its context's home thread, soon; any thread may call it."""
    if "bh-schedule-missing-full-barrier" in bh._bugs and _already_scheduled(bh):
        return
    aio_bh_enqueue(bh, BH_SCHEDULED)


def qemu_bh_schedule_idle(bh: QEMUBH) -> None:
    """Like ``qemu_bh_schedule``, but running it is not progress and a pending idle BH
    only makes a blocking poll wake up every 10 ms."""
    if "bh-schedule-missing-full-barrier" in bh._bugs and _already_scheduled(bh):
        return
    aio_bh_enqueue(bh, BH_SCHEDULED | BH_IDLE)


def qemu_bh_cancel(bh: QEMUBH) -> None:
    """Unschedule ``bh``; racy against other threads unless the caller serialises."""
    if "bh-cancel-missing-barrier" in bh._bugs:
        bh.flags.store_bits(BH_SCHEDULED, 0, label="qemu_bh_cancel.store")
        return
    bh.flags.fetch_and(~BH_SCHEDULED, label="qemu_bh_cancel.fetch_and")


def qemu_bh_delete(bh: QEMUBH) -> None:
    """Delete ``bh``: it never runs again and is freed by the home thread.  The caller
    must not touch it afterwards; deleting it twice is an error."""
    old = aio_bh_enqueue(bh, BH_DELETED)
    if old & BH_DELETED:
        raise QemuAssertionError(f"qemu_bh_delete: BH {bh.name!r} was already deleted")


# --------------------------------------------------------------------------- dequeue


def aio_bh_dequeue(bh_slice: BHListSlice) -> tuple[QEMUBH | None, int]:
    """Unlink the first BH of a private slice and clear its PENDING/SCHEDULED/IDLE."""
    bh = bh_slice.bh_list
    if bh is None:
        return None, 0
    bh_slice.bh_list = bh.next
    return bh, bh._flags.fetch_and(_DEQUEUE_CLEARS, label="aio_bh_dequeue.fetch_and")


def _plain_clear(bh: QEMUBH) -> int:
    """``aio_bh_poll``'s dequeue under ``bh-schedule-missing-full-barrier``: the RMW
    unlinks the BH (PENDING, IDLE) but leaves SCHEDULED, which the 2015 code then
    tested and cleared with a plain store to its own field, ordered before the
    callback's loads by ``smp_rmb`` only (no store->load barrier)."""
    flags = bh._flags.fetch_and(_DEQUEUE_KEEPS_SCHEDULED, label="aio_bh_dequeue.fetch_and")
    if flags & _RUN_OR_DELETE == BH_SCHEDULED:
        bh._flags.store_bits(BH_SCHEDULED, 0, label="aio_bh_poll.clear_scheduled")
        sync.smp_rmb("aio_bh_poll.rmb")
    return flags


def aio_bh_call(bh: QEMUBH) -> None:
    """Run the callback, marking its re-entrancy guard engaged meanwhile."""
    guard = bh.reentrancy_guard                 # read first: the callback may free the BH
    if guard is None:
        bh.cb(bh.opaque)
        return
    was_engaged = guard.engaged_in_io
    guard.engaged_in_io = True
    try:
        bh.cb(bh.opaque)
    finally:
        guard.engaged_in_io = was_engaged


def aio_bh_poll(ctx: AioContext) -> int:
    """Run the scheduled BHs of ``ctx`` (home thread); 1 if a non-idle one ran.

    Takes everything scheduled so far as a new slice, then drains the slices oldest
    first, including the slices of outer (nesting) calls.  BHs scheduled meanwhile go
    to ``bh_list`` and wait for the next call.  If a callback raises, the exception
    propagates; the BHs left in the slices run in the next call.
    """
    slices = ctx.bh_slice_list
    slices.append(BHListSlice(ctx.bh_list.xchg(None, label="aio_bh_poll.take_bh_list")))
    stats = ctx.stats
    plain_clear = "bh-schedule-missing-full-barrier" in ctx.bugs
    ret = 0
    while slices:
        bh_slice = slices[0]
        bh = bh_slice.bh_list
        if bh is None:
            slices.popleft()
            continue
        bh_slice.bh_list = bh.next                # as aio_bh_dequeue, inlined: hot loop
        if plain_clear:
            flags = _plain_clear(bh)
        else:
            flags = bh._flags.fetch_and(_DEQUEUE_CLEARS, label="aio_bh_dequeue.fetch_and")
        try:
            if flags & _RUN_OR_DELETE == BH_SCHEDULED:
                if not flags & BH_IDLE:
                    ret = 1
                stats.bh_calls += 1
                if bh.reentrancy_guard is None:
                    bh.cb(bh.opaque)
                else:
                    aio_bh_call(bh)
        finally:
            if flags & _FREED_AFTER:
                bh._freed = True
    return ret


# --------------------------------------------------------------------------- scanning


def _runnable(flags: int) -> bool:
    return flags & _RUN_OR_DELETE == BH_SCHEDULED


def aio_compute_bh_timeout(head: QEMUBH | None, timeout: int) -> int:
    """0 if a non-idle BH in the chain is runnable; 10 ms if only idle ones are."""
    bh = head
    while bh is not None:
        flags = bh.flags.load(label="aio_compute_bh_timeout.load_flags")
        if _runnable(flags):
            if not flags & BH_IDLE:
                return 0
            timeout = IDLE_BH_TIMEOUT_NS
        bh = bh.next
    return timeout


def bh_chain_has_runnable(head: QEMUBH | None) -> bool:
    """Is any BH in the chain scheduled and not deleted (idle ones included)?"""
    bh = head
    while bh is not None:
        if _runnable(bh.flags.load(label="aio_ctx_check.load_flags")):
            return True
        bh = bh.next
    return False
