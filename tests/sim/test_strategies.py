"""Strategies find each small bug, pass each fix, and are deterministic for a seed."""

from __future__ import annotations

import functools

import pytest
from aioctx.sim.runner import Runner, RunSpec
from hypothesis import given, settings

from aioctx import sim

from . import programs as P

BUGS = {
    "lost_update": "exception",
    "lost_wakeup": "lost-wakeup",
    "abba": "deadlock",
    "message_passing": "exception",
    "three_way": "exception",
}
STRATEGIES = [sim.RandomWalk(), sim.PCT(3), sim.DFS(2), sim.DPOR(), sim.HypothesisSearch()]


@pytest.mark.parametrize("name", sorted(BUGS))
@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_buggy_found_and_fixed_passes(name: str, strategy) -> None:
    program = getattr(P, name)
    buggy = sim.explore(functools.partial(program, False), strategy, runs=300, seed=7)
    assert buggy.failed, buggy
    assert buggy.counterexample.failure.kind == BUGS[name]
    fixed = sim.explore(functools.partial(program, True), strategy, runs=300, seed=7)
    assert not fixed.failed, fixed
    if strategy.name in ("dfs", "dpor"):
        assert fixed.exhaustive


def test_dfs_is_exhaustive_within_the_bound_and_counts_executions() -> None:
    result = sim.explore(functools.partial(P.three_way, True), sim.DFS(2))
    assert result.exhaustive and result.preemption_bound == 2
    assert sum(result.per_level) == result.executions > 10
    text = result.summary()
    assert "exhaustive up to 2 preemptions" in text and str(result.executions) in text
    # more preemptions allowed: a superset of the executions
    wider = sim.explore(functools.partial(P.three_way, True), sim.DFS(3))
    assert wider.executions > result.executions
    assert wider.per_level[:3] == result.per_level


def test_dfs_bound_zero_misses_a_one_preemption_bug_and_says_so() -> None:
    result = sim.explore(functools.partial(P.lost_update, False), sim.DFS(0))
    assert not result.failed and result.exhaustive and result.pruned > 0
    assert "beyond the bound not explored" in result.summary()


def test_dpor_explores_fewer_executions_than_dfs() -> None:
    program = functools.partial(P.abba, True)
    dpor = sim.explore(program, sim.DPOR())
    dfs = sim.explore(program, sim.DFS(3))
    assert dpor.exhaustive and dfs.exhaustive
    assert dpor.executions < dfs.executions


@pytest.mark.parametrize("strategy", [sim.RandomWalk(), sim.PCT(2), sim.PCT(3)],
                         ids=lambda s: f"{s.name}")
def test_same_seed_same_run_same_schedule(strategy) -> None:
    program = functools.partial(P.lost_wakeup, False)
    a = sim.explore(program, strategy, runs=500, seed=11, shrink=False)
    b = sim.explore(program, strategy, runs=500, seed=11, shrink=False)
    assert a.failed and a.found_at == b.found_at
    assert a.counterexample.schedule == b.counterexample.schedule


def test_hypothesis_schedules_strategy_in_a_users_test() -> None:
    failures = []

    @settings(max_examples=200, database=None, deadline=None)
    @given(sim.schedules())
    def check(decider) -> None:
        with Runner(RunSpec(functools.partial(P.lost_update, False))) as runner:
            ex = runner.run(decider)
        if ex.failure is not None:
            failures.append(ex.decisions)

    check()
    assert failures, "200 Hypothesis schedules never interleaved the two increments"


def test_invalid_strategy_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        sim.PCT(depth=0)
    with pytest.raises(ValueError):
        sim.DFS(preemption_bound=-1)
    with pytest.raises(TypeError, match="not a strategy"):
        sim.explore(P.lost_update, strategy=3)
    with pytest.raises(ValueError, match="unknown strategy 'pcd'; known: pct, random, dfs"):
        sim.explore(P.lost_update, strategy="pcd")
