"""aio-notifier-cleared-late (2015, 21a03d17): the EventNotifier was drained by its own
read handler, which runs after the BHs, so it could eat a notification that arrived
while the BHs ran.

Shape: ``pollers`` (iothread on blocking aio_poll, a drainer, a worker, two requests).
The loss: the drainer wakes for request 0 and runs the completion BH; request 1
completes and sets the already-set notifier; the drainer's notifier handler drains it
and the drainer returns; the iothread sleeps on a clear notifier with request 1's BH
pending.  Fixed: the accept drains the notifier right after the wait, before the BHs.
"""

from __future__ import annotations

from ..scenario import Scenario
from . import pollers


def body(bugs: frozenset[str]) -> None:
    pollers.run(bugs, requests=2, gsource=False)


SCENARIO = Scenario(
    slug="aio-notifier-cleared-late",
    summary="the notifier's own handler drains it after the BHs ran, eating a wakeup",
    body=body,
    expect=("lost-wakeup",),
    checks=("no lost wakeup: every completed request is delivered",),
)
