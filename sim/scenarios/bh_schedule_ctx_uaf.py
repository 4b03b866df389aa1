"""bh-schedule-ctx-uaf (2014, 924fe129): qemu_bh_schedule published the BH and only then
read ``bh->ctx`` to notify; in between the home thread could run the BH, whose callback
deletes it, and free it.

``iothread`` runs the context (current code, blocking ``aio_poll``; a daemon);
``worker`` schedules a BH whose callback deletes it (a hand-made oneshot), while the
main thread gives the loop other work (a oneshot BH), so the loop comes round again
and frees the deleted BH.  Before the fix the worker can read ``bh.ctx`` after that:
a use after free.
"""

from __future__ import annotations

from aioctx.impl import sync
from aioctx.impl.qemu_event import QemuEvent

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import Pollers, start


def body(bugs: frozenset[str]) -> None:
    ctx = impl.AioContext(bugs=bugs, name="ctx")
    ran = sync.Atomic(0, name="ran")
    done = QemuEvent(name="done")

    def once(opaque: object) -> None:
        ran.fetch_add(1, label="bh_cb.count")
        impl.qemu_bh_delete(bh)
        done.set()

    bh = ctx.aio_bh_new(once, name="oneshot")
    hooks.invariant(lambda: ran.load() == 1, "the BH ran exactly once")

    pollers = Pollers(ctx)

    def worker() -> None:
        impl.qemu_bh_schedule(bh)

    pollers.start(lambda: ctx.aio_poll(True), "iothread", home=True)
    w = start(worker, "worker")
    ctx.aio_bh_schedule_oneshot(lambda _: None, name="other_work")   # keeps the loop busy
    done.wait()
    w.join()
    pollers.finish()


SCENARIO = Scenario(
    slug="bh-schedule-ctx-uaf",
    summary="qemu_bh_schedule reads bh->ctx after the BH may have run and been freed",
    body=body,
    expect=("exception",),
    checks=("no touching freed objects (a freed BH)", "BH exactly once"),
)
