"""The pytest plugin, used the way a project outside aioctx uses it: plugin_project/ is
copied to a temporary folder and its own pytest runs there (the plugin loads through
its pytest11 entry point).  Its racy code (impl.sync and plain threading) must fail
with the trace and a replay command that works; the fixed versions must pass; a test
whose threads are out of the scheduler's reach must fail, not pass."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "plugin_project"
RACY_STOCK = "tests/test_stock.py::test_racy_stock_loses_no_take"
LOCKED_STOCK = "tests/test_stock.py::test_locked_stock_loses_no_take"


def pytest_in(folder: Path, *args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AIOCTX_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=folder, capture_output=True, text=True, timeout=240,
                          env={**environ, **(env or {})})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


def summary_line(out: str, nodeid: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(nodeid + ": "))


@pytest.mark.timeout(300)
def test_outside_project_races_caught_fixed_versions_pass_replay_works(project):
    run = pytest_in(project)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "4 failed, 6 passed" in out
    for failed in ("tests/test_wallet.py::test_racy_wallet_keeps_every_deposit", RACY_STOCK,
                   "tests/test_stock.py::test_bounded_queue_wakes_the_right_waiter",
                   "tests/test_stock.py::test_threads_out_of_reach"):
        assert f"FAILED {failed}" in out
    assert "AssertionError: a deposit was lost" in out
    assert "depositor0" in out and "depositor1" in out          # the trace's columns
    assert "AssertionError: a take was lost: 1 left" in out     # plain threading
    assert "left = self.count" in out                           # the code, in the trace
    assert "deadlock: every thread is blocked" in out           # the lost wake-up
    assert "blocked: producer1 waits on cond_wake" in out or \
        "blocked: consumer1 waits on cond_wake" in out
    assert ("no thread ran under aioctx's scheduler: the code uses threads aioctx does "
            "not control") in out
    # under CI=true pytest's short summary repeats each failure's whole message, so a
    # command can appear twice; each of the three races must name one schedule
    commands = dict(re.findall(r"replay it with:  pytest '([^']+)' --aioctx-replay (\S+)", out))
    assert len(commands) == 3, out
    for nodeid, saved in commands.items():
        assert (project / saved).exists()
        again = pytest_in(project, nodeid, "--aioctx-replay", saved)
        assert again.returncode == 1 and "replay of" in again.stdout
        assert "1 failed" in again.stdout
    # the summary: strategy, executions, how far the search went, seed, time
    assert "aioctx race tests" in out
    assert re.search(r"test_locked_stock_loses_no_take: dfs, [\d,]+ executions, exhaustive "
                     r"up to 2 preemptions, seed 0, \d+\.\d\ds", out)
    assert re.search(r"test_locked_wallet_keeps_every_deposit: pct\(depth 3\), 300 "
                     r"executions, sampled \(not exhaustive\), seed 1", out)


@pytest.mark.timeout(300)
def test_runs_caps_a_dfs_marker_and_overrides_come_from_options_ini_and_environment(project):
    run = pytest_in(project, LOCKED_STOCK, "--aioctx-runs", "50")
    assert run.returncode == 0, run.stdout
    line = summary_line(run.stdout, LOCKED_STOCK)
    assert ("dfs, 50 executions, stopped at runs=50: not exhaustive up to 2 preemptions"
            in line)
    assert "runs=50 from --aioctx-runs" in run.stdout
    run = pytest_in(project, LOCKED_STOCK, env={"AIOCTX_PROFILE": "ci", "AIOCTX_SEED": "7"})
    assert "profile ci; runs=200 from profile ci, seed=7 from AIOCTX_SEED" in run.stdout
    assert "seed 7" in summary_line(run.stdout, LOCKED_STOCK)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'aioctx_strategy = "random"\n'
                         'aioctx_runs = "40"\naioctx_profiles = ["quick: runs=30"]\n')
    run = pytest_in(project, LOCKED_STOCK)
    assert "random, 40 executions, sampled" in summary_line(run.stdout, LOCKED_STOCK)
    run = pytest_in(project, LOCKED_STOCK, "--aioctx-profile", "quick", "--aioctx-runs", "20")
    assert "random, 20 executions" in summary_line(run.stdout, LOCKED_STOCK)
    run = pytest_in(project, LOCKED_STOCK, env={"AIOCTX_RUNS": "lots"})
    assert run.returncode == 4
    assert "AIOCTX_RUNS: runs must be a whole number, not 'lots'" in run.stderr
    run = pytest_in(project, LOCKED_STOCK, "--aioctx-profile", "weekly")
    assert run.returncode == 4
    assert "aioctx profile 'weekly' is not defined; known: default, ci, nightly, quick" \
        in run.stderr


@pytest.mark.timeout(300)
def test_a_saved_failure_is_replayed_first_then_kept_as_a_regression_example(project):
    first = pytest_in(project, RACY_STOCK)
    assert first.returncode == 1 and "schedule saved to" in first.stdout
    again = pytest_in(project, RACY_STOCK)
    assert again.returncode == 1
    assert "still failing: the saved schedule" in again.stdout
    assert "no search was run" in again.stdout
    assert "saved failure still fails" in summary_line(again.stdout, RACY_STOCK)
    stock = project / "stock.py"          # the fix: take() under a lock
    stock.write_text(stock.read_text().replace(
        "    def take(self) -> None:\n        left = self.count\n        self.count = left - 1",
        "    lock = threading.Lock()\n\n    def take(self) -> None:\n"
        "        with self.lock:\n            left = self.count\n"
        "            self.count = left - 1", 1))
    saved = next((project / ".aioctx-failures").glob("*racy_stock*.json"))
    fixed = pytest_in(project, RACY_STOCK)
    assert fixed.returncode == 0, fixed.stdout
    line = summary_line(fixed.stdout, RACY_STOCK)
    assert "exhaustive up to 2 preemptions" in line
    assert "saved failure now passes; kept" in line and "(1 of 3 passing replays)" in line
    assert json.loads(saved.read_text())["passing_runs"] == 1
    last = pytest_in(project, RACY_STOCK, "--aioctx-keep-passing", "2")
    assert "saved failure now passes; removed" in summary_line(last.stdout, RACY_STOCK)
    assert not saved.exists()


@pytest.mark.timeout(300)
def test_bad_options_are_reported(project):
    (project / "tests" / "test_bad.py").write_text(
        "import pytest\n\n@pytest.mark.aioctx(strategy='magic')\ndef test_x():\n    pass\n\n"
        "@pytest.mark.aioctx(runz=3)\ndef test_y():\n    pass\n\n"
        "@pytest.mark.aioctx(runs=0)\ndef test_z():\n    pass\n\n"
        "@pytest.mark.aioctx(strategy='dpor')\ndef test_d():\n    pass\n")
    (project / "tests" / "conftest.py").write_text(
        "from aioctx import sim\n\n\nclass Greedy:\n    name = 'greedy'\n\n"
        "    def search(self, job):\n        result = sim.Result(self.name, 0)\n"
        "        for _ in range(5):\n            job.runner.run(sim.Decider())\n"
        "            result.executions += 1\n        return sim.Found(result, None)\n\n\n"
        "sim.register_strategy('greedy', Greedy)\n")
    (project / "tests" / "test_greedy.py").write_text(
        "import pytest\n\n@pytest.mark.aioctx(strategy='greedy', runs=2)\n"
        "def test_g():\n    pass\n")
    run = pytest_in(project, "tests/test_greedy.py")
    assert ("strategy 'greedy' ran 5 executions with runs=2: it does not keep to the runs "
            "budget, so it cannot be used with one") in run.stdout
    run = pytest_in(project, "tests/test_bad.py")
    assert "unknown strategy 'magic'" in run.stdout
    assert "unknown aioctx option(s) runz" in run.stdout
    assert "runs must be a whole number of at least 1, not 0" in run.stdout
    assert "strategy 'dpor' cannot see races between program lines" in run.stdout
    run = pytest_in(project, "--aioctx-replay", "missing.json")
    assert run.returncode == 4 and "--aioctx-replay: missing.json: cannot read" in run.stderr
    (project / "binary.json").write_bytes(b"\x89PNG\r\n")
    run = pytest_in(project, "--aioctx-replay", "binary.json")
    assert run.returncode == 4 and "INTERNALERROR" not in run.stdout + run.stderr
    assert ("--aioctx-replay: binary.json: not a schedule: byte 0 is not UTF-8 text"
            in run.stderr)


@pytest.mark.timeout(300)
def test_a_replay_file_for_no_selected_race_test_is_an_error(project):
    head = {"format": "aioctx.sim.schedule", "version": 1, "decisions": [0]}
    (project / "hunted.json").write_text(json.dumps(
        {**head, "scenario": {"slug": "aio-dispatching-flag", "buggy": True}}))
    run = pytest_in(project, "--aioctx-replay", "hunted.json")
    assert run.returncode == 4 and "passed" not in run.stdout
    assert ("--aioctx-replay: hunted.json: the schedule names no test (it was not saved "
            "by a failing race test); replay it with: aioctx replay hunted.json"
            in run.stderr)
    racy = "tests/test_wallet.py::test_racy_wallet_keeps_every_deposit"
    (project / "racy.json").write_text(json.dumps({**head, "test": racy}))
    run = pytest_in(project, "tests/test_wallet.py::test_with_the_fixture",
                    "--aioctx-replay", "racy.json")
    assert run.returncode == 4 and "passed" not in run.stdout
    assert (f"the schedule is for {racy}, which is not among the selected aioctx race "
            f"tests (run: pytest '{racy}' --aioctx-replay racy.json)") in run.stderr


@pytest.mark.timeout(300)
def test_memory_model_option_runs_the_body_under_store_buffers(project):
    (project / "tests" / "test_flags.py").write_text(
        "import pytest\nfrom aioctx.impl import sync\n\n\n"
        "def announce_then_check():\n"
        "    flag, waiters = sync.Atomic(0, name='flag'), sync.Atomic(0, name='waiters')\n"
        "    seen = {}\n\n"
        "    def consumer():\n"
        "        waiters.fetch_add(1)\n"
        "        seen['flag'] = flag.load()\n\n"
        "    def producer():\n"
        "        flag.store(1)\n"
        "        sync.smp_mb()\n"
        "        seen['waiters'] = waiters.load()\n\n"
        "    ts = [sync.Thread(consumer, name='consumer'),\n"
        "          sync.Thread(producer, name='producer')]\n"
        "    for t in ts:\n        t.start()\n"
        "    for t in ts:\n        t.join()\n"
        "    assert seen['flag'] or seen['waiters'], 'both sides missed each other'\n\n\n"
        "@pytest.mark.aioctx(strategy='dfs', bound=3, memory_model='tso', line_level=False)\n"
        "def test_tso():\n    announce_then_check()\n\n\n"
        "@pytest.mark.aioctx(strategy='dfs', bound=3, memory_model='arm', line_level=False)\n"
        "def test_arm():\n    announce_then_check()\n\n\n"
        "@pytest.mark.aioctx(memory_model='pso')\n"
        "def test_bad():\n    pass\n")
    run = pytest_in(project, "tests/test_flags.py")
    out = run.stdout
    assert "FAILED tests/test_flags.py::test_arm" in out, out + run.stderr
    assert "test_tso" not in out.split("short test summary")[-1]
    assert "both sides missed each other" in out and "stale: consumer's store 1" in out
    assert "memory_model must be 'sc', 'tso' or 'arm', not 'pso'" in out
