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


def test_a_steps_note_is_shown_in_the_lane_and_the_text_trace():
    """A step's note (why its value is what it is: the weak-memory work explains stale
    reads with it) appears in the swimlane row and in the printed columns."""
    from aioctx.sim import Counterexample, Failure, Step

    trace = [Step(1, 0, "store", "x", "w.store", 2),
             Step(2, 1, "load", "x", "r.load", 0, note="stale: main's store 2 buffered")]
    cx = Counterexample(Failure("exception", "AssertionError: x"), {"decisions": []},
                        trace, ["main", "reader"], 0)
    texts = [r.text for r in from_sim(cx).rows]
    assert any("(stale: main's store 2 buffered)" in t for t in texts), texts
    assert "(stale: main's store 2 buffered)" not in texts[0]
    assert "load x [r.load] = 0 (stale: main'" in str(cx)     # cut at the column width


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
    assert lane.columns[:3] == ["Worker(0)", "SyncPoller(1)", "GSource(2)"]   # then monitors
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


@pytest.mark.timeout(300)
def test_a_long_sim_lane_folds_quiet_steps_and_shows_the_deciding_read():
    """aio-dispatching-flag: the worker skips its notify because it reads the poller's
    ``dispatching = True``; that read is named with its writer, and the quiet steps
    around it fold so the picture stays short."""
    cx = check(get("aio-dispatching-flag"), True, "pct").result.counterexample
    full = from_sim(cx, max_rows=None)
    assert not any(r.folded for r in full.rows) and len(full.rows) > 100
    lane = from_sim(cx)
    folded = [r for r in lane.rows if r.folded]
    assert folded and all(r.text == f"... {r.folded} steps" for r in folded)
    assert len(lane.rows) <= 90 and sum(lane.omitted.values()) < 20
    deciding = [r for r in lane.rows if lane.columns[r.column] == "worker"
                and r.reads == "reads drainer's ctx.dispatching = True"]
    assert len(deciding) == 1 and deciding[0].text == "aio_notify.load_dispatching = True"
    # the poller's own read of the flag it set is no news
    assert not any(r.reads for r in lane.rows if lane.columns[r.column] == "drainer"
                   and "load_dispatching" in r.text)
    svg = lane.svg()
    assert "reads drainer&#39;s ctx.dispatching = True" in svg or \
        "reads drainer's ctx.dispatching = True" in svg
    assert "... 2 steps" in svg
