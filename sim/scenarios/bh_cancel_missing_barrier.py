"""bh-cancel-missing-barrier (2017, ef6dada8 after b7a745dc), TSO: the thread pool's
completion BH cancels itself (a plain store clearing SCHEDULED) and re-reads the
request states; a worker marks a request DONE and schedules the BH, whose RMW still
sees SCHEDULED set.  Store buffering again: the cancel lands after the schedule, the
rescan read the stale state, and a DONE request has no scheduled BH.

Setting: ``pool_completions`` (two thread-pool requests, a nested poll in the first
callback, which is what made the old whole-word form of this switch fail under plain
interleavings too).
"""

from __future__ import annotations

from ..scenario import Scenario
from . import pool_completions


def body(bugs: frozenset[str]) -> None:
    """Two thread-pool requests, a nested poll in the first callback."""
    pool_completions.body(bugs)

SCENARIO = Scenario(
    slug="bh-cancel-missing-barrier",
    summary="the completion BH's plain cancel becomes visible after a worker's "
            "schedule, and its rescan read the request's stale state",
    body=body,
    memory_model="tso",
    also_clean_under=("arm",),                # the negative control: no extra
                                              # barrier needed in enqueue/dequeue
    expect=("lost-wakeup",),
    checks=("every finished request's callback runs (no lost completion)",
            "bh_list consistent: each BH linked once, with PENDING"),
)
