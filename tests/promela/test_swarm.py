"""Swarm verification (model/swarm.py): diversified lossy searches on local processes
and on a Dask cluster, merged into one verdict; the first error stops the others."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from aioctx.model import check
from aioctx.model.swarm import swarm
from promela_cases import ROOT

from aioctx import promela

PROJECT = ROOT / "promela" / "models"
GRAPH_LOCK = str(PROJECT / "graph-lock.pml")
GRAPH_LOCK_STATES = 7_535                   # its exact safety search stores as many
NOTIFY = str(PROJECT / "aio-notify-accept.pml")
#: one process counting to 3000, then failing: every order needs 3000 steps to fail
COUNT = ("int i;\n"
         "active proctype P() { do :: i < 3000 -> i++ :: else -> break od; assert(i < 3000) }\n")


def test_a_local_swarm_counts_the_states_its_searches_stored_together():
    exact, _ = promela.check(GRAPH_LOCK, "safety")
    assert exact.ok and exact.states == GRAPH_LOCK_STATES
    result, _ = promela.check(GRAPH_LOCK, "safety", workers=2, searches=3, progress=False)
    assert result.ok and result.storage == "bitstate"
    runs = result.swarm.runs
    assert [r["seed"] for r in runs] == [0, 1, 2]
    assert all(r["verdict"] == "ok" and r["states"] == GRAPH_LOCK_STATES for r in runs)
    # three searches of the same states: the sketch counts them once (+-3%)
    assert abs(result.states - GRAPH_LOCK_STATES) < 0.03 * GRAPH_LOCK_STATES
    assert result.transitions == sum(r["transitions"] for r in runs)
    assert "swarm of 3 bitstate searches on 2 local processes" in str(result)
    assert "not a proof" in str(result)


def test_the_first_error_stops_the_other_searches(tmp_path):
    model = tmp_path / "count.pml"
    model.write_text(COUNT)
    result, system = promela.check(str(model), "safety", workers=1, searches=4,
                                   progress=False)
    assert result.violated and result.kind == "assertion"
    assert len(result.counterexample.prefix) >= 3000
    runs = result.swarm.runs
    assert runs[0]["verdict"] == "violation"
    # one process runs them one after another: the last ones start after the error
    assert runs[3]["verdict"] == "incomplete" and runs[3]["limit"] == "stopped"
    assert runs[3]["states"] < 3000
    assert "VIOLATION (assertion)" in str(result)


def test_a_search_told_to_stop_is_incomplete():
    _, system = promela.check(GRAPH_LOCK, "safety", max_states=1)
    result = check(system, "safety", storage="bitstate", bits=1 << 20, stop=lambda: True,
                   progress=False)
    assert result.verdict == "incomplete" and result.limit == "stopped"
    assert 0 < result.states < GRAPH_LOCK_STATES


def test_a_swarm_needs_lossy_storage():
    with pytest.raises(ValueError, match="lossy"):
        swarm(lambda: None, storage="exact")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster


def test_a_swarm_on_a_dask_cluster(cluster):
    from distributed import Client

    with Client(cluster) as client:
        bug, _ = promela.check(NOTIFY, "safety", defines=["NOTIFIED_SKIPS_SET"],
                               client=client, searches=3, progress=False)
        fixed, _ = promela.check(NOTIFY, "safety", client=client, progress=False)
    assert bug.violated and bug.kind == "assertion"
    assert bug.counterexample.prefix[-1].note.startswith("assertion violated")
    assert fixed.ok and len(fixed.swarm.runs) == 2         # one search per thread
    assert fixed.swarm.where.startswith("Dask cluster at inproc://")
    # by the scheduler's address, as `aioctx check --scheduler ADDRESS`
    again, _ = promela.check(GRAPH_LOCK, "safety", scheduler=cluster.scheduler_address,
                             storage="hash-compact", progress=False)
    assert again.ok and again.storage == "hash-compact"
    assert abs(again.states - GRAPH_LOCK_STATES) < 0.03 * GRAPH_LOCK_STATES


def test_cli_workers(run):
    code, out, _err = run(NOTIFY, "-DNOTIFIED_SKIPS_SET", "--safety", "--workers", "2")
    assert code == 1
    assert "swarm of 2 bitstate searches on 2 local processes" in out
    assert "assert(completed == 3)" in out             # every request delivered
    code, out, _err = run(GRAPH_LOCK, "--workers", "2", "--hash-compact", "--json")
    data = json.loads(out)
    assert code == 0 and data["storage"] == "hash-compact"
    assert data["swarm"]["searches"] == 2 and len(data["swarm"]["runs"]) == 2
    assert abs(data["swarm"]["distinct_states"] - GRAPH_LOCK_STATES) < 0.03 * GRAPH_LOCK_STATES


@pytest.mark.parametrize("argv, message", [
    (["--searches", "3"], "--searches applies to a swarm"),
    (["--workers", "0"], "--workers takes 1..4096"),
    (["--workers", "2", "--bfs"], "depth-first"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not both"),
    (["--scheduler", "nonsense://x"], "cannot use the Dask scheduler at nonsense://x"),
])
def test_cli_swarm_usage_errors(run, argv, message):
    code, out, err = run(GRAPH_LOCK, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_stops_every_search_of_a_swarm(tmp_path):
    """SIGINT to `aioctx check --workers 2` (not to its pool): the searches stop at the
    flag, and the swarm ends with their statistics, exit 3, --json still written."""
    model = tmp_path / "counters.pml"
    model.write_text("byte a, b, c;\nactive proctype P() { do :: a++ :: b++ :: c++ od }\n")
    proc = subprocess.Popen([sys.executable, "-m", "aioctx", "check", str(model), "--workers",
                             "2", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(5.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    data = json.loads(out)
    assert proc.returncode == 3, err
    assert data["verdict"] == "incomplete" and data["limit"] == "interrupted"
    assert [r["limit"] for r in data["swarm"]["runs"]] == ["stopped", "stopped"]
    assert data["states"] > 0 and data["transitions"] > 0


def test_a_swarm_stopped_by_its_time_limit_says_time(tmp_path):
    """--time-limit on a swarm: the command's deadline interrupts the client before the
    searches (started later, in their processes) reach their own: the limit is still
    "time", not "interrupted" (no one pressed Ctrl-C)."""
    model = tmp_path / "counters.pml"
    model.write_text("byte a, b, c;\nactive proctype P() { do :: a++ :: b++ :: c++ od }\n")
    proc = subprocess.run([sys.executable, "-m", "aioctx", "check", str(model), "--workers",
                           "2", "--time-limit", "4", "--json"], capture_output=True,
                          text=True, timeout=120)
    data = json.loads(proc.stdout)
    assert proc.returncode == 3, proc.stderr
    assert data["verdict"] == "incomplete" and data["limit"] == "time"
    assert data["states"] > 0 and len(data["swarm"]["runs"]) == 2


def test_a_swarm_of_nested_searches_finds_a_fair_acceptance_cycle():
    bug, _ = promela.check(NOTIFY, "acceptance", fair=True, defines=["NOTIFIED_BEFORE_EVENT"],
                           workers=2, progress=False)
    assert bug.violated and bug.kind == "acceptance cycle" and bug.fair
    assert bug.counterexample.cycle
    # the fixed protocol: no weakly fair busy loop (the model's expected verdict)
    fixed, _ = promela.check(NOTIFY, "acceptance", fair=True, workers=2, progress=False)
    assert fixed.ok and "not a proof" in str(fixed)
