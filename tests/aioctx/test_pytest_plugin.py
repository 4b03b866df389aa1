"""The pytest plugin, used the way a project outside aioctx uses it: plugin_project/ is
copied to a temporary folder and its own pytest runs there (the plugin loads through
its pytest11 entry point).  Its racy wallet must fail with the trace and a replay
command that works; its fixed wallets must pass."""

from __future__ import annotations

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
