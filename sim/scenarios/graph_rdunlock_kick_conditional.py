"""graph-rdunlock-kick-conditional: the writer keeps ``has_writer`` at 0 while it polls
for readers to leave, so a reader that kicks only when ``has_writer`` is set skips the
kick, and the writer sleeps with no reader left.

An IOThread runs a reader coroutine that takes the graph read lock and yields; the main
loop takes the write lock (waiting for the reader); a third thread wakes the reader,
which unlocks.
"""

from __future__ import annotations

from typing import Any

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs
from aioctx.impl.graph_lock import reader_count

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    set_global_bugs(bugs)
    impl.qemu_init_main_loop()
    io = impl.IOThread("iothread")
    ctx = io.iothread_get_aio_context()
    inside = sync.QemuEvent(name="reader_inside")
    left = sync.Atomic(False, name="reader_left")
    holder: dict[str, impl.Coroutine] = {}
    hooks.pending(lambda: left.load() and reader_count() == 0,
                  "the writer sleeps although no reader holds the graph lock")

    async def reader(_: Any) -> None:
        await impl.bdrv_graph_co_rdlock()
        inside.set()
        await impl.qemu_coroutine_yield()
        await impl.bdrv_graph_co_rdunlock()
        left.store(True, label="reader.left")

    holder["co"] = impl.qemu_coroutine_create(reader, name="reader")
    impl.aio_co_schedule(ctx, holder["co"])
    inside.wait()
    waker = start(lambda: impl.aio_co_wake(holder["co"]), "waker")
    impl.bdrv_graph_wrlock()
    impl.bdrv_graph_wrunlock()
    waker.join()
    io.join()


SCENARIO = Scenario(
    slug="graph-rdunlock-kick-conditional",
    summary="a leaving graph-lock reader does not kick the writer, who polls with "
            "has_writer at 0",
    body=body,
    expect=("lost-wakeup",),
    checks=("graph-lock exclusion and reader-count conservation",
            "no lost wakeup: the writer gets in"),
)
