"""bh-schedule-missing-full-barrier (2015, e8d3b1a2), TSO: ``qemu_bh_schedule`` tested
``scheduled`` with a plain load and returned if it was set; ``aio_bh_poll`` cleared it
with a plain store and then ran the callback, which reads the request states.  Both
sides are a store followed by a load of the other's word: with store buffers the
worker sees the stale SCHEDULED and returns, the completion BH reads the stale state,
and the request is never delivered.

Setting: ``pool_completions`` (two thread-pool requests, a nested poll in the first
callback).
"""

from __future__ import annotations

from ..scenario import Scenario
from . import pool_completions


def body(bugs: frozenset[str]) -> None:
    """Two thread-pool requests, a nested poll in the first callback."""
    pool_completions.body(bugs)

SCENARIO = Scenario(
    slug="bh-schedule-missing-full-barrier",
    summary="a worker's plain test sees SCHEDULED still set while the completion BH, "
            "having cleared it, reads the request's stale state",
    body=body,
    memory_model="tso",
    also_clean_under=("arm",),                # the negative control: no extra
                                              # barrier needed in enqueue/dequeue
    expect=("lost-wakeup",),
    checks=("every finished request's callback runs (no lost completion)",
            "bh_list consistent: each BH linked once, with PENDING"),
)
