"""graph-wrlock-polls-holding-aiocontext (2023, 80fc5d26): the writer polled for readers
to leave while holding an IOThread's AioContext lock; the reader coroutine in that
IOThread needed the lock to be re-entered and release its read lock: circular wait.

An IOThread holds a parked graph reader (``graph_reader``).  The main loop asks the
IOThread (a BH) to resume the reader under the IOThread's AioContext lock, then takes
that lock itself and the graph write lock.
"""

from __future__ import annotations

from typing import Any

from aioctx import impl

from ..scenario import Scenario
from .graph_reader import ParkedReader


def body(bugs: frozenset[str]) -> None:
    r = ParkedReader(bugs)
    ctx = r.ctx

    def resume_reader(_: Any) -> None:
        ctx.aio_context_acquire()
        impl.qemu_coroutine_enter(r.co)
        ctx.aio_context_release()

    ctx.aio_bh_schedule_oneshot(resume_reader, name="resume_reader")
    ctx.aio_context_acquire()
    impl.bdrv_graph_wrlock(held_ctx=ctx)
    ctx.aio_context_release()
    impl.bdrv_graph_wrunlock()
    r.io.join()


SCENARIO = Scenario(
    slug="graph-wrlock-polls-holding-aiocontext",
    summary="the graph writer polls holding the AioContext lock its reader needs",
    body=body,
    expect=("deadlock",),
    checks=("graph-lock exclusion", "no circular wait between writer and reader"),
)
