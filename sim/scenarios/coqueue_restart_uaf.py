"""coqueue-restart-uaf (2017, 528f449f): while entering the coroutines queued behind A,
the loop entered B, which re-entered A; A finished and was freed, and the loop then read
A's wake-up list.

An IOThread runs the coroutines.  A (scheduled into the IOThread by the main thread)
wakes B with ``aio_co_enter`` from inside itself, which queues B behind A, and yields;
B, entered when A yields, re-enters A, which finishes.  The order of coroutines within
one thread decides it, not the interleaving of threads: every schedule shows the bug,
so the searches find it on their first execution.
"""

from __future__ import annotations

from typing import Any

from aioctx.impl.qemu_event import QemuEvent

from aioctx import impl

from ..scenario import Scenario


def body(bugs: frozenset[str]) -> None:
    io = impl.IOThread("iothread", bugs=sorted(bugs))
    ctx = io.iothread_get_aio_context()
    done = QemuEvent(name="done")
    holder: dict[str, impl.Coroutine] = {}

    async def b(_: Any) -> None:
        impl.qemu_coroutine_enter(holder["a"])
        done.set()

    async def a(_: Any) -> None:
        impl.aio_co_enter(ctx, impl.qemu_coroutine_create(b, name="b"))
        await impl.qemu_coroutine_yield()

    holder["a"] = impl.qemu_coroutine_create(a, name="a")
    impl.aio_co_schedule(ctx, holder["a"])
    done.wait()
    io.join()


SCENARIO = Scenario(
    slug="coqueue-restart-uaf",
    summary="the coroutine wake-up loop reads the list of a coroutine that finished "
            "meanwhile",
    body=body,
    expect=("exception", "deadlock"),
    checks=("no touching freed objects (a finished coroutine)",),
)
