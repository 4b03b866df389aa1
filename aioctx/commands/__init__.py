"""Subcommands of the ``aioctx`` command line (see aioctx/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(subparsers: Any, name: str, doc: str | None, help: str) -> Any:
    """The parser of subcommand ``name``: ``help`` in ``aioctx --help``, and the
    command module's docstring ``doc`` as its own ``--help`` text (every paragraph
    but the indented synopsis, which argparse prints itself, without reST quotes)."""
    paragraphs = [p for p in (doc or "").strip().split("\n\n")
                  if not p.startswith("    ")]
    return subparsers.add_parser(
        name, help=help, description="\n\n".join(paragraphs).replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter)
