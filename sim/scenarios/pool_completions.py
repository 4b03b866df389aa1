"""The setting of both BH-flag scenarios (bh-schedule-missing-full-barrier,
bh-cancel-missing-barrier): the main loop hands two requests to its context's thread
pool and polls until both callbacks ran; the first callback runs one nested,
non-blocking ``aio_poll`` (as a callback that drains does).

A worker publishes ``state = DONE`` and schedules the pool's completion BH; the BH,
in the home thread, re-schedules itself before each callback, cancels itself after it
and rescans the states.  The two sides form store-buffering pairs on the BH's
SCHEDULED flag and the request state: a lost completion (a request done, its callback
never run, the home thread asleep) is the failure.
"""

from __future__ import annotations

from aioctx.impl import sync
from aioctx.impl.bottom_half import BH_PENDING

from aioctx import impl

from .. import hooks


def bh_list_consistent(ctx: impl.AioContext) -> bool:
    """Is every BH reachable from ``ctx.bh_list`` there once, with PENDING set?"""
    seen: list[object] = []
    bh = ctx.bh_list.load()
    while bh is not None:
        if any(bh is other for other in seen) or not bh.flags.load() & BH_PENDING:
            return False
        seen.append(bh)
        bh = bh.next
    return True


def body(bugs: frozenset[str]) -> None:
    ctx = impl.qemu_init_main_loop(tuple(sorted(bugs)))
    finished = sync.Atomic(0, name="finished")          # workers' count, for the check
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
        ctx.aio_poll(False)                              # a nested loop iteration

    hooks.invariant(lambda: bh_list_consistent(ctx), "every BH on bh_list is linked "
                    "once and marked PENDING (no flag update lost to a plain store)")
    impl.thread_pool_submit_aio(work, "B", cb_b)
    impl.thread_pool_submit_aio(work, "A", cb_a)     # newest first: A's callback runs first
    while len(delivered) < 2:
        ctx.aio_poll(True)
