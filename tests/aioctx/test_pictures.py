"""Swimlanes of sim and model counterexamples and the state graph with a counterexample:
produced, non-empty, and carrying the marks they promise."""

from __future__ import annotations

import pytest
from aioctx.sim.scenario import check
from aioctx.sim.scenarios import get

from aioctx import promela
from aioctx.pictures import state_graph
from aioctx.swimlane import FAIL, SLEEP, from_model, from_sim

MODELS = promela.__file__.rsplit("/", 1)[0] + "/models/"


@pytest.mark.timeout(300)
def test_sim_lost_wakeup_marks_the_blocked_poll(tmp_path):
    cx = check(get("notify-accept-stolen-by-other-thread"), True, "pct").result.counterexample
    lane = from_sim(cx, title="stolen")
    sleeping = [r for r in lane.rows if r.mark == SLEEP]
    assert len(sleeping) == 1 and sleeping[0].text.startswith("poll on ctx.notifier")
    assert lane.columns[sleeping[0].column] == "home"
    paths = lane.save_all(str(tmp_path / "stolen"))
    assert [p[-3:] for p in paths] == ["svg", "png"]
    assert open(paths[1], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert "asleep for good" in open(paths[0]).read()


@pytest.mark.timeout(300)
def test_sim_exception_marks_the_failing_step():
    cx = check(get("bh-schedule-ctx-uaf"), True, "pct").result.counterexample
    failing = [r for r in from_sim(cx).rows if r.mark == FAIL]
    assert len(failing) == 1 and "UseAfterFree" in failing[0].note


def test_model_invalid_end_state_and_cycle(tmp_path):
    result, system = promela.check(MODELS + "aio-dispatching-flag.pml", "safety",
                                   defines=["AIO_DISPATCHING_FLAG"], search="bfs")
    lane = from_model(result.counterexample, system)
    asleep = [r for r in lane.rows if r.mark == SLEEP]
    assert [lane.columns[r.column] for r in asleep] == ["GSource(2)"]
    assert "g_main_context_iteration__poll" in asleep[0].text
    assert lane.columns == ["Worker(0)", "SyncPoller(1)", "GSource(2)"]
    result, system = promela.check(MODELS + "aio-notify-accept.pml", "acceptance", fair=True,
                                   defines=["NOTIFIED_BEFORE_EVENT"])
    lane = from_model(result.counterexample, system)
    cycle = [r for r in lane.rows if r.cycle]
    assert len(cycle) == len(result.counterexample.cycle) > 0
    assert "cycle: repeats for ever" in lane.svg()
    assert lane._repr_svg_().startswith("<?xml")


def test_state_graph_with_the_counterexample(tmp_path):
    result, system = promela.check(MODELS + "aiowait-home-thread-no-waiter-count.pml", "safety",
                                   defines=["AIOWAIT_HOME_THREAD_NO_WAITER_COUNT"],
                                   search="bfs")
    picture = state_graph(system, result.counterexample)
    path = picture.save(str(tmp_path / "graph.png"))
    assert open(path, "rb").read(4) == b"\x89PNG"
    assert (tmp_path / "graph.png").stat().st_size > 20_000
    assert f"counterexample of {len(result.counterexample)} steps" in picture.svg()
    with pytest.raises(ValueError, match="more than 20 states"):
        state_graph(system, max_states=20)
