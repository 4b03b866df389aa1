"""``aioctx hunt`` saves a counterexample that ``aioctx replay`` reproduces exactly; the
same schedule on the fixed code diverges and says where; bad input is one line."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from aioctx.sim.result import Result

from aioctx import cli

SLUG = "notify-accept-stolen-by-other-thread"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.timeout(300)
def test_hunt_saves_and_replay_reproduces(capsys, tmp_path):
    saved = tmp_path / "cx.json"
    picture = tmp_path / "cx.svg"
    code, out, err = run(capsys, "hunt", SLUG, "-o", str(saved), "--picture", str(picture))
    assert code == 1, err                      # a race caught
    assert "lost-wakeup" in out and f"aioctx replay {saved}" in out
    # numbered from 1, as regress numbers it: the failing run is the last one run
    assert re.search(r"^pct: FAILED \(lost-wakeup\) at execution [1-9]", out, re.M), out
    doc = json.loads(saved.read_text())
    assert doc["scenario"] == {"slug": SLUG, "buggy": True} and doc["decisions"]
    assert picture.read_text().startswith("<?xml") and picture.stat().st_size > 5000
    code, out, err = run(capsys, "replay", str(saved))
    assert code == 1 and "the run matches the schedule (failure: lost-wakeup)" in out
    code, out, err = run(capsys, "replay", str(saved), "--fixed")
    assert code == 0, out                      # the point of --fixed: the fix holds
    assert ("replay: the fixed code does not reproduce the recorded lost-wakeup: the fix "
            "holds on this schedule; diverged at step") in out
    # the steps around the divergence, as recorded and as run now
    at = re.search(r"around step (\d+), where the run leaves the schedule:\n", out)
    assert at is not None, out
    context = out[at.end():].split("\n\n")[0].splitlines()
    marked = [line for line in context if line.startswith(" >")]
    assert len(marked) == 1 and f"{int(at.group(1)):5d}  schedule: thread" in marked[0]
    assert context[context.index(marked[0]) + 1].lstrip().startswith("now:      thread")
    assert any("both:" in line for line in context[:context.index(marked[0])])
    # never overwritten without --force
    code, out, err = run(capsys, "hunt", SLUG, "-o", str(saved))
    assert code == 2 and "not overwriting" in err


@pytest.mark.timeout(300)
def test_hunt_strategies_and_fixed_variant(capsys, tmp_path):
    code, out, err = run(capsys, "hunt", "bh-schedule-ctx-uaf", "--strategy", "dfs",
                         "-o", str(tmp_path / "dfs.json"))
    assert code == 1 and "dfs(preemption bound 2)" in out and "UseAfterFree" in out
    code, out, err = run(capsys, "hunt", "bh-schedule-ctx-uaf", "--strategy", "random",
                         "--runs", "300", "--seed", "3", "--fixed", "-o",
                         str(tmp_path / "none.json"))
    # every sampled run done, none failed: clean
    assert code == 0 and "no failure found" in out and not (tmp_path / "none.json").exists()
    code, out, err = run(capsys, "hunt", "bh-schedule-ctx-uaf", "--strategy", "dfs",
                         "--bound", "1", "--fixed", "-o", str(tmp_path / "none.json"))
    assert code == 0 and "no failure: exhaustive up to 1 preemptions" in out


def test_replay_fixed_fails_when_the_fixed_code_fails_too(capsys, tmp_path, monkeypatch):
    """``--fixed`` exits 1 when the fixed variant still fails on the schedule."""
    from aioctx import hunting

    saved = tmp_path / "cx.json"
    code, out, err = run(capsys, "hunt", SLUG, "-o", str(saved))
    assert code == 1, err
    scenario = type(hunting.scenario(SLUG))
    buggy_program = scenario.program          # the "fixed" variant keeps the bug
    monkeypatch.setattr(scenario, "program", lambda self, buggy: buggy_program(self, True))
    code, out, err = run(capsys, "replay", str(saved), "--fixed")
    assert code == 1 and ("the fixed code fails too (lost-wakeup; recorded lost-wakeup): "
                          "the fix does not hold on this schedule") in out


class _Terminal:
    """stderr as a terminal, for the progress line."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_dpor_and_dfs_stop_at_runs_and_say_so_with_progress_on_a_terminal(
        capsys, tmp_path, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code, out, err = run(capsys, "hunt", "aio-dispatching-flag", "--strategy", "dpor",
                         "--runs", "200", "-o", str(tmp_path / "none.json"))
    # stopped at the cap, short of its space: a budget ran out
    assert code == 3 and "dpor: 200 executions, no failure found (not exhaustive)" in out
    assert "stopped at its cap of 200 executions" in out
    assert terminal.text.startswith("\rhunt dpor [") and "/200" in terminal.text
    assert re.search(r"/200 \d+\.\ds, [\d,.]+/s, ETA \d+\.\ds", terminal.text)
    assert terminal.text.endswith("\r")                  # cleared before the output
    code, out, err = run(capsys, "hunt", "aio-dispatching-flag", "--strategy", "dfs",
                         "--runs", "100", "-o", str(tmp_path / "none.json"))
    assert code == 3 and "100 executions, no failure found (not exhaustive)" in out
    assert out.count("stopped at its cap of 100 executions") == 1


def test_summary_says_execution_for_one_and_executions_for_more():
    assert Result("random", 1).summary() == "random: 1 execution, no failure found (not exhaustive)"
    assert Result("random", 2).summary().startswith("random: 2 executions,")


def test_bad_input(capsys, tmp_path):
    code, out, err = run(capsys, "hunt", "no-such-bug")
    assert code == 2 and err.startswith("aioctx: no-such-bug: no such scenario; known:")
    code, out, err = run(capsys, "hunt", "bh-cancel-missing-barrier", "--memory-model", "pso")
    assert code == 2 and "invalid choice: 'pso'" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "aioctx.sim.schedule",\n "version": 1,\n "decisions": [1,')
    code, out, err = run(capsys, "replay", str(bad))
    assert code == 2 and err.startswith(f"aioctx: {bad}:3:") and err.count("\n") == 1
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "x"}))
    code, out, err = run(capsys, "replay", str(other))
    assert code == 2 and "not an aioctx schedule" in err
    code, out, err = run(capsys, "replay", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
    binary = tmp_path / "bin.json"
    binary.write_bytes(b'{"format": "aioctx.sim.schedule", "x": "\xff\xfe"}')
    code, out, err = run(capsys, "replay", str(binary))
    assert code == 2 and err == f"aioctx: {binary}: not a schedule: byte 40 is not UTF-8 text\n"


def test_bad_fields_of_a_schedule_and_outputs_that_collide(capsys, tmp_path):
    head = {"format": "aioctx.sim.schedule", "version": 1, "decisions": [0]}
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({**head, "scenario": {"slug": SLUG, "buggy": True},
                               "failure": "lost"}))
    code, out, err = run(capsys, "replay", str(odd))
    assert code == 2 and err == (f"aioctx: {odd}: failure: should be an object or null, "
                                 "not a string\n")
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps({**head, "scenario": {"slug": "no-such-bug", "buggy": True}}))
    code, out, err = run(capsys, "replay", str(gone))
    assert code == 2 and err.startswith(f"aioctx: {gone}: no-such-bug: no such scenario")
    same = tmp_path / "cx.svg"
    code, out, err = run(capsys, "hunt", SLUG, "-o", str(same), "--picture", str(same))
    assert code == 2 and "the same file as -o" in err and not same.exists()
    code, out, err = run(capsys, "hunt", SLUG, "--bound", "-1")
    assert code == 2 and "argument --bound: -1 is out of range" in err
    code, out, err = run(capsys, "regress", "--only", "lockcnt", "--json", str(same),
                         "--html", str(same), "--out", str(tmp_path / "out"))
    assert code == 2 and "the same file as --json" in err and not same.exists()


@pytest.mark.timeout(300)
def test_hunt_on_ctrl_c_says_what_it_searched_and_saves_nothing(tmp_path):
    import signal
    import subprocess
    import time

    saved = tmp_path / "cx.json"
    # The command's modules are imported before "ready", so the Ctrl-C two seconds
    # later lands in the search even on a loaded machine; SIGINT is given its default
    # action back in the child (a shell ignores it in background jobs, and Python
    # then never raises KeyboardInterrupt).
    argv = ["hunt", "aio-dispatching-flag", "--fixed", "--runs", "1000000", "-o", str(saved)]
    code = ("import sys, aioctx.cli, aioctx.commands.hunt, aioctx.sim; "
            f"print('ready', flush=True); sys.exit(aioctx.cli.main({argv!r}))")
    hunt = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert hunt.stdout.readline() == "ready\n"
    time.sleep(2)
    hunt.send_signal(signal.SIGINT)
    out, err = hunt.communicate(timeout=60)
    assert hunt.returncode == 130, out + err
    assert re.search(r"aio-dispatching-flag \(fixed\): interrupted: pct ran [\d,]+ "
                     r"execution\(s\) of at most 1,000,000 \(seed 1\) without a complete "
                     r"result; nothing was saved", err), err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


@pytest.mark.timeout(300)
def test_hunt_with_workers_and_on_a_dask_scheduler(capsys, tmp_path):
    code, out, err = run(capsys, "hunt", SLUG, "--workers", "2", "-o",
                         str(tmp_path / "w.json"))
    assert code == 1 and "lost-wakeup" in out, err
    alone = json.loads((tmp_path / "w.json").read_text())
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", dashboard_address=None) as cluster:
        code, out, err = run(capsys, "hunt", SLUG, "--dask", cluster.scheduler_address,
                             "-o", str(tmp_path / "d.json"))
    assert code == 1 and "lost-wakeup" in out, err
    assert json.loads((tmp_path / "d.json").read_text())["decisions"] == alone["decisions"]
    code, out, err = run(capsys, "hunt", SLUG, "--dask", "tcp://127.0.0.1:9",
                         "-o", str(tmp_path / "x.json"))
    assert code == 2 and "--dask tcp://127.0.0.1:9: cannot reach the scheduler" in err


def test_replay_refuses_files_that_are_not_schedules_unread(capsys, tmp_path):
    """/dev/zero filled the memory and a FIFO blocked the read before JSON was parsed."""
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero", tmp_path):
        code, out, err = run(capsys, "replay", str(path))
        assert code == 2 and err == (f"aioctx: {path}: not a regular file (a schedule is "
                                     "a JSON file)\n")
