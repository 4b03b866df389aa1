"""The shipped protocol models: fixed versions verify, every variant is caught.

aio_notify: figures are SPIN's for promela/aio_notify.pml (same statements; see
test_model_spin.py, which re-runs SPIN): states stored for the complete searches, and
the verdicts of ``pan -a -f`` with the LOST_WAKEUP / BUSY_LOOP claims.  Every
counterexample is replayed independently (model_lasso.check_lasso).

graph lock: likewise against promela/graph_lock.pml (SPIN agrees on every variant and
property, test_model_spin.py); why each verdict is right is argued in the test, and
every variant (catalogue or seeded) shows that the check it targets can fail.
"""

from __future__ import annotations

import pytest
from aioctx.model.examples import aio_notify, graph_lock
from model_lasso import check_lasso

# SPIN 6.5.2, spin -o1 -o2 -o3, -DNOREDUCE: "states, stored" (safety, no claim)
AIO_NOTIFY_STATES = {None: 30671, "aio-notifier-cleared-late": 9408,
                     "aio-dispatching-flag": 90349, "notified-skips-set": 32216,
                     "notified-before-event": 39903}
# SPIN -a -f on the product, complete (no error): states stored
AIO_NOTIFY_FAIR_OK = {(None, "lost wakeup"): 31067, (None, "busy loop"): 34875,
                      ("notified-before-event", "lost wakeup"): 40333,
                      ("aio-notifier-cleared-late", "busy loop"): 10746,
                      ("aio-dispatching-flag", "busy loop"): 101669,
                      ("notified-skips-set", "busy loop"): 36420}


@pytest.mark.parametrize("bug", list(AIO_NOTIFY_STATES))
def test_aio_notify_has_no_safety_error(bug):
    # no assertion can fail and no state is stuck (every thread can rest at "poll",
    # "wait" or "idle"); the notify_me invariant holds: it counts the pollers that may
    # sleep, two per poller
    result = aio_notify.model(bug).check(search="bfs")
    assert result.ok
    assert result.states == AIO_NOTIFY_STATES[bug]


@pytest.mark.parametrize("prop", ["lost wakeup", "busy loop"])
def test_fixed_aio_notify_verifies_under_weak_fairness(prop):
    model = aio_notify.model()
    result = model.check("acceptance", claim=prop, fair=True)
    assert result.ok and result.fair
    assert result.states == AIO_NOTIFY_FAIR_OK[(None, prop)]


@pytest.mark.parametrize("prop", ["lost wakeup", "busy loop"])
def test_fixed_aio_notify_needs_fairness(prop):
    # SPIN -a (no -f) reports both: only an unfair schedule "loses" the wake-up (the
    # helper, ready to run the BH, is never scheduled) or "busy-loops" (the waiter,
    # with the notifier to clear, is never scheduled while the helper spins)
    model = aio_notify.model()
    result = model.check("acceptance", claim=prop)
    assert result.violated
    states = check_lasso(model.system(prop), result.counterexample, mode="acceptance",
                         fair=False)
    enabled_never_moving = set()
    for s in states:
        enabled_never_moving |= {pid for pid, _, _ in model.system(prop).successors(s)}
    enabled_never_moving -= {step.pid for step in result.counterexample.cycle}
    assert enabled_never_moving, "the unfair cycle must starve some enabled thread"


def _asleep_with_work(model, state) -> bool:
    v = model.view(state[0])
    return (v.at("waiter", "wait") and v.local("waiter", "block") == 1 and not v.event
            and v.req == 1)


@pytest.mark.parametrize("bug", aio_notify.BUGS)
def test_aio_notify_variants_are_caught(bug):
    model = aio_notify.model(bug)
    prop = aio_notify.VIOLATES[bug]
    result = model.check("acceptance", claim=prop, fair=True)
    assert result.violated and result.kind == "acceptance cycle"
    states = check_lasso(model.system(prop), result.counterexample, mode="acceptance",
                         fair=True)
    if prop == "lost wakeup":
        # the waiter sleeps in poll() with the BH scheduled, forever
        assert all(_asleep_with_work(model, s) for s in states)
    else:
        # the notifier thread is gone and the EventNotifier stays set forever
        assert all(model.view(s[0]).event == 1 and model.view(s[0]).at("notifier", "stopped")
                   for s in states)
    other = "busy loop" if prop == "lost wakeup" else "lost wakeup"
    expected = AIO_NOTIFY_FAIR_OK.get((bug, other))
    if expected is not None:
        again = model.check("acceptance", claim=other, fair=True)
        assert again.ok and again.states == expected


def test_lost_wakeup_needs_the_second_poller():
    # aio-notifier-cleared-late and aio-dispatching-flag need another thread's aio_poll
    # (docs/catalogue.md: the helper clears or dispatches while the waiter sleeps); with the
    # waiter alone, its own re-check of the BH before sleeping saves it
    for bug in ("aio-notifier-cleared-late", "aio-dispatching-flag"):
        alone = aio_notify.model(bug, helper=False)
        assert alone.check("acceptance", claim="lost wakeup", fair=True).ok


def test_graph_lock_fixed_verifies():
    # exclusion: the writer only enters after counting zero readers *after* raising
    # has_writer, and a reader only stays after seeing has_writer == 0 *after* raising
    # its count (the Dekker pair P5, sequentially consistent here); conservation: every
    # step that changes a count moves a reader in or out of the counted locations.
    # SPIN on the twin: 6350 states stored; pan -a -f: 10951 and 10375 states, no error.
    model = graph_lock.model()
    safety = model.check(search="bfs")
    assert safety.ok and safety.states == 6350
    for prop, states in (("writer starves", 10951), ("reader0 starves", 10375)):
        result = model.check("acceptance", claim=prop, fair=True)
        assert result.ok and result.states == states


def test_graph_lock_readers_need_fairness():
    # without fairness the other reader may loop forever while reader0, ready to ask
    # for the lock, is never scheduled
    model = graph_lock.model()
    result = model.check("acceptance", claim="reader0 starves")
    assert result.violated
    check_lasso(model.system("reader0 starves"), result.counterexample,
                mode="acceptance", fair=False)


def test_graph_lock_migration_reaches_orphaned_counts():
    # the conservation invariant is only interesting if counts really move between
    # contexts and into ``orphaned``: both happen in the reachable states
    model = graph_lock.model()
    graph = model.graph(max_states=20000)
    views = [model.view(d["state"]) for _, d in graph.nodes(data=True)]
    assert any(v.orphaned != 0 for v in views)
    assert any(min(v.count) < 0 for v in views)


def test_graph_lock_conditional_kick_starves_the_writer():
    model = graph_lock.model("graph-rdunlock-kick-conditional")
    result = model.check("acceptance", claim="writer starves", fair=True)
    assert result.violated
    states = check_lasso(model.system("writer starves"), result.counterexample,
                         mode="acceptance", fair=True)
    # the writer sleeps in aio_poll waiting for a kick while no reader holds the lock
    for s in states:
        v = model.view(s[0])
        assert v.at("writer", "poll") and v.kick == 0
        assert v.orphaned + sum(v.count) == 0
    # with I/O drained nobody else can move either: safety sees the deadlock
    assert model.check(search="bfs").kind == "invalid end state"


@pytest.mark.parametrize("bug", graph_lock.SEEDED)
def test_graph_lock_seeded_variants_are_caught(bug):
    model = graph_lock.model(bug)
    prop = graph_lock.VIOLATES[bug]
    if prop in ("exclusion", "reader count conservation"):
        result = model.check(search="bfs")
        assert result.violated and result.kind == "invariant"
        assert prop in result.message
    else:
        result = model.check("acceptance", claim=prop, fair=True)
        assert result.violated and result.kind == "acceptance cycle"
        check_lasso(model.system(prop), result.counterexample, mode="acceptance",
                    fair=True)
