"""The setting both graph-lock scenarios share: the main loop, an IOThread, and a
reader coroutine in it that holds the graph read lock, parked (yielded) until someone
enters it again, when it releases the lock and finishes."""

from __future__ import annotations

from typing import Any

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs
from aioctx.impl.qemu_event import QemuEvent

from aioctx import impl


class ParkedReader:
    def __init__(self, bugs: frozenset[str]) -> None:
        set_global_bugs(bugs)
        impl.qemu_init_main_loop()
        self.io = impl.IOThread("iothread")
        self.ctx = self.io.iothread_get_aio_context()
        self.left = sync.Atomic(False, name="reader_left")
        inside = QemuEvent(name="reader_inside")

        async def reader(_: Any) -> None:
            await impl.bdrv_graph_co_rdlock()
            inside.set()
            await impl.qemu_coroutine_yield()
            await impl.bdrv_graph_co_rdunlock()
            self.left.store(True, label="reader.left")

        self.co = impl.qemu_coroutine_create(reader, name="reader")
        impl.aio_co_schedule(self.ctx, self.co)
        inside.wait()
