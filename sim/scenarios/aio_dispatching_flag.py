"""aio-dispatching-flag (2015, eabc9779): aio_notify skipped the EventNotifier while any
aio_poll was dispatching, so a thread asleep in the glib poll missed a completion.

Shape: ``pollers`` (iothread through its GSource, a drainer, a worker, two requests).
The loss: the drainer's poll accepts the notification of request 0 and, while it
dispatches, request 1 completes; its ``aio_notify`` sees "dispatching" and writes
nothing; the drainer returns with request 0 and the iothread sleeps in poll(-1) with
request 1 done.  Fixed: ``notify_me`` (the iothread's prepare bit) makes it write.
"""

from __future__ import annotations

from ..scenario import Scenario
from . import pollers


def body(bugs: frozenset[str]) -> None:
    pollers.run(bugs, requests=2, gsource=True)


SCENARIO = Scenario(
    slug="aio-dispatching-flag",
    summary="a GSource poller misses a completion while another thread's aio_poll "
            "dispatches",
    body=body,
    expect=("lost-wakeup",),
    checks=("no lost wakeup: every completed request is delivered",),
)
