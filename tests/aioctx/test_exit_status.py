"""Exit statuses mean one thing for every command: a crash of aioctx is status 4 and one
line naming the bug-report route (never 1, the status of a verdict, and never a
traceback unless asked for), and each command's help and ``aioctx --help`` say so."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aioctx import cli, promela
from aioctx.errors import EXIT_STATUS_HELP

ROUTE = "please report it as README.md, 'Reporting a bug', says"

#: a crash inside the front end, wherever the input is good: a bug of aioctx's own
#: (issue 15's crashing models are all verdicts or located errors now, see
#: tests/promela/test_hostile_input.py)
MODEL = "init { skip }\n"
BOOM = "RuntimeError: planted"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def crashing(tmp_path, monkeypatch):
    """A model, and the semantic pass replaced by one that crashes."""
    from aioctx.promela import semantics

    def boom(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(semantics, "analyse", boom)
    monkeypatch.delenv("AIOCTX_DEBUG", raising=False)
    model = tmp_path / "m.pml"
    model.write_text(MODEL)
    return model


def test_a_crash_is_status_4_and_one_line(crashing, capsys):
    code, out, err = run(capsys, "check", str(crashing))
    assert code == 4, (out, err)
    assert err.startswith(f"aioctx: internal error ({BOOM})") and err.count("\n") == 1, err
    assert ROUTE in err and "--debug" in err and "Traceback" not in err
    assert out == ""


def test_debug_option_and_environment_show_the_traceback(crashing, capsys, monkeypatch):
    for argv in (["check", str(crashing), "--debug"], ["--debug", "check", str(crashing)]):
        code, out, err = run(capsys, *argv)
        assert code == 4 and err.startswith("Traceback (most recent call last):"), argv
        assert err.splitlines()[-1].startswith(f"aioctx: internal error ({BOOM}")
    monkeypatch.setenv("AIOCTX_DEBUG", "1")
    code, out, err = run(capsys, "check", str(crashing))
    assert code == 4 and "Traceback" in err and ROUTE in err.splitlines()[-1]
    monkeypatch.setenv("AIOCTX_DEBUG", "0")
    code, out, err = run(capsys, "check", str(crashing))
    assert code == 4 and "Traceback" not in err


def test_the_installed_command_exits_4_with_one_line(tmp_path):
    """Through the interpreter's own exit (``python -m aioctx``, run as runpy runs it),
    not just ``main``."""
    model = tmp_path / "m.pml"
    model.write_text(MODEL)
    plant = ("import runpy, sys; from aioctx.promela import semantics\n"
             "def boom(*a, **k): raise RuntimeError('planted')\n"
             "semantics.analyse = boom\n"
             f"sys.argv = ['aioctx', 'check', {str(model)!r}]\n"
             "runpy.run_module('aioctx', run_name='__main__', alter_sys=True)\n")
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", plant], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 4 and done.stdout == "", done.stderr
    assert done.stderr.count("\n") == 1 and ROUTE in done.stderr and BOOM in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_output_that_cannot_be_written_is_status_2_not_a_crash(tmp_path):
    """Output sent where it cannot be written (a full disk: ``> /dev/full``) is the
    place the user chose, not a bug of aioctx (a fuzz run found status 4): one line,
    status 2, with and without --json."""
    model = tmp_path / "m.pml"
    model.write_text(MODEL)
    for extra in ([], ["--json"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "aioctx", "check", str(model),
                                   *extra], stdout=full, stderr=subprocess.PIPE, text=True,
                                  timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr == "aioctx: cannot write the output: No space left on device\n"


def test_usage_errors_are_status_2(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "x.pml"), "--no-such-option")
    assert code == 2 and "unrecognized arguments" in err
    code, out, err = run(capsys, "no-such-command")
    assert code == 2 and "invalid choice" in err
    code, out, err = run(capsys, "--version")
    assert code == 0 and out.startswith("aioctx ")


def test_help_lists_the_statuses(capsys):
    code, out, err = run(capsys, "--help")
    assert code == 0 and EXIT_STATUS_HELP in out
    for line in ("0  clean", "1  a property violated", "2  bad input", "3  a budget",
                 "4  internal error"):
        assert line in out
    for command in cli.COMMANDS:
        code, out, err = run(capsys, command, "--help")
        text = " ".join(out.split())
        assert "Exit status" in text and "4 an internal error" in text and "--debug" in text


@pytest.fixture
def crashing_toy(tmp_path, toy_catalogue, monkeypatch):
    """The toy catalogue with a variant CRASH that crashes the checker (a bug in
    aioctx, as a crash inside any check would be)."""
    toy_catalogue(lambda t: t.replace("variants: - | BROKEN", "variants: - | BROKEN | CRASH")
                  .replace("expect -:", "expect CRASH: safety=ok\n *   expect -:"))
    real_check = promela.check

    def check(path, mode="safety", **kw):
        if "CRASH" in (kw.get("defines") or []):
            raise ZeroDivisionError("a bug in the checker")
        return real_check(path, mode, **kw)

    monkeypatch.setattr(promela, "check", check)
    return tmp_path


def test_regress_reports_a_crashed_check_as_an_error_not_a_verdict(crashing_toy, capsys,
                                                                    monkeypatch):
    monkeypatch.delenv("AIOCTX_DEBUG", raising=False)
    report = crashing_toy / "r.json"
    code, out, err = run(capsys, "regress", "--workers", "1", "--only", "toy",
                         "--out", str(crashing_toy / "out"), "--json", str(report))
    assert code == 4, out + err
    crash_row = next(line for line in out.splitlines() if " CRASH " in line)
    assert crash_row.startswith("ERR ") and "internal error: ZeroDivisionError" in crash_row
    # the other checks ran and kept their verdicts
    assert "3 checks, 2 as expected, 0 not, 1 crashed" in out
    assert ROUTE in err
    assert "toy CRASH safety: internal error: ZeroDivisionError: a bug in the checker" in err
    assert "Traceback" not in err
    doc = json.loads(report.read_text())
    assert doc["summary"]["errors"] == ["toy CRASH safety"] and doc["summary"]["failed"] == []
    assert {r["variant"]: r["status"] for r in doc["rows"]} == {
        "fixed": "pass", "BROKEN": "pass", "CRASH": "ERROR"}
    code, out, err = run(capsys, "regress", "--workers", "1", "--only", "toy/CRASH",
                         "--out", str(crashing_toy / "out"), "--debug")
    assert code == 4 and "Traceback (most recent call last):" in err
    assert "ZeroDivisionError: a bug in the checker" in err


def test_regress_a_crash_wins_over_a_regression(crashing_toy, capsys):
    # the fixed variant regresses: its assertion now fails
    (crashing_toy / "models" / "toy.pml").write_text(
        (crashing_toy / "models" / "toy.pml").read_text().replace("x == 0", "x == 2"))
    code, out, err = run(capsys, "regress", "--workers", "1", "--only", "toy",
                         "--out", str(crashing_toy / "out"))
    assert code == 4
    assert "toy fixed safety: expected ok, got violation (assertion)" in err
    assert "toy BROKEN safety" not in err
    assert "toy CRASH safety: internal error" in err
