"""The graph lock's invariants (block/graph-lock.c's reader counts), checkable at any point.

* exclusion: while the writer is inside (``bdrv_graph_wrlock`` returned and
  ``bdrv_graph_wrunlock`` has not started), no reader holds the lock, and
  ``has_writer`` is set;
* conservation: ``orphaned + sum of every context's count`` equals the number of read
  acquisitions those counts include right now (readers inside, plus readers between
  their fast-path increment and their return or slow-path undo), and is never negative;
* no reader holds the lock a negative number of times (more unlocks than locks);
* no coroutine sleeps in ``reader_queue`` once the writer is gone.

The checker only observes: it reads every word without a scheduling point and takes
no lock, so it can run from any thread at any moment.  Under aioctx.sim a thread is
only ever paused at a sync operation, where the lock's bookkeeping is complete, so the
check is exact at every step.  With real threads, call it when the other threads are
at rest (e.g. parked in a BH), or it may see a reader half-way through a step.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import sync
from .errors import QemuAssertionError
from .graph_lock import WRITER_INSIDE, WRITER_NONE, graph_lock_globals


def _peek(word: sync.Atomic) -> int:
    """The current value of a shared word, read as an observer: no memory order, no
    scheduling point (the checker is not part of the protocol it checks)."""
    return word._value


@dataclass(frozen=True)
class GraphLockSnapshot:
    """The graph lock's state as the checker sees it."""

    has_writer: int
    writer: str                      # graph_lock.WRITER_*
    orphaned_reader_count: int
    reader_counts: tuple[tuple[str, int], ...]   # (context name, count), list order
    counted: int                     # acquisitions the counts should include
    holders: tuple[tuple[str, int], ...]         # (coroutine name, depth)
    queued: tuple[str, ...]          # coroutines parked in reader_queue

    @property
    def total(self) -> int:
        return self.orphaned_reader_count + sum(n for _, n in self.reader_counts)


def graph_lock_snapshot() -> GraphLockSnapshot:
    g = graph_lock_globals()
    ghost = g.ghost
    return GraphLockSnapshot(
        has_writer=_peek(g.has_writer),
        writer=ghost.writer,
        orphaned_reader_count=g.orphaned_reader_count,
        reader_counts=tuple((c.name, _peek(c.reader_count)) for c in tuple(g.aio_context_list)),
        counted=ghost.counted,
        holders=tuple((co.name, depth) for co, depth in tuple(ghost.holders.items())),
        queued=tuple(co.name for co in tuple(g.reader_queue.entries)),
    )


def graph_lock_violations(snap: GraphLockSnapshot | None = None) -> list[str]:
    """Every invariant that does not hold right now (empty when all is well)."""
    s = graph_lock_snapshot() if snap is None else snap
    problems: list[str] = []
    if s.writer == WRITER_INSIDE:
        if s.holders:
            problems.append(f"exclusion: the writer is inside while readers hold the "
                            f"lock: {', '.join(name for name, _ in s.holders)}")
        if s.has_writer != 1:
            problems.append(f"exclusion: the writer is inside with has_writer={s.has_writer}")
    if s.total != s.counted:
        problems.append(f"conservation: orphaned {s.orphaned_reader_count} + contexts "
                        f"{list(s.reader_counts)} = {s.total}, but {s.counted} "
                        "acquisition(s) are counted")
    if s.total < 0:
        problems.append(f"conservation: the total reader count is negative ({s.total})")
    unbalanced = [name for name, depth in s.holders if depth < 0]
    if unbalanced:
        problems.append(f"balance: released more often than taken by {', '.join(unbalanced)}")
    if s.writer == WRITER_NONE and s.queued:
        problems.append(f"wake-up: no writer, yet {', '.join(s.queued)} sleep(s) in "
                        "reader_queue")
    return problems


def check_graph_lock_invariants() -> GraphLockSnapshot:
    """Raise ``QemuAssertionError`` naming every broken invariant; else return the
    snapshot that was checked."""
    snap = graph_lock_snapshot()
    problems = graph_lock_violations(snap)
    if problems:
        raise QemuAssertionError("graph lock: " + "; ".join(problems))
    return snap
