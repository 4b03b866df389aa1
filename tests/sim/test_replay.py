"""Counterexamples: JSON schedules that replay exactly, divergence reports, shrinking,
and the same trace on both engines."""

from __future__ import annotations

import functools
import json
import os

import pytest
from aioctx.sim.guided import GuidedDecider, RecordingReplay
from aioctx.sim.runner import Runner, RunSpec

from aioctx import sim

from . import programs as P


def found(program, strategy=None, **kw):
    result = sim.explore(program, strategy or sim.PCT(3), runs=2000, seed=3, **kw)
    assert result.failed, result
    return result.counterexample


@pytest.mark.parametrize("name", ["lost_update", "lost_wakeup", "abba", "three_way"])
def test_counterexample_replays_from_its_json_file(name: str, tmp_path) -> None:
    program = functools.partial(getattr(P, name), False)
    cx = found(program)
    path = tmp_path / "schedule.json"
    path.write_text(cx.to_json())
    again = sim.replay(program, str(path))
    assert again.divergence is None
    assert again.failure.signature == cx.failure.signature
    assert again.schedule["steps"] == cx.schedule["steps"]
    # the fixed program no longer fails, and replay says where the run departs
    fixed = sim.replay(functools.partial(getattr(P, name), True), str(path))
    assert not fixed.failed and fixed.divergence is not None


def test_divergence_names_the_step_and_operations() -> None:
    cx = found(functools.partial(P.lost_wakeup, False))
    fixed = sim.replay(functools.partial(P.lost_wakeup, True), cx.schedule)
    assert fixed.divergence.startswith("step ")
    assert "[waiter.check]" in fixed.divergence or "[waiter.lock]" in fixed.divergence
    assert "tests/sim/programs.py:" in fixed.divergence


def test_bad_schedule_documents_get_one_line_errors(tmp_path) -> None:
    program = functools.partial(P.lost_update, False)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "aioctx.sim.schedule",\n "version": 1,\n "decisions": [1,')
    with pytest.raises(sim.ScheduleError, match=r"bad.json:3:\d+: not JSON"):
        sim.replay(program, str(bad))
    with pytest.raises(sim.ScheduleError, match="version 99 is not supported"):
        sim.replay(program, {"format": "aioctx.sim.schedule", "version": 99})
    with pytest.raises(sim.ScheduleError, match="not an aioctx schedule"):
        sim.replay(program, {"decisions": []})
    with pytest.raises(sim.ScheduleError, match="cannot read"):
        sim.replay(program, str(tmp_path / "missing.json"))


def test_a_schedule_file_written_before_typed_traces_still_replays() -> None:
    """tests/sim/data/lost-update-v1.json was saved by aioctx before trace steps were
    typed (positional rows inside, the same JSON outside): it replays step for step."""
    path = os.path.join(os.path.dirname(__file__), "data", "lost-update-v1.json")
    replayed = sim.replay(functools.partial(P.lost_update, False), path)
    assert replayed.failed and replayed.failure.kind == "exception"
    assert replayed.divergence is None
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)
    assert replayed.schedule["steps"] == saved["steps"]
    assert replayed.schedule["decisions"] == saved["decisions"]


def test_schedule_document_is_versioned_json() -> None:
    cx = found(functools.partial(P.lost_update, False))
    doc = json.loads(cx.to_json())
    assert doc["format"] == "aioctx.sim.schedule" and doc["version"] == 1
    assert doc["program"].endswith("programs:lost_update")
    assert doc["threads"] == ["main", "inc0", "inc1"]
    assert doc["failure"]["kind"] == "exception"
    assert all(len(step) == 5 for step in doc["steps"])


def test_printed_counterexample_has_a_column_per_thread() -> None:
    text = str(found(functools.partial(P.lost_update, False)))
    header = next(line for line in text.splitlines() if line.startswith("   #"))
    assert [c.strip() for c in header.split("|")] == ["#", "main", "inc0", "inc1", "where"]
    assert "load x [inc.load] = 0" in text


def _deviations_needed(program, schedule) -> list:
    with Runner(RunSpec(program)) as runner:
        recorder = RecordingReplay(schedule["decisions"])
        runner.run(recorder)
        devs = recorder.deviations
        needed = []
        for i in range(len(devs)):
            ex = runner.run(GuidedDecider(devs[:i] + devs[i + 1:]))
            needed.append(ex.failure is None)
    return needed


@pytest.mark.parametrize("strategy", [sim.RandomWalk(), sim.PCT(3), sim.HypothesisSearch()],
                         ids=lambda s: s.name)
def test_shrinking_keeps_only_needed_preemptions(strategy) -> None:
    program = functools.partial(P.three_way, False)
    raw = sim.explore(program, strategy, runs=2000, seed=5, shrink=False).counterexample
    cx = found(program, strategy)
    assert cx.failure.signature == raw.failure.signature
    assert cx.preemptions <= raw.preemptions
    # the minimum for this bug is one preemption (bounded DFS finds none with 0)
    assert not sim.explore(program, sim.DFS(0)).failed
    assert cx.preemptions == 1
    assert all(_deviations_needed(program, cx.schedule))
    assert len(cx.schedule["steps"]) <= len(raw.schedule["steps"])


@pytest.mark.parametrize("name", ["lost_update", "lost_wakeup", "abba", "three_way"])
def test_both_engines_give_the_same_trace_for_the_same_schedule(name: str) -> None:
    program = functools.partial(getattr(P, name), False)
    cx = found(program)
    fiber = sim.replay(program, cx.schedule, engine="fiber")
    thread = sim.replay(program, cx.schedule, engine="thread")
    assert fiber.schedule["steps"] == thread.schedule["steps"]
    assert [(s.n, s.tid, s.op, s.obj, s.label, s.value) for s in fiber.trace] == \
        [(s.n, s.tid, s.op, s.obj, s.label, s.value) for s in thread.trace]
    assert fiber.failure.signature == thread.failure.signature
    assert fiber.failure.blocked == thread.failure.blocked


def test_nondeterministic_program_is_reported() -> None:
    import itertools
    counter = itertools.count()

    def program() -> None:
        from aioctx.impl import sync
        x = sync.Atomic(0, name="x")
        if next(counter) % 2:           # depends on state outside the simulation
            x.store(1)
        t = sync.Thread(lambda: x.store(2), name="t")
        t.start()
        t.join()
        assert x.load() != 2 or next(counter) % 3

    result = sim.explore(program, sim.RandomWalk(), runs=200, seed=1, shrink=False)
    if result.failed:
        assert result.counterexample.failure.kind in ("nondeterminism", "exception")


def _flaky_program(counter) -> None:
    """Fails on odd-numbered calls only: not a function of the schedule. Two threads, so
    that the schedule has a choice to make and the search runs more than once."""
    from aioctx.impl import sync
    n = next(counter)
    x = sync.Atomic(0, name="x")
    t = sync.Thread(lambda: x.store(1, label="w"), name="w")
    t.start()
    for _ in range(1 + n % 3):
        x.load(label="extra")
    t.join()
    assert n % 2 == 0, "odd call"


def test_determinism_check_reports_a_program_that_is_not_a_function_of_the_schedule() -> None:
    import itertools
    program = functools.partial(_flaky_program, itertools.count())
    result = sim.explore(program, sim.RandomWalk(), runs=10, seed=1, shrink=False)
    failure = result.counterexample.failure
    assert failure.kind == "nondeterminism"
    assert "wall clock, unseeded randomness" in failure.message or "step" in failure.message


def test_dfs_names_the_operation_where_a_rerun_diverged() -> None:
    import itertools
    counter = itertools.count()

    def program() -> None:
        from aioctx.impl import sync
        x = sync.Atomic(0, name="x")
        ts = [sync.Thread(lambda: x.store(2, label="w"), name=f"w{i}") for i in range(2)]
        if next(counter) >= 2:                   # from the third run on, one writer less
            ts.pop()
            x.store(1, label="alone")
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    result = sim.explore(program, sim.DFS(2))
    failure = result.counterexample.failure
    assert failure.kind == "nondeterminism"
    assert ("cannot run this time; runnable: " in failure.message
            or "the run ended after" in failure.message)
