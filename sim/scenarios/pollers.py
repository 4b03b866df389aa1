"""The three-actor shape of the 2015-era wake-up races: a context run by its own
``iothread``, a ``drainer`` in another thread that polls the same context
synchronously until its request is delivered, and a ``worker`` that completes
requests (2015 protocol, where any thread may poll).

A lost wakeup leaves a completed request undelivered with every thread asleep: the
drainer has gone, the iothread sleeps on a clear notifier, and the main thread waits
for the results.
"""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import impl

from .common import Completions, start, stop_pollers


def run(bugs: frozenset[str], requests: int, gsource: bool) -> None:
    """The iothread polls through glib's GSource path if ``gsource``, else with
    blocking ``aio_poll`` calls."""
    ctx = impl.AioContext(bugs=bugs, name="ctx", legacy_wakeup=True)
    reqs = Completions(ctx, requests)
    stop = sync.Atomic(False, name="stop")
    if gsource:
        gmain = impl.GMainContext(name="gmain")
        gmain.attach(ctx.aio_get_g_source())

    def iothread() -> None:
        while not stop.load(label="iothread.load_stop"):
            if gsource:
                gmain.iteration(True)
            else:
                ctx.aio_poll(True)

    def drainer() -> None:
        while not reqs.is_delivered(0) and not stop.load(label="drainer.load_stop"):
            ctx.aio_poll(True)

    def worker() -> None:
        for i in range(requests):
            reqs.complete(i)

    pollers = [start(iothread, "iothread"), start(drainer, "drainer")]
    w = start(worker, "worker")
    reqs.wait_all()
    w.join()
    stop_pollers(ctx, stop, pollers)
