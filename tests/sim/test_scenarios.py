"""The catalogue scenarios: each buggy variant is found by PCT and by bounded DFS
(deterministically for a seed), each fixed variant survives; counterexamples replay
and shrink to the preemptions the race needs.

The exhaustive bound-2 DFS of the larger fixed variants and the 10,000-run PCT sweeps
take minutes; they run when AIOCTX_SLOW=1 (and in ``aioctx regress``)."""

from __future__ import annotations

import os

import pytest
from aioctx.sim.guided import GuidedDecider, RecordingReplay
from aioctx.sim.runner import Runner, RunSpec
from aioctx.sim.scenario import check
from aioctx.sim.scenarios import CATALOGUE, get

from aioctx import sim

SLOW = pytest.mark.skipif(not os.environ.get("AIOCTX_SLOW"),
                          reason="minutes long: set AIOCTX_SLOW=1")
SLUGS = list(CATALOGUE)
SMALL = ["notify-accept-stolen-by-other-thread", "bh-schedule-ctx-uaf", "notified-before-event",
         "set-fd-handler-torn-update", "threadpool-nested-aio-poll", "coqueue-restart-uaf",
         "aiowait-home-thread-no-waiter-count"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("slug", SLUGS)
def test_buggy_variant_found_by_pct_deterministically(slug: str) -> None:
    scenario = get(slug)
    first = check(scenario, buggy=True, strategy="pct", runs=3000)
    assert first.as_expected, first.result
    again = check(scenario, buggy=True, strategy="pct", runs=3000, shrink=False)
    assert again.result.found_at == first.result.found_at


@pytest.mark.timeout(300)
@pytest.mark.parametrize("slug", SLUGS)
def test_buggy_variant_found_by_bounded_dfs(slug: str) -> None:
    verdict = check(get(slug), buggy=True, strategy="dfs", shrink=False)
    assert verdict.as_expected, verdict.result
    assert verdict.result.counterexample.preemptions <= 2
    again = check(get(slug), buggy=True, strategy="dfs", shrink=False)
    assert again.result.found_at == verdict.result.found_at


@pytest.mark.timeout(300)
@pytest.mark.parametrize("slug", SLUGS)
def test_counterexample_replays_from_json(slug: str, tmp_path) -> None:
    scenario = get(slug)
    cx = check(scenario, buggy=True, strategy="pct", runs=3000).result.counterexample
    path = tmp_path / f"{slug}.json"
    path.write_text(cx.to_json())
    again = sim.replay(scenario.program(True), str(path))
    assert again.divergence is None and again.failure.signature == cx.failure.signature
    assert not sim.replay(scenario.program(False), str(path)).failed


@pytest.mark.timeout(300)
@pytest.mark.parametrize("slug", SMALL)
def test_fixed_variant_survives_bounded_dfs_at_bound_2(slug: str) -> None:
    verdict = check(get(slug), buggy=False, strategy="dfs", workers=2)
    assert verdict.as_expected, verdict.result
    assert verdict.result.exhaustive and verdict.result.preemption_bound == 2
    assert verdict.result.executions > 100


@SLOW
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("slug", [s for s in SLUGS if s not in SMALL])
def test_fixed_variant_survives_bounded_dfs_at_bound_2_large(slug: str) -> None:
    verdict = check(get(slug), buggy=False, strategy="dfs", workers=2)
    assert verdict.as_expected and verdict.result.exhaustive, verdict.result


@pytest.mark.timeout(300)
@pytest.mark.parametrize("slug", SLUGS)
def test_fixed_variant_survives_pct(slug: str) -> None:
    runs = 10_000 if os.environ.get("AIOCTX_SLOW") else 600
    verdict = check(get(slug), buggy=False, strategy="pct", runs=runs, workers=2)
    assert verdict.as_expected and verdict.result.executions == runs, verdict.result


@pytest.mark.timeout(300)
def test_dispatching_flag_minimal_schedule_needs_all_three_actors() -> None:
    scenario = get("aio-dispatching-flag")
    program = scenario.program(True)
    cx = check(scenario, buggy=True, strategy="pct", runs=3000).result.counterexample
    assert cx.failure.kind == "lost-wakeup"
    actors = {"iothread", "drainer", "worker"}
    active = {cx.threads[s.tid] for s in cx.trace if s.op not in ("begin", "exit")}
    assert actors <= active
    with Runner(RunSpec(program, max_steps=scenario.max_steps)) as runner:
        recorder = RecordingReplay(cx.schedule["decisions"])
        runner.run(recorder)
        devs = recorder.deviations
        for i in range(len(devs)):            # every remaining deviation is needed
            assert runner.run(GuidedDecider(devs[:i] + devs[i + 1:])).failure is None
    # and no schedule with fewer preemptions shows it
    fewer = sim.explore(program, sim.DFS(cx.preemptions - 1), max_steps=scenario.max_steps,
                        workers=2, shrink=False)
    assert not fewer.failed and fewer.exhaustive
    # the trace shows the mechanism: a notify that saw "dispatching" and wrote nothing
    skipped = [s for s in cx.trace if s.label == "aio_notify.load_dispatching" and s.value is True]
    assert skipped


def test_scenarios_document_themselves() -> None:
    for slug, scenario in CATALOGUE.items():
        assert scenario.slug == slug and scenario.expect and scenario.checks
        assert scenario.body.__module__.endswith(slug.replace("-", "_"))
    with pytest.raises(KeyError, match="no scenario 'nope'"):
        get("nope")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slug", ["notify-accept-stolen-by-other-thread", "bh-schedule-ctx-uaf",
                                  "set-fd-handler-torn-update", "notified-before-event"])
def test_dpor_finds_the_buggy_variant(slug: str) -> None:
    scenario = get(slug)
    result = sim.explore(scenario.program(True), sim.DPOR(), max_steps=scenario.max_steps,
                         shrink=False, max_executions=2_000)
    assert result.failed and result.counterexample.failure.kind in scenario.expect, result


def test_dpor_exhausts_a_fixed_variant_in_fewer_executions_than_dfs() -> None:
    scenario = get("set-fd-handler-torn-update")
    dpor = sim.explore(scenario.program(False), sim.DPOR(), max_steps=scenario.max_steps)
    dfs = sim.explore(scenario.program(False), sim.DFS(1), max_steps=scenario.max_steps)
    assert dpor.exhaustive and not dpor.failed and dfs.exhaustive
    assert dpor.executions < dfs.executions


@pytest.mark.timeout(120)
@pytest.mark.parametrize("slug", ["aio-notifier-cleared-late", "co-schedule-ctx-uaf"])
def test_both_engines_replay_a_scenario_counterexample_identically(slug: str) -> None:
    scenario = get(slug)
    cx = check(scenario, buggy=True, strategy="pct", runs=3000, shrink=False) \
        .result.counterexample
    fiber = sim.replay(scenario.program(True), cx.schedule, engine="fiber")
    thread = sim.replay(scenario.program(True), cx.schedule, engine="thread")
    assert fiber.divergence is None and thread.divergence is None
    assert fiber.schedule["steps"] == thread.schedule["steps"] == cx.schedule["steps"]
    assert fiber.failure.signature == thread.failure.signature == cx.failure.signature
