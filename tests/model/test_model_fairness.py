"""Liveness and weak fairness on models with known answers.

Every expected verdict here is SPIN's for the Promela twin named in the test
(promela/peterson.pml, promela/fairness.pml), with ``pan -a`` / ``pan -a -f`` /
``pan -l`` / ``pan -l -f``; test_model_spin.py re-runs SPIN.  The reason each answer is
right is given in the test.  Every counterexample is replayed by model_lasso.check_lasso.
"""

from __future__ import annotations

import pytest
from aioctx.model import Claim, Model, State, StepInfo, TransitionSystem, check
from aioctx.model.examples.classic import peterson
from model_lasso import check_lasso


def starves(process: str) -> Claim:
    """Runs in which ``process`` eventually never is in its critical section."""
    return Claim.eventually_always(lambda s: not s.at(process, "cs"), f"{process} starves")


@pytest.mark.parametrize("fair", [False, True])
def test_peterson_non_progress_cycle_exists_only_without_fairness(fair):
    # P1's critical section is the only progress location.  Without fairness P0 can
    # run its loop forever while P1, always able to raise its flag, never moves: a
    # non-progress cycle (SPIN -l: 1 error).  Under weak fairness P1 must move: it
    # raises its flag and gives the turn to P0; P0 then enters at most once more and
    # blocks at its wait (flag[1] up, turn 1), P1's wait stays true, so P1 enters: no
    # fair non-progress cycle (SPIN -l -f: 0 errors).
    model = peterson(progress_cs=1)
    result = model.check("non-progress", fair=fair)
    if fair:
        assert result.ok and result.fair
    else:
        assert result.violated and result.kind == "non-progress cycle"
        states = check_lasso(model.system(), result.counterexample, mode="non-progress",
                             fair=False)
        assert all(not model.view(s).at("P1", "cs") for s in states)
        assert {step.process for step in result.counterexample.cycle} == {"P0"}


@pytest.mark.parametrize("fair", [False, True])
def test_peterson_entry_needs_fairness(fair):
    # "P1 enters its critical section infinitely often" fails without fairness (P1 is
    # never scheduled; SPIN -a: 1 error) and holds under weak fairness (same argument
    # as above; SPIN -a -f: 0 errors, 74 product states stored).
    model = peterson()
    result = model.check("acceptance", claim=starves("P1"), fair=fair)
    if fair:
        assert result.ok
        assert result.states == 74
    else:
        assert result.violated and result.kind == "acceptance cycle"
        check_lasso(model.system(starves("P1")), result.counterexample,
                    mode="acceptance", fair=False)


def hog() -> Model:
    """promela/fairness.pml -DHOG: a test-and-set lock that P0 takes over and over."""
    m = Model("hog")
    m.vars(lock=0, done=0)
    p0 = m.process("P0")
    p0.label("loop", end=True)
    p0.step("atomic { lock == 0 -> lock = 1 }", lambda s: s.set(lock=1),
            when=lambda s: s.lock == 0)
    p0.step("lock = 0", lambda s: s.set(lock=0), goto="loop")
    p1 = m.process("P1")
    p1.label("start", end=True)
    p1.step("atomic { lock == 0 -> lock = 1 }", lambda s: s.set(lock=1),
            when=lambda s: s.lock == 0)
    p1.step("done = 1", lambda s: s.set(done=1))
    p1.step("lock = 0", lambda s: s.set(lock=0))
    return m


def blocked() -> Model:
    """promela/fairness.pml -DBLOCKED: P1 waits for x == 5, which never holds."""
    m = Model("blocked")
    m.vars(x=0, done=0)
    p0 = m.process("P0")
    p0.label("loop", end=True)
    p0.step("x = 1 - x", lambda s: s.set(x=1 - s.x), goto="loop")
    p1 = m.process("P1")
    p1.label("start", end=True)
    p1.wait("x == 5", lambda s: s.x == 5)
    p1.step("done = 1", lambda s: s.set(done=1))
    return m


NEVER_DONE = Claim.eventually_always(lambda s: s.done == 0, "never done")


@pytest.mark.parametrize("fair", [False, True])
def test_weak_fairness_is_not_strong_fairness(fair):
    # P1 is enabled only while the lock is free; P0 keeps taking it.  In the cycle
    # P0-acquire, P0-release, P1 is blocked whenever P0 holds the lock, so the cycle is
    # weakly fair and P1 starves (SPIN -a and -a -f: 1 error each).  Only strong
    # fairness would rule it out.
    model = hog()
    result = model.check("acceptance", claim=NEVER_DONE, fair=fair)
    assert result.violated
    states = check_lasso(model.system(NEVER_DONE), result.counterexample,
                         mode="acceptance", fair=fair)
    assert any(model.view(s[0]).lock == 1 for s in states)   # where P1 is blocked


@pytest.mark.parametrize("fair", [False, True])
def test_a_blocked_process_does_not_make_a_cycle_unfair(fair):
    # P1 can never move again, so P0 looping alone is fair (SPIN -a -f: 1 error).
    model = blocked()
    result = model.check("acceptance", claim=NEVER_DONE, fair=fair)
    assert result.violated
    check_lasso(model.system(NEVER_DONE), result.counterexample, mode="acceptance",
                fair=fair)


class AtomicLoop(TransitionSystem):
    """promela/fairness.pml -DATOMIC as a hand-written system with an atomic sequence.

    State (pc0, x, pc1, done).  P0 loops over ``atomic { x = 1; x = 0 }``: at pc0 == 1
    it is inside the atomic sequence, so only P0 is scheduled there (``exclusive``).
    P1 does ``done = 1`` once.
    """

    name = "atomic loop"
    steps = [StepInfo("x = 1", "fairness.pml:30"), StepInfo("x = 0", "fairness.pml:30"),
             StepInfo("done = 1", "fairness.pml:31")]

    def __init__(self, with_exclusive: bool = True) -> None:
        if with_exclusive:
            self.exclusive = lambda s: 0 if s[0] == 1 else None

    def initial_states(self):
        return [(0, 0, 0, 0)]

    def successors(self, s: State):
        pc0, x, pc1, done = s
        if pc0 == 1:
            return [(0, 1, (0, 0, pc1, done))]
        moves = [(0, 0, (1, 1, pc1, done))]
        if pc1 == 0:
            moves.append((1, 2, (pc0, x, 1, 1)))
        return moves

    def step_info(self, step):
        return self.steps[step]

    def process_name(self, state, pid):
        return f"P{pid}"

    def variables(self, state):
        return {"x": state[1], "done": state[3]}


def test_atomic_sequences_do_not_excuse_other_processes():
    # SPIN -a: 1 error (P0 loops, P1 never moves).  SPIN -a -f: 0 errors: P1 is enabled
    # in every state where it is scheduled at all, and inside P0's atomic sequence it is
    # not scheduled, which does not count as being blocked.
    claim = Claim.eventually_always(lambda s: s[3] == 0, "never done")
    from aioctx.model import product
    system = product(AtomicLoop(), claim)
    assert check(system, "acceptance").violated
    assert check(system, "acceptance", fair=True).ok
    # Without the ``exclusive`` hook the checker would take P1's absence inside the
    # atomic sequence for blocking, and call the cycle fair: the hook is what matters.
    naive = product(AtomicLoop(with_exclusive=False), claim)
    assert check(naive, "acceptance", fair=True).violated


def stuck() -> Model:
    """promela/fairness.pml -DSTUCK: P0 sets x, then waits forever at an accept label."""
    m = Model("stuck")
    m.var("x", 0)
    p = m.process("P0")
    p.step("x = 1", lambda s: s.set(x=1))
    p.label("accept_stuck", accept=True)
    p.wait("x == 5", lambda s: s.x == 5)
    return m


def test_dead_ends_stutter_for_acceptance_but_not_for_non_progress():
    model = stuck()
    # SPIN -a: "accept stutter": the final state repeats forever and is accepting
    for fair in (False, True):
        result = model.check("acceptance", fair=fair)
        assert result.violated and result.kind == "acceptance cycle"
        assert result.counterexample.cycle == [] and len(result.counterexample) == 1
        check_lasso(model.system(), result.counterexample, mode="acceptance", fair=fair)
    # SPIN -l: 0 errors (finite runs are not extended for non-progress cycles)
    assert model.check("non-progress").ok
    # and plain safety sees an invalid end state (SPIN ./pan: 1 error)
    assert model.check().kind == "invalid end state"


def test_a_never_claim_reaching_its_end_is_a_violation():
    model = peterson()
    both = Claim.eventually(lambda s: s.flag == (1, 1), "both flags up")
    result = model.check(claim=both, search="bfs")
    assert result.violated and result.kind == "claim"
    # two moves raise both flags; the claim then steps into its end state
    assert len(result.counterexample) == 3
    assert result.counterexample.steps[-1].process == "never claim"


def test_fairness_is_ignored_by_safety_and_rejected_with_bfs_liveness():
    assert not peterson().check(fair=True).fair
    with pytest.raises(ValueError, match="depth-first"):
        peterson().check("acceptance", search="bfs")
    with pytest.raises(ValueError, match="unknown mode"):
        peterson().check("liveness")
