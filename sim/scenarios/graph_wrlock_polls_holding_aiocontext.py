"""graph-wrlock-polls-holding-aiocontext (2023, 80fc5d26): the writer polled for readers
to leave while holding an IOThread's AioContext lock; the reader coroutine in that
IOThread needed the lock to be re-entered and release its read lock: circular wait.

An IOThread runs a reader coroutine that takes the graph read lock and yields.  The
main loop takes the IOThread's AioContext lock, then the graph write lock, having asked
the IOThread (a BH) to resume the reader under that same AioContext lock.
"""

from __future__ import annotations

from typing import Any

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs

from aioctx import impl

from ..scenario import Scenario


def body(bugs: frozenset[str]) -> None:
    set_global_bugs(bugs)
    impl.qemu_init_main_loop()
    io = impl.IOThread("iothread")
    ctx = io.iothread_get_aio_context()
    inside = sync.QemuEvent(name="reader_inside")
    holder: dict[str, impl.Coroutine] = {}

    async def reader(_: Any) -> None:
        await impl.bdrv_graph_co_rdlock()
        inside.set()
        await impl.qemu_coroutine_yield()
        await impl.bdrv_graph_co_rdunlock()

    def resume_reader(_: Any) -> None:
        ctx.aio_context_acquire()
        impl.qemu_coroutine_enter(holder["co"])
        ctx.aio_context_release()

    holder["co"] = impl.qemu_coroutine_create(reader, name="reader")
    impl.aio_co_schedule(ctx, holder["co"])
    inside.wait()
    ctx.aio_bh_schedule_oneshot(resume_reader, name="resume_reader")
    ctx.aio_context_acquire()
    impl.bdrv_graph_wrlock(held_ctx=ctx)
    ctx.aio_context_release()
    impl.bdrv_graph_wrunlock()
    io.join()


SCENARIO = Scenario(
    slug="graph-wrlock-polls-holding-aiocontext",
    summary="the graph writer polls holding the AioContext lock its reader needs",
    body=body,
    expect=("deadlock",),
    checks=("graph-lock exclusion", "no circular wait between writer and reader"),
)
