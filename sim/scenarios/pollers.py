"""The three-actor shape of the 2015-era wake-up races: a context run by its own
``iothread``, a ``drainer`` in another thread that polls the same context
synchronously until its request is delivered, and a ``worker`` that completes
requests (2015 protocol, where any thread may poll).

A lost wakeup leaves a completed request undelivered with every thread asleep: the
drainer has gone, the iothread sleeps on a clear notifier, and the main thread waits
for the results.  Both pollers are daemons (``sim.daemon``): once every request is
delivered the execution is over, without spending steps on shutting them down.
"""

from __future__ import annotations

from collections.abc import Callable

from aioctx import impl

from .common import Completions, Pollers, start


def run(bugs: frozenset[str], requests: int, gsource: bool) -> None:
    """The iothread polls through glib's GSource path if ``gsource``, else with
    blocking ``aio_poll`` calls."""
    ctx = impl.AioContext(bugs=bugs, name="ctx", legacy_wakeup=True)
    reqs = Completions(ctx, requests)
    pollers = Pollers(ctx)
    if gsource:
        gmain = impl.GMainContext(name="gmain")
        gmain.attach(ctx.aio_get_g_source())
        pollers.start(lambda: gmain.iteration(True), "iothread")
    else:
        pollers.start(lambda: ctx.aio_poll(True), "iothread")

    pollers.start(lambda: ctx.aio_poll(True), "drainer", until=lambda: reqs.is_delivered(0))
    w = start(worker_for(reqs, requests), "worker")
    reqs.wait_all()
    w.join()
    pollers.finish()


def worker_for(reqs: Completions, requests: int) -> Callable[[], None]:
    def worker() -> None:
        for i in range(requests):
            reqs.complete(i)
    return worker
