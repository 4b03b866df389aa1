"""Pairing a model with the code: the model's counterexample reproduced on the real code
in a few executions, and every execution of the code checked against the model; a
change on either side that makes them disagree is caught with a readable report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from aioctx.sim.scenarios import get

from aioctx import cli, sim
from aioctx.pairing import Pair

MODELS = Path(__file__).resolve().parents[2] / "promela" / "models"
AIOWAIT = "aiowait-home-thread-no-waiter-count"
AIOWAIT_BUG = "AIOWAIT_HOME_THREAD_NO_WAITER_COUNT"
DISPATCHING = "aio-dispatching-flag"
GRAPH = "graph-rdunlock-kick-conditional"
GRAPH_BUG = ["ONE_READER", "GRAPH_RDUNLOCK_KICK_CONDITIONAL"]
SLOW = pytest.mark.skipif(not os.environ.get("AIOCTX_SLOW"),
                          reason="15-30 minutes each: set AIOCTX_SLOW=1")


def aiowait(defines=(), **options) -> Pair:
    return Pair(MODELS / f"{AIOWAIT}.pml", AIOWAIT, list(defines), **options)


@pytest.fixture
def copied(tmp_path):
    """The aiowait model and mapping copied into tmp_path (to mutate them)."""
    for suffix in (".pml", ".pair"):
        shutil.copy(MODELS / f"{AIOWAIT}{suffix}", tmp_path / f"{AIOWAIT}{suffix}")
    return tmp_path / f"{AIOWAIT}.pml"


# ---------------------------------------------------------------- transfer

def test_the_models_lost_wakeup_is_reproduced_on_the_code():
    t = aiowait([AIOWAIT_BUG]).transfer()
    assert t.reproduced and t.executions <= 20
    cx = t.counterexample
    assert cx.failure.kind == "lost-wakeup"
    # the order, as the model has it, happened on the code, operation for operation
    assert len(t.aligned) == len(t.trail.order) > 0
    for (mi, ti), op in zip(t.aligned, t.trail.order, strict=True):
        step = cx.trace[ti]
        assert (cx.threads[step.tid], step.label) == (op.thread, op.label)
        assert t.trail.counterexample.steps[mi].pid >= 0
    # the thread the model leaves asleep sleeps there on the code too
    assert [op.label for op in t.trail.blocked] == ["fdmon_poll_wait.ppoll"]
    assert any(b.thread == "main" and "fdmon_poll_wait.ppoll" in b.waits_on
               for b in cx.failure.blocked)
    # and the schedule replays
    again = sim.replay(get(AIOWAIT).program(True), cx.schedule)
    assert again.failed and again.failure.kind == "lost-wakeup" and again.divergence is None
    assert "end  main stuck at fdmon_poll_wait.ppoll (both sides)" in t.alignment_text()


@pytest.mark.timeout(300)
def test_dispatching_flag_is_reproduced_in_at_most_20_executions():
    p = Pair(MODELS / f"{DISPATCHING}.pml", DISPATCHING, ["AIO_DISPATCHING_FLAG"])
    t = p.transfer()
    assert t.reproduced and t.executions <= 20, t.summary()
    assert t.counterexample.failure.kind == "lost-wakeup"
    # the deciding reads: a notify that reads dispatching = 1 and writes nothing
    reads = [op for op in t.trail.order if op.label == "aio_notify.load_dispatching"]
    assert reads and all(op.expects("ctx.dispatching")[0] == 1 for op in reads)
    svg = t.picture().svg()
    assert svg.startswith("<?xml") and "g_main_context_iteration" in svg


def test_the_graph_lock_hang_is_reproduced_with_the_models_reads():
    t = Pair(MODELS / "graph-lock.pml", GRAPH, GRAPH_BUG).transfer()
    assert t.reproduced and t.executions <= 20, t.summary()
    assert t.counterexample.failure.kind == "lost-wakeup"
    # the reader leaves after the writer cleared has_writer, reads it as 0: no kick
    labels = [(op.thread, op.label) for op in t.trail.order]
    assert labels[-2:] == [("iothread", "bdrv_graph_co_rdunlock.dec_count"),
                           ("iothread", "bdrv_graph_co_rdunlock.load_has_writer")]
    assert t.trail.order[-1].expects("has_writer")[0] == 0


def test_a_fixed_model_variant_has_nothing_to_transfer():
    t = aiowait().transfer()
    assert not t.reproduced and t.trail is None
    assert t.summary().endswith("the model variant has no counterexample: nothing to "
                                "transfer")


def test_where_the_code_cannot_follow_the_model_is_said():
    # the buggy model on the fixed code: the waiter counts itself, so the kicker reads
    # num_waiters = 1 where the model's reads 0
    t = aiowait([AIOWAIT_BUG], code_buggy=False).transfer(runs=5)
    assert not t.reproduced and t.executions == 5
    assert "<-> aiowait-home-thread-no-waiter-count [fixed]" in t.summary()
    assert "(worker: aio_wait_kick.load_num_waiters): it found global_aio_wait.num_waiters " \
           "= 1 where the order has 0" in t.summary()


# ---------------------------------------------------------------- conformance

@pytest.mark.parametrize("defines,executions,failed", [((), 332, 0),
                                                       ((AIOWAIT_BUG,), 121, 71)])
def test_both_variants_conform_at_preemption_bound_2(defines, executions, failed):
    c = aiowait(defines).conform(bound=2)
    assert c.holds and c.exhaustive and c.departure is None
    assert (c.executions, c.failed_runs) == (executions, failed)
    assert c.summary().startswith(f"{AIOWAIT}.pml [") and "conforms:" in c.summary()


@pytest.mark.parametrize("defines", [["ONE_READER"], GRAPH_BUG])
def test_graph_lock_conforms_at_preemption_bound_1(defines):
    c = Pair(MODELS / "graph-lock.pml", GRAPH, defines).conform(bound=1)
    assert c.holds, str(c)
    assert c.executions == (212 if len(defines) == 2 else 243)


@SLOW
@pytest.mark.timeout(7200)
@pytest.mark.parametrize("model,scenario,defines", [
    ("aio-dispatching-flag", DISPATCHING, []),
    ("aio-dispatching-flag", DISPATCHING, ["AIO_DISPATCHING_FLAG"]),
    ("graph-lock", GRAPH, ["ONE_READER"]),
    ("graph-lock", GRAPH, GRAPH_BUG)])
def test_the_long_pairs_conform_at_preemption_bound_2(model, scenario, defines):
    c = Pair(MODELS / f"{model}.pml", scenario, defines).conform(bound=2)
    assert c.holds, str(c)


def test_mutation_a_wrong_mapping_is_caught(copied):
    mapping = copied.with_suffix(".pair")
    text = mapping.read_text()
    mapping.write_text(text.replace("process Waiter = main", "process Waiter = worker")
                       .replace("process Kicker = worker", "process Kicker = main"))
    c = Pair(copied, AIOWAIT, []).conform(bound=2)
    assert not c.holds and c.executions == 1
    report = c.departure.report()
    # main, now taken for the kicker, notifies while it builds the context: the
    # model's kicker only notifies once it has set done
    assert report.startswith("execution 1: labelled operation 1 (main: "
                             "aio_notify.set_notified leaves qemu_aio_context.notified = 1) "
                             "is not a move of the model")
    assert "main: worker.clear_busy" in report.split("the model allows next:")[1]


def test_mutation_the_bug_switched_on_without_the_models_option_is_caught():
    c = aiowait(code_buggy=True).conform(bound=2)
    assert not c.holds
    d = c.departure
    assert d.event.thread == "main" and d.event.label == "aio_poll.notify_me_add"
    report = d.report()
    assert "the model can be in 1 state(s) here" in report
    assert "Waiter(0) AIO_WAIT_WHILE__inc_num_waiters" in report     # where it waits
    assert "the model allows next: main: AIO_WAIT_WHILE.inc_num_waiters" in report


def test_mutation_a_model_statement_out_of_place_is_caught(copied):
    # the model's kicker reads num_waiters before it sets done: the code does not
    text = copied.read_text()
    moved = text.replace("aio_wait_bh__set_done:\n  done = 1;\n  skip;", "skip;").replace(
        "  :: else\n  fi\n}", "  :: else\n  fi;\naio_wait_bh__set_done:\n  done = 1\n}", 1)
    assert moved != text
    copied.write_text(moved)
    c = Pair(copied, AIOWAIT, []).conform(bound=2)
    assert not c.holds
    assert c.departure.event.label == "worker.clear_busy"
    assert "the model allows next:" in c.departure.report()


# ---------------------------------------------------------------- command line

def test_pair_command_saves_a_schedule_that_replays(capsys, tmp_path):
    out_file, picture = tmp_path / "pair.json", tmp_path / "pair.svg"
    code = cli.main(["pair", str(MODELS / f"{AIOWAIT}.pml"), AIOWAIT, "-D", AIOWAIT_BUG,
                     "-o", str(out_file), "--picture", str(picture)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "reproduced on the code: lost-wakeup at execution" in out
    assert json.loads(out_file.read_text())["scenario"] == {"slug": AIOWAIT, "buggy": True}
    assert picture.read_text().startswith("<?xml")
    assert cli.main(["replay", str(out_file)]) == 1
    capsys.readouterr()
    code = cli.main(["pair", str(MODELS / f"{AIOWAIT}.pml"), AIOWAIT, "-o",
                     str(tmp_path / "none.json")])
    out, _ = capsys.readouterr()
    assert code == 0 and "nothing to transfer" in out
    assert not (tmp_path / "none.json").exists()


def test_conform_command_statuses(capsys, copied):
    code = cli.main(["conform", str(copied), AIOWAIT, "--bound", "1"])
    out, _ = capsys.readouterr()
    assert code == 0 and "conforms:" in out
    code = cli.main(["conform", str(copied), AIOWAIT, "--max-executions", "3"])
    out, _ = capsys.readouterr()
    assert code == 3 and "NOT exhaustive" in out
    mapping = copied.with_suffix(".pair")
    mapping.write_text(mapping.read_text().replace("process Waiter = main",
                                                   "process Waiter = worker")
                       .replace("process Kicker = worker", "process Kicker = main"))
    code = cli.main(["conform", str(copied), AIOWAIT])
    out, _ = capsys.readouterr()
    assert code == 1 and "does NOT conform" in out and "is not a move of the model" in out
