"""qemuevent-reset-rmw-no-fence (2023, the QemuEvent clean-up series), ARM: the RCU
thread's loop (util/rcu.c ``call_rcu_thread``) resets ``rcu_call_ready_event`` and
then reads ``rcu_call_count``, waiting only if it is 0; ``call_rcu`` increments the
count and sets the event.  Without a barrier after the reset's RMW, the count load can
be satisfied before the reset is visible: the setter sees the event still SET and
skips the wake-up, the RCU thread read 0 and sleeps with a callback queued.

The event starts set, as a previous ``call_rcu`` left it.
"""

from __future__ import annotations

from aioctx.impl import sync
from aioctx.impl.qemu_event import QemuEvent

from .. import hooks
from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    event = QemuEvent(True, name="rcu_call_ready_event", bugs=tuple(bugs))
    count = sync.Atomic(0, name="rcu_call_count")
    taken = sync.Atomic(0, name="taken")
    hooks.pending(lambda: count.load() > taken.load(), "a callback is queued and the "
                  "RCU thread sleeps on rcu_call_ready_event")

    def call_rcu_thread() -> None:
        while count.load(label="call_rcu_thread.load_count") == 0:
            event.reset()
            if count.load(label="call_rcu_thread.reload_count") == 0:
                event.wait()
        taken.store(1, label="call_rcu_thread.taken")

    rcu = start(call_rcu_thread, "call_rcu")
    count.fetch_add(1, label="call_rcu.inc_count")
    event.set()
    rcu.join()


SCENARIO = Scenario(
    slug="qemuevent-reset-rmw-no-fence",
    summary="the RCU thread's count load passes its reset of the event, and call_rcu "
            "sees the event still set",
    body=body,
    memory_model="arm",
    needed_barriers=(("qemu_event_reset.mb_after_rmw", "arm"),),
    expect=("lost-wakeup",),
    checks=("no lost wakeup: a queued callback wakes the RCU thread",),
)
