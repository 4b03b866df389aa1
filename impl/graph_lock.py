"""The block-graph reader/writer lock (QEMU block/graph-lock.c, include/block/graph-lock.h).

Readers are coroutines in any context; the one writer is the main loop.  To keep the
read side cheap, each context counts its own readers (``BdrvGraphRWlock.reader_count``,
written only by coroutines running in that context's home thread) and the writer adds
them all up under ``aio_context_list_lock``.  A coroutine that takes the lock in one
context and releases it in another leaves one count +1 and the other -1: only the sum
means anything, and when a context is destroyed its count moves to
``orphaned_reader_count``.

Reader fast path and writer form a store-buffering pair: the reader raises its count,
full barrier, reads ``has_writer``; the writer sets ``has_writer``, full barrier,
re-counts.  A reader that sees the writer undoes its count under the mutex, kicks the
writer (who may be waiting for exactly that decrement) and sleeps in ``reader_queue``
until ``bdrv_graph_wrunlock``.  While the writer polls for readers to leave it keeps
``has_writer`` at 0, so that callbacks it runs can still take the read lock; hence a
reader that unlocks must always kick.

Process-wide bug switches (``bugs.set_global_bugs``):
``graph-wrlock-polls-holding-aiocontext``: the writer polls while still holding the
AioContext lock its caller passed in (``held_ctx``); ``graph-rdunlock-kick-conditional``:
rdunlock kicks only if ``has_writer`` is set; ``graph-rdlock-no-barrier``: no full
barrier in the reader fast path.

``GraphLockGhost`` keeps the checker's view (graph_lock_invariants.py): which
coroutines hold the lock, how many acquisitions the counts include, where the writer
is.  It is updated right next to the operation it mirrors, with no scheduling point in
between, and the lock itself never reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sync
from .aio_wait import AIO_WAIT_WHILE_UNLOCKED, aio_wait_kick, qemu_in_main_thread
from .bottom_half import aio_bh_poll
from .bugs import global_bug
from .coqueue import CoQueue, qemu_co_enter_all, qemu_co_queue_wait
from .coroutine import Coroutine, qemu_coroutine_self, qemu_in_coroutine
from .errors import Freed, qemu_assert
from .home_thread import qemu_get_aio_context, qemu_get_current_aio_context

if TYPE_CHECKING:
    from .aio_context import AioContext

WRITER_NONE = "none"              # no writer anywhere in wrlock/wrunlock
WRITER_WAITING = "waiting"        # inside bdrv_graph_wrlock, not yet in
WRITER_INSIDE = "inside"          # wrlock returned, wrunlock not started
WRITER_UNLOCKING = "unlocking"    # inside bdrv_graph_wrunlock, waking readers


class BdrvGraphRWlock:
    """One context's share of the reader count."""

    __slots__ = ("name", "reader_count")

    def __init__(self, name: str) -> None:
        self.name = name
        self.reader_count = sync.Atomic(0, name=f"{name}.bdrv_graph.reader_count")

    def __repr__(self) -> str:
        return f"<BdrvGraphRWlock {self.name}>"


class GraphLockGhost:
    """What the invariant checker knows that the lock does not keep."""

    def __init__(self) -> None:
        self.counted = 0                        # acquisitions included in the counts
        self.holders: dict[Coroutine, int] = {}  # readers inside, with their depth
        self.writer = WRITER_NONE


class GraphLockGlobals:
    """block/graph-lock.c's file-scope state (one set per process / execution)."""

    def __init__(self) -> None:
        self.aio_context_list_lock = sync.Mutex(name="aio_context_list_lock")
        self.has_writer = sync.Atomic(0, name="has_writer")
        # protected by aio_context_list_lock:
        self.orphaned_reader_count = 0
        self.reader_queue = CoQueue(name="reader_queue")
        self.aio_context_list: list[BdrvGraphRWlock] = []
        self.ghost = GraphLockGhost()


def graph_lock_globals() -> GraphLockGlobals:
    return sync.global_state("impl.graph_lock", GraphLockGlobals)


# --------------------------------------------------------------------------- contexts


def register_aiocontext(ctx: AioContext) -> None:
    """End of ``aio_context_new``: give ``ctx`` its counter and list it."""
    g = graph_lock_globals()
    ctx.bdrv_graph = BdrvGraphRWlock(ctx.name)
    g.aio_context_list_lock.lock(label="register_aiocontext.lock")
    g.aio_context_list.append(ctx.bdrv_graph)
    g.aio_context_list_lock.unlock(label="register_aiocontext.unlock")


def unregister_aiocontext(ctx: AioContext) -> None:
    """From finalization: hand the context's (possibly negative) count to the
    orphaned counter and forget the context."""
    g = graph_lock_globals()
    bdrv_graph = ctx.bdrv_graph
    g.aio_context_list_lock.lock(label="unregister_aiocontext.lock")
    g.orphaned_reader_count += bdrv_graph.reader_count.load(label="unregister_aiocontext.load")
    g.aio_context_list.remove(bdrv_graph)
    g.aio_context_list_lock.unlock(label="unregister_aiocontext.unlock")
    ctx.bdrv_graph = Freed(f"the graph-lock counter of AioContext {ctx.name!r}")


def reader_count() -> int:
    """The writer's count of readers: orphaned plus every context's share."""
    g = graph_lock_globals()
    g.aio_context_list_lock.lock(label="reader_count.lock")
    rd = g.orphaned_reader_count
    for bdrv_graph in g.aio_context_list:
        rd += bdrv_graph.reader_count.load(label="reader_count.load")
    g.aio_context_list_lock.unlock(label="reader_count.unlock")
    qemu_assert(rd >= 0, f"reader_count: the total reader count is negative ({rd})")
    return rd


# --------------------------------------------------------------------------- writer


def bdrv_graph_wrlock(held_ctx: AioContext | None = None) -> None:
    """Main loop, not in a coroutine: wait until no reader is inside, then keep new
    ones out until ``bdrv_graph_wrunlock``.

    ``held_ctx`` is the context whose (legacy) AioContext lock the caller holds, as
    the late-2023 ``bdrv_graph_wrlock(bs)`` found it from ``bs``: unless it is the main
    context, it is released while polling, because a reader may need it to finish.
    """
    g = graph_lock_globals()
    qemu_assert(qemu_in_main_thread(), "bdrv_graph_wrlock: not called from the main loop")
    qemu_assert(not g.has_writer.load(label="bdrv_graph_wrlock.load_has_writer"),
                "bdrv_graph_wrlock: the graph is already write-locked")
    qemu_assert(not qemu_in_coroutine(), "bdrv_graph_wrlock: called in a coroutine")
    release = (held_ctx is not None and held_ctx is not qemu_get_aio_context()
               and not global_bug("graph-wrlock-polls-holding-aiocontext"))
    if release:
        assert held_ctx is not None
        held_ctx.aio_context_release()
    g.ghost.writer = WRITER_WAITING
    while True:
        # 0 while polling: callbacks run by the loop may need the read lock
        g.has_writer.store(0, label="bdrv_graph_wrlock.clear_has_writer")
        AIO_WAIT_WHILE_UNLOCKED(None, lambda: reader_count() >= 1)
        g.has_writer.store(1, label="bdrv_graph_wrlock.set_has_writer")
        sync.smp_mb("bdrv_graph_wrlock.mb")      # announce before re-counting
        if reader_count() == 0:
            break
    g.ghost.writer = WRITER_INSIDE
    if release:
        assert held_ctx is not None
        held_ctx.aio_context_acquire()


def bdrv_graph_wrunlock() -> None:
    """Main loop: end the write section and wake every reader that waited for it."""
    g = graph_lock_globals()
    qemu_assert(qemu_in_main_thread(), "bdrv_graph_wrunlock: not called from the main loop")
    qemu_assert(g.has_writer.load(label="bdrv_graph_wrunlock.load_has_writer"),
                "bdrv_graph_wrunlock: the graph is not write-locked")
    g.ghost.writer = WRITER_UNLOCKING
    lock = g.aio_context_list_lock
    lock.lock(label="bdrv_graph_wrunlock.lock")
    g.has_writer.store(0, sync.RELEASE, label="bdrv_graph_wrunlock.clear_has_writer")
    qemu_co_enter_all(g.reader_queue, lock)
    lock.unlock(label="bdrv_graph_wrunlock.unlock")
    g.ghost.writer = WRITER_NONE
    main = qemu_get_aio_context()
    assert main is not None
    aio_bh_poll(main)        # BHs queued during the write section, after readers restarted


# --------------------------------------------------------------------------- readers


def _current_bdrv_graph(who: str) -> BdrvGraphRWlock:
    qemu_assert(qemu_in_coroutine(), f"{who}: not called from a coroutine")
    ctx = qemu_get_current_aio_context()
    qemu_assert(ctx is not None, f"{who}: the coroutine runs in a thread without a context")
    assert ctx is not None
    return ctx.bdrv_graph


async def bdrv_graph_co_rdlock() -> None:
    """coroutine_fn: take the read lock (count in this context; sleep while a writer
    is in)."""
    g = graph_lock_globals()
    bdrv_graph = _current_bdrv_graph("bdrv_graph_co_rdlock")
    count = bdrv_graph.reader_count
    me = qemu_coroutine_self()
    while True:
        count.store(count.load(label="bdrv_graph_co_rdlock.load_count") + 1,
                    label="bdrv_graph_co_rdlock.inc_count")
        g.ghost.counted += 1
        if not global_bug("graph-rdlock-no-barrier"):
            sync.smp_mb("bdrv_graph_co_rdlock.mb")    # count before reading has_writer
        if not g.has_writer.load(label="bdrv_graph_co_rdlock.load_has_writer"):
            _ghost_hold(g.ghost, me)
            return
        lock = g.aio_context_list_lock
        lock.lock(label="bdrv_graph_co_rdlock.lock")
        if not g.has_writer.load(label="bdrv_graph_co_rdlock.recheck_has_writer"):
            _ghost_hold(g.ghost, me)                  # the writer left meanwhile
            lock.unlock(label="bdrv_graph_co_rdlock.unlock")
            return
        count.store(count.load(label="bdrv_graph_co_rdlock.reload_count") - 1,
                    label="bdrv_graph_co_rdlock.undo_count")
        g.ghost.counted -= 1
        aio_wait_kick()                               # the writer may wait for this
        await qemu_co_queue_wait(g.reader_queue, lock)
        lock.unlock(label="bdrv_graph_co_rdlock.unlock_after_wait")


async def bdrv_graph_co_rdunlock() -> None:
    """coroutine_fn: drop the read lock, counting in the context we are in now."""
    g = graph_lock_globals()
    bdrv_graph = _current_bdrv_graph("bdrv_graph_co_rdunlock")
    count = bdrv_graph.reader_count
    _ghost_release(g.ghost, qemu_coroutine_self())
    count.store(count.load(label="bdrv_graph_co_rdunlock.load_count") - 1, sync.RELEASE,
                label="bdrv_graph_co_rdunlock.dec_count")
    g.ghost.counted -= 1
    sync.smp_mb("bdrv_graph_co_rdunlock.mb")          # count before the kick reads waiters
    if global_bug("graph-rdunlock-kick-conditional"):
        if not g.has_writer.load(label="bdrv_graph_co_rdunlock.load_has_writer"):
            return
    aio_wait_kick()


def _ghost_hold(ghost: GraphLockGhost, co: Coroutine) -> None:
    ghost.holders[co] = ghost.holders.get(co, 0) + 1


def _ghost_release(ghost: GraphLockGhost, co: Coroutine) -> None:
    depth = ghost.holders.get(co, 0) - 1
    if depth:
        ghost.holders[co] = depth               # negative: released more than taken
    else:
        del ghost.holders[co]


def bdrv_graph_rdlock_main_loop() -> None:
    """The main loop reads the graph without counting (writers are main-loop too)."""
    qemu_assert(qemu_in_main_thread(), "bdrv_graph_rdlock_main_loop: not in the main loop")
    qemu_assert(not qemu_in_coroutine(), "bdrv_graph_rdlock_main_loop: called in a coroutine")


def bdrv_graph_rdunlock_main_loop() -> None:
    qemu_assert(qemu_in_main_thread(), "bdrv_graph_rdunlock_main_loop: not in the main loop")
    qemu_assert(not qemu_in_coroutine(), "bdrv_graph_rdunlock_main_loop: called in a coroutine")


def assert_bdrv_graph_readable() -> None:
    """The caller may read the graph: it is the main loop, or some reader is counted
    (QEMU checks this in debug builds only)."""
    qemu_assert(qemu_in_main_thread() or reader_count() > 0,
                "assert_bdrv_graph_readable: no read lock held outside the main loop")


def assert_bdrv_graph_writable() -> None:
    qemu_assert(qemu_in_main_thread(), "assert_bdrv_graph_writable: not in the main loop")
    qemu_assert(graph_lock_globals().has_writer.load(label="assert_bdrv_graph_writable.load"),
                "assert_bdrv_graph_writable: the graph is not write-locked")


# --------------------------------------------------------------------------- guards


class GRAPH_RDLOCK_GUARD:
    """``async with GRAPH_RDLOCK_GUARD(): ...``: the read lock for the block."""

    async def __aenter__(self) -> None:
        await bdrv_graph_co_rdlock()

    async def __aexit__(self, *exc: Any) -> None:
        await bdrv_graph_co_rdunlock()


WITH_GRAPH_RDLOCK_GUARD = GRAPH_RDLOCK_GUARD     # C needs two macros; Python one form


class GRAPH_RDLOCK_GUARD_MAINLOOP:
    """``with GRAPH_RDLOCK_GUARD_MAINLOOP(): ...`` in the main loop."""

    def __enter__(self) -> None:
        bdrv_graph_rdlock_main_loop()

    def __exit__(self, *exc: Any) -> None:
        bdrv_graph_rdunlock_main_loop()
