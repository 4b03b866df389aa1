"""notify-me-seqcst-rmw-not-fence (2020, 5710a3e0), ARM: the poller raised
``notify_me`` with a sequentially consistent RMW and then read ``notified`` with a
relaxed load; on ARM (and in C11) that load may be satisfied before the RMW's store is
visible to other threads.  The notifier (a worker scheduling a BH) sets ``notified``,
full barrier, reads ``notify_me == 0`` and skips the EventNotifier; the poller read
``notified == false`` and sleeps with the BH pending.  x86 cannot show it: there the
RMW is a full barrier.
"""

from __future__ import annotations

from aioctx.impl.bottom_half import bh_chain_has_runnable

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    ctx = impl.qemu_init_main_loop(tuple(sorted(bugs)))
    ran: list[int] = []                                  # home thread only
    bh = ctx.aio_bh_new(lambda _: ran.append(1), name="work")
    hooks.pending(lambda: bh_chain_has_runnable(ctx.bh_list.load()),
                  "a BH is scheduled and the home thread sleeps in aio_poll")
    worker = start(lambda: impl.qemu_bh_schedule(bh), "worker")
    while not ran:
        ctx.aio_poll(True)
    worker.join()


SCENARIO = Scenario(
    slug="notify-me-seqcst-rmw-not-fence",
    summary="the poller's notify_me RMW is not yet visible when the notifier reads "
            "it, and the poller's later load of notified was stale",
    body=body,
    memory_model="arm",
    needed_barriers=(("aio_poll.notify_me_mb", "tso"),),
    expect=("lost-wakeup",),
    checks=("no lost wakeup: a scheduled BH wakes the home thread",),
)
