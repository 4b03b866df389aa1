"""Fixtures of the Promela front end's tests."""

from __future__ import annotations

import pytest

from aioctx import cli


@pytest.fixture
def run(capsys, monkeypatch):
    """``run(*argv)``: the real ``aioctx check`` command line (only that subcommand
    registered); its exit status, stdout and stderr."""
    monkeypatch.setattr(cli, "COMMANDS", ["check"])

    def go(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["check", *map(str, argv)])
        out, err = capsys.readouterr()
        return code, out, err
    return go
