"""Live cross-checks against SPIN: same model, same options, same answer.

Each case runs SPIN on a Promela twin (promela/*.pml, written statement for statement
like the Python model) and our checker on the Python model, and compares verdicts and,
where both searches are complete, the number of states stored (and of transitions:
SPIN's count includes the initial state's insertion, hence the +1).
"""

from __future__ import annotations

import model_random
import pytest
from aioctx.model.examples import aio_notify, graph_lock
from aioctx.model.examples.classic import peterson
from test_model_fairness import NEVER_DONE, blocked, hog, starves

SAFETY = {None: (), "aio-notifier-cleared-late": ("CLEARED_LATE",),
          "aio-dispatching-flag": ("DISPATCHING",), "notified-skips-set": ("SKIPS_SET",),
          "notified-before-event": ("BEFORE_EVENT",)}
CLAIMS = {"lost wakeup": "LOST_WAKEUP", "busy loop": "BUSY_LOOP"}


@pytest.mark.parametrize("bug", list(SAFETY))
def test_aio_notify_state_space_matches_spin(spin, bug):
    pan = spin("aio_notify.pml", SAFETY[bug])
    ours = aio_notify.model(bug).check(search="bfs")
    assert pan.errors == 0 and ours.ok
    assert (ours.states, ours.transitions + 1) == (pan.stored, pan.transitions)


@pytest.mark.parametrize("bug", list(SAFETY))
@pytest.mark.parametrize("prop", list(CLAIMS))
def test_aio_notify_liveness_matches_spin(spin, bug, prop):
    pan = spin("aio_notify.pml", SAFETY[bug] + (CLAIMS[prop],), ("-a", "-f"))
    ours = aio_notify.model(bug).check("acceptance", claim=prop, fair=True)
    assert ours.violated == (pan.errors > 0)
    if ours.ok:
        assert ours.states == pan.stored


@pytest.mark.parametrize("defines, bug", [((), None), (("TURN_FIRST",), "turn-first")])
def test_peterson_matches_spin(spin, defines, bug):
    pan = spin("peterson.pml", defines)
    ours = peterson(bug).check(search="dfs")
    assert ours.violated == (pan.errors > 0)
    if ours.ok:
        assert (ours.states, ours.transitions + 1) == (pan.stored, pan.transitions)


@pytest.mark.parametrize("fair", [False, True])
def test_peterson_liveness_matches_spin(spin, fair):
    args = ("-a", "-f") if fair else ("-a",)
    pan = spin("peterson.pml", ("P1_STARVES",), args)
    ours = peterson().check("acceptance", claim=starves("P1"), fair=fair)
    assert ours.violated == (pan.errors > 0)
    pan_np = spin("peterson.pml", ("PROGRESS1",), ("-l", "-f") if fair else ("-l",),
                  non_progress=True)
    ours_np = peterson(progress_cs=1).check("non-progress", fair=fair)
    assert ours_np.violated == (pan_np.errors > 0)


@pytest.mark.parametrize("define, model", [("HOG", hog), ("BLOCKED", blocked)])
@pytest.mark.parametrize("fair", [False, True])
def test_fairness_cases_match_spin(spin, define, model, fair):
    pan = spin("fairness.pml", (define,), ("-a", "-f") if fair else ("-a",))
    ours = model().check("acceptance", claim=NEVER_DONE, fair=fair)
    assert ours.violated == (pan.errors > 0)


def test_atomic_case_matches_spin(spin):
    # the Python side is test_model_fairness.test_atomic_sequences_do_not_excuse_other_processes
    assert spin("fairness.pml", ("ATOMIC",), ("-a",)).errors == 1
    assert spin("fairness.pml", ("ATOMIC",), ("-a", "-f")).errors == 0
    stuck = spin("fairness.pml", ("STUCK",), ("-a",))
    assert stuck.errors == 1 and "accept stutter" in stuck.output
    assert spin("fairness.pml", ("STUCK",), ("-l",), non_progress=True).errors == 0


GRAPH_LOCK = {None: (), "graph-rdunlock-kick-conditional": ("KICK_COND",),
              "wrlock-no-recount": ("NO_RECOUNT",), "unregister-drops-count": ("DROP_COUNT",),
              "no-recheck-under-mutex": ("NO_RECHECK",)}


def _without_invariants(bug):
    model = graph_lock.model(bug)
    model.invariants.clear()          # SPIN checks them in a run of their own
    return model


@pytest.mark.parametrize("bug", list(GRAPH_LOCK))
def test_graph_lock_safety_matches_spin(spin, bug):
    pan = spin("graph_lock.pml", GRAPH_LOCK[bug])
    ours = _without_invariants(bug).check(search="bfs")
    assert ours.violated == (pan.errors > 0)
    if ours.ok:
        assert (ours.states, ours.transitions + 1) == (pan.stored, pan.transitions)
    invariants = spin("graph_lock.pml", GRAPH_LOCK[bug] + ("INVARIANTS",))
    first = graph_lock.model(bug).check(search="bfs")
    assert (first.kind == "invariant") == (invariants.errors > 0)


@pytest.mark.parametrize("bug", list(GRAPH_LOCK))
@pytest.mark.parametrize("prop, define", [("writer starves", "WRITER_STARVES"),
                                          ("reader0 starves", "READER0_STARVES")])
def test_graph_lock_liveness_matches_spin(spin, bug, prop, define):
    pan = spin("graph_lock.pml", GRAPH_LOCK[bug] + (define,), ("-a", "-f"))
    ours = _without_invariants(bug).check("acceptance", claim=prop, fair=True)
    assert ours.violated == (pan.errors > 0)
    if ours.ok:
        assert ours.states == pan.stored


# Random models (model_random.py): 6, 21, 29, 40 and 76 are seeds where weak fairness
# changes SPIN's verdict, 18 has no accept label (SPIN then runs a safety search for -a),
# 10 has every kind of error.
@pytest.mark.parametrize("seed", [6, 10, 18, 21, 29, 40, 76])
def test_random_models_agree_with_spin(spin_runs, seed):
    procs = model_random.generate(seed)
    model = model_random.python_model(procs)
    text = model_random.promela(procs)
    safety, accept, accept_fair = spin_runs("m.pml", runs=((), ("-a",), ("-a", "-f")),
                                            text=text)
    ours = model.check(search="bfs")
    assert ours.violated == (safety.errors > 0)
    if ours.ok:
        assert ours.states == safety.stored
    assert model.check("acceptance").violated == (accept.errors > 0)
    assert model.check("acceptance", fair=True).violated == (accept_fair.errors > 0)
    np_plain, np_fair = spin_runs("m.pml", runs=(("-l",), ("-l", "-f")),
                                  non_progress=True, text=text)
    assert model.check("non-progress").violated == (np_plain.errors > 0)
    assert model.check("non-progress", fair=True).violated == (np_fair.errors > 0)
    bare = model_random.python_model(procs, accept_labels=False)
    claim_plain, claim_fair = spin_runs(
        "m.pml", runs=(("-a",), ("-a", "-f")),
        text=model_random.promela(procs, accept_labels=False, claim=True))
    assert bare.check("acceptance", claim="y settles").violated == (claim_plain.errors > 0)
    assert (bare.check("acceptance", claim="y settles", fair=True).violated
            == (claim_fair.errors > 0))
