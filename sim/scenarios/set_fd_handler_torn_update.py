"""set-fd-handler-torn-update (2018, fef16601): re-registering an fd handler edited the
live node one field at a time while the home thread was calling its callbacks, so the
poller could call the new function with the old opaque.

``iothread`` (a daemon) runs the context (current code) and dispatches the read handler of an
EventNotifier that ``updater`` keeps readable; ``updater`` re-registers that handler
with a new callback and a new opaque.  Each callback checks it got its own opaque.
Before the fix a torn read pairs ``read_b`` with ``A``.  The historical report was
about ``io_poll``; the read path takes the same two loads (callback, then opaque), and
busy-polling needs real elapsed time to switch itself on, which virtual time does not
give, so the scenario uses ``io_read``.
"""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import impl

from ..scenario import Scenario
from .common import Pollers, start

A, B = "opaque-A", "opaque-B"


def read_a(opaque: object) -> None:
    assert opaque == A, f"read_a called with {opaque!r}: torn handler update"


def read_b(opaque: object) -> None:
    assert opaque == B, f"read_b called with {opaque!r}: torn handler update"


def body(bugs: frozenset[str]) -> None:
    ctx = impl.AioContext(bugs=bugs, name="ctx")
    device = sync.EventNotifier(name="device")

    def drain_then(check: object) -> object:
        def handler(opaque: object) -> None:
            device.test_and_clear(label="device_read.clear")
            check(opaque)
        return handler

    ctx.aio_set_fd_handler(device.get_fd(), drain_then(read_a), opaque=A)

    pollers = Pollers(ctx)

    def updater() -> None:
        device.set(label="updater.kick_device")
        ctx.aio_set_fd_handler(device.get_fd(), drain_then(read_b), opaque=B)
        device.set(label="updater.kick_device")

    pollers.start(lambda: ctx.aio_poll(True), "iothread", home=True)
    start(updater, "updater").join()
    pollers.finish()


SCENARIO = Scenario(
    slug="set-fd-handler-torn-update",
    summary="aio_set_fd_handler updates a live handler field by field",
    body=body,
    expect=("exception",),
    checks=("a handler is always called with its own opaque",),
)
