"""notified-before-event (seeded): aio_notify sets ``notified`` before the EventNotifier.

One ``iothread`` loops on blocking ``aio_poll`` (2015 protocol) while ``worker``
schedules BHs.  The iothread can accept (``notified`` true -> false, drain finds
nothing) between the notify's two writes; the notifier is then set with ``notified``
false, and since only an accept that finds ``notified`` drains it, it stays set: every
later blocking poll returns at once (a busy loop).  Checked at the end: the notifier
is never left set with ``notified`` false.
"""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import Completions, start, stop_pollers


def body(bugs: frozenset[str]) -> None:
    ctx = impl.AioContext(bugs=bugs, name="ctx", legacy_wakeup=True)
    reqs = Completions(ctx, 2)
    stop = sync.Atomic(False, name="stop")
    notifier, notified = ctx.notifier, ctx.notified
    hooks.invariant(lambda: not (notifier.test_and_clear() and not notified.load()),
                    "the EventNotifier is left set with `notified` false: every blocking "
                    "aio_poll from now on returns at once (busy loop)")

    def iothread() -> None:
        while not stop.load(label="iothread.load_stop"):
            ctx.aio_poll(True)

    def worker() -> None:
        reqs.complete(0)
        reqs.complete(1)

    loop = start(iothread, "iothread")
    w = start(worker, "worker")
    reqs.wait_all()
    w.join()
    stop_pollers(ctx, stop, [loop])
    ctx.aio_poll(False)               # settle: a notification still in flight is accepted


SCENARIO = Scenario(
    slug="notified-before-event",
    summary="aio_notify publishes `notified` before the EventNotifier: a stuck-set "
            "notifier",
    body=body,
    expect=("invariant",),
    checks=("the notifier is never left set with `notified` false (no busy loop)",),
)
