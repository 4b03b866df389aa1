"""The pytest plugin, used the way a project outside aioctx uses it: plugin_project/ is
copied to a temporary folder and its own pytest runs there (the plugin loads through
its pytest11 entry point).  Its racy wallet must fail with the trace and a replay
command that works; its fixed wallets must pass."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "plugin_project"


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=folder, capture_output=True, text=True, timeout=240)


@pytest.mark.timeout(300)
def test_outside_project_race_caught_fixed_versions_pass_replay_works(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    run = pytest_in(project)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "1 failed, 3 passed" in out
    assert "FAILED tests/test_wallet.py::test_racy_wallet_keeps_every_deposit" in out
    assert "AssertionError: a deposit was lost" in out
    assert "depositor0" in out and "depositor1" in out          # the trace's columns
    command = re.search(r"replay it with:  pytest '([^']+)' --aioctx-replay (\S+)", out)
    assert command is not None, out
    nodeid, saved = command.groups()
    assert (project / saved).exists()
    again = pytest_in(project, nodeid, "--aioctx-replay", saved)
    assert again.returncode == 1 and "replay of" in again.stdout
    assert "a deposit was lost" in again.stdout and "1 failed" in again.stdout


@pytest.mark.timeout(300)
def test_bad_options_are_reported(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    (project / "tests" / "test_bad.py").write_text(
        "import pytest\n\n@pytest.mark.aioctx(strategy='magic')\ndef test_x():\n    pass\n\n"
        "@pytest.mark.aioctx(runz=3)\ndef test_y():\n    pass\n")
    run = pytest_in(project, "tests/test_bad.py")
    assert "unknown strategy 'magic'" in run.stdout
    assert "unknown aioctx option(s) runz" in run.stdout
    run = pytest_in(project, "--aioctx-replay", "missing.json")
    assert run.returncode == 4 and "--aioctx-replay: missing.json: cannot read" in run.stderr
    (project / "binary.json").write_bytes(b"\x89PNG\r\n")
    run = pytest_in(project, "--aioctx-replay", "binary.json")
    assert run.returncode == 4 and "INTERNALERROR" not in run.stdout + run.stderr
    assert ("--aioctx-replay: binary.json: not a schedule: byte 0 is not UTF-8 text"
            in run.stderr)


@pytest.mark.timeout(300)
def test_a_replay_file_for_no_selected_race_test_is_an_error(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
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
