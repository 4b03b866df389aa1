"""notified-skips-set (seeded): aio_notify skips the EventNotifier when ``notified`` is
already true.

Shape: ``pollers`` (iothread on blocking aio_poll, a drainer, a worker, three
requests).  The drainer's accept exchanges ``notified`` to false; a notify for request
1 sets the notifier and ``notified``; the accept's drain then clears the notifier,
leaving ``notified`` true with nothing to wake anyone.  The notify for request 2 trusts
``notified`` and writes nothing: the iothread sleeps with it done.  Fixed: always
write the notifier.
"""

from __future__ import annotations

from ..scenario import Scenario
from . import pollers


def body(bugs: frozenset[str]) -> None:
    pollers.run(bugs, requests=3, gsource=False)


SCENARIO = Scenario(
    slug="notified-skips-set",
    summary="aio_notify trusts a stale `notified` and skips the EventNotifier",
    body=body,
    expect=("lost-wakeup",),
    checks=("no lost wakeup: every completed request is delivered",),
)
