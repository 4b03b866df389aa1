"""``aioctx demo``: the real loop under load for a moment, and what it measured."""

from __future__ import annotations

import pytest

from aioctx.cli import main


def test_demo_runs_the_loop_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--seconds", "0.3", "--producers", "2"]) == 0
    out = capsys.readouterr().out
    assert "every callback ran exactly once: yes" in out
    assert "0 lost" in out
    assert "EventNotifier writes per wake-up" in out


@pytest.mark.parametrize("argv, message", [
    (["--seconds", "0"], "argument --seconds: 0 is not a time budget: seconds from 0.1 "
                         "up to 60"),
    (["--seconds", "nan"], "argument --seconds: nan is not a time budget"),
    (["--seconds", "inf"], "argument --seconds: inf is not a time budget"),
    (["--seconds", "soon"], "argument --seconds: 'soon' is not a number of seconds"),
    (["--producers", "100"], "argument --producers: 100 is out of range: a whole number "
                             "from 1 to 32"),
])
def test_demo_bad_input_is_one_line(argv: list[str], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aioctx demo: {message}") and err.count("\n") == 1, err
