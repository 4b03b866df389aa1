"""notify-accept-stolen-by-other-thread (2018, b37548fc): a non-blocking aio_poll in a
thread other than the home thread accepted a notification meant for the home thread.

``home`` waits for a condition with blocking ``aio_poll`` calls (AIO_WAIT_WHILE style);
``kicker``, once the home thread has announced a blocking poll (``notify_me``), makes
the condition true and calls ``aio_notify``; ``other`` runs a few
non-blocking ``aio_poll`` calls on the same context (2018 protocol: any thread may).
Before the fix the other thread's accept drains the notifier: the home thread, on its
way into ppoll, sleeps with its condition already true.  Fixed: only blocking polls
accept.
"""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    ctx = impl.AioContext(bugs=bugs, name="ctx", legacy_wakeup=True)
    done = sync.Atomic(False, name="done")
    hooks.pending(lambda: done.load(), "the home thread sleeps although its condition "
                  "is already true (its wakeup was accepted by another thread)")

    def home() -> None:
        while not done.load(label="home.load_done"):
            ctx.aio_poll(True)

    def kicker() -> None:
        # kick while the home thread is on its way into ppoll (the window of the race)
        while ctx.notify_me.load(label="kicker.load_notify_me") < 2:
            sync.cpu_relax("kicker.wait_for_poller")
        done.store(True, label="kicker.store_done")
        ctx.aio_notify()

    def other() -> None:
        for _ in range(2):
            ctx.aio_poll(False)

    threads = [start(home, "home"), start(kicker, "kicker"), start(other, "other")]
    for t in threads:
        t.join()


SCENARIO = Scenario(
    slug="notify-accept-stolen-by-other-thread",
    summary="a non-blocking aio_poll elsewhere accepts the home thread's wakeup",
    body=body,
    expect=("lost-wakeup",),
    checks=("no lost wakeup: a kicked waiter wakes",),
)
