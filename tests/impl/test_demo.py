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
    (["--seconds", "0"], "--seconds must be between 0.1 and 60, got 0"),
    (["--seconds", "soon"], "--seconds: expected a number, got 'soon'"),
    (["--producers", "100"], "--producers must be between 1 and 32, got 100"),
])
def test_demo_bad_input_is_one_line(argv: list[str], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *argv]) == 2
    err = capsys.readouterr().err
    assert err == f"aioctx: {message}\n"
