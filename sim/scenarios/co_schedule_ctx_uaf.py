"""co-schedule-ctx-uaf (2019, f0f81002): aio_co_schedule pushed the coroutine and only
then scheduled the context's co_schedule BH, holding no reference to the context; in
between, the home thread could run the coroutine and the context could be destroyed.

An IOThread owns the context.  Two threads each schedule a coroutine into it; the
home thread's co_schedule BH, scheduled by the first, can enter both.  Once both have
run the main thread stops the IOThread and drops the last context reference.  Before
the fix the second scheduler then schedules the BH of the finalized context.
"""

from __future__ import annotations

from typing import Any

from aioctx.impl.qemu_event import QemuEvent

from aioctx import impl

from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    io = impl.IOThread("iothread", bugs=sorted(bugs))
    ctx = io.iothread_get_aio_context()
    ran = [QemuEvent(name=f"co{i}.ran") for i in range(2)]

    def coroutine(i: int) -> impl.Coroutine:
        async def entry(_: Any) -> None:
            ran[i].set()
        return impl.qemu_coroutine_create(entry, name=f"co{i}")

    schedulers = [start(lambda i=i: impl.aio_co_schedule(ctx, coroutine(i)), f"sched{i}")
                  for i in range(2)]
    for event in ran:
        event.wait()
    io.join()                                   # drops the last reference: finalized
    for t in schedulers:
        t.join()


SCENARIO = Scenario(
    slug="co-schedule-ctx-uaf",
    summary="aio_co_schedule touches a context that was destroyed after the coroutine "
            "it pushed ran",
    body=body,
    expect=("exception",),
    checks=("no touching freed objects (a finalized AioContext)",),
)
