"""graph-rdlock-no-barrier (seeded), TSO: the graph reader's fast path raises its
context's count and reads ``has_writer`` with no full barrier in between; the writer
sets ``has_writer``, full barrier, and counts the readers.  Store buffering: the
reader reads ``has_writer == 0`` while its count is still in its store buffer, the
writer counts 0, and both are inside.

A reader coroutine runs in an IOThread and reads the graph inside its section (a
scheduling point while it holds the lock); the main loop takes the write lock and
changes the graph.  Each side checks exclusion (from the lock's ghost state) once it
is in.
"""

from __future__ import annotations

from typing import Any

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs
from aioctx.impl.graph_lock import WRITER_INSIDE, graph_lock_globals

from aioctx import impl

from ..scenario import Scenario


def _exclusive(who: str) -> None:
    ghost = graph_lock_globals().ghost
    if ghost.writer == WRITER_INSIDE and ghost.holders:
        raise AssertionError(f"{who}: the graph writer and a reader are both inside")


def body(bugs: frozenset[str]) -> None:
    set_global_bugs(bugs)
    impl.qemu_init_main_loop()
    io = impl.IOThread("iothread")

    graph = sync.Atomic(0, name="graph")           # the block graph's edges, say

    async def reader(_: Any) -> None:
        await impl.bdrv_graph_co_rdlock()
        graph.load(label="reader.walk_graph")         # the reader's work, a point
        _exclusive("reader")
        await impl.bdrv_graph_co_rdunlock()

    impl.aio_co_schedule(io.iothread_get_aio_context(),
                         impl.qemu_coroutine_create(reader, name="reader"))
    impl.bdrv_graph_wrlock()
    _exclusive("writer")
    graph.store(1, label="writer.change_graph")
    impl.bdrv_graph_wrunlock()
    io.join()


SCENARIO = Scenario(
    slug="graph-rdlock-no-barrier",
    summary="a graph reader and the writer both get in: the reader's count is still "
            "buffered when the writer counts",
    body=body,
    memory_model="tso",
    needed_barriers=(("bdrv_graph_co_rdlock.mb", "tso"),),
    expect=("exception",),
    checks=("graph-lock exclusion: never a reader inside with the writer",),
)
