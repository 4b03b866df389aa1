"""threadpool-nested-aio-poll (2014, 3c80ca15): the pool's completion BH did not
re-schedule itself before each callback, so a callback that waits in a nested
``aio_poll`` for a second request that is already done never gets it.

The main thread is the main loop: it submits requests A and B to its context's thread
pool and polls until both callbacks ran.  A's callback waits, with nested blocking
``aio_poll`` calls, for B's.  If both requests finish before the completion BH runs, the
buggy BH delivers A only: A's nested poll sleeps, B is done and nobody schedules the
BH again.  Idle pool workers time out (virtual time) and leave the main thread asleep.
"""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import impl

from .. import hooks
from ..scenario import Scenario


def body(bugs: frozenset[str]) -> None:
    ctx = impl.qemu_init_main_loop(tuple(sorted(bugs)))
    finished = sync.Atomic(0, name="finished")          # worker side
    delivered: list[str] = []                            # home thread only
    hooks.pending(lambda: finished.load() > len(delivered),
                  "a request finished in the pool but its callback never ran")

    def work(arg: object) -> int:
        finished.fetch_add(1, label="work.finished")
        return 0

    def cb_b(opaque: object, ret: int) -> None:
        delivered.append("B")

    def cb_a(opaque: object, ret: int) -> None:
        delivered.append("A")
        while "B" not in delivered:                      # a nested loop waiting for B
            ctx.aio_poll(True)

    impl.thread_pool_submit_aio(work, "B", cb_b)
    impl.thread_pool_submit_aio(work, "A", cb_a)     # newest first: A's callback runs first
    while len(delivered) < 2:
        ctx.aio_poll(True)


SCENARIO = Scenario(
    slug="threadpool-nested-aio-poll",
    summary="a completion callback's nested aio_poll waits for a request the "
            "completion BH will not deliver",
    body=body,
    expect=("lost-wakeup",),
    checks=("every finished request's callback runs (no lost completion)",),
)
