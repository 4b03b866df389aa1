"""Subcommands of the ``aioctx`` command line (see aioctx/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(subparsers: Any, name: str, doc: str | None, help: str) -> Any:
    """The parser of subcommand ``name``: ``help`` in ``aioctx --help``, and the
    command module's docstring ``doc`` as its own ``--help`` text (every paragraph
    but the indented synopsis, which argparse prints itself, without reST quotes), and
    the ``--debug`` option every command takes."""
    paragraphs = [p for p in (doc or "").strip().split("\n\n")
                  if not p.startswith("    ")]
    parser = subparsers.add_parser(
        name, help=help, description="\n\n".join(paragraphs).replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    # also after the subcommand (``aioctx check m.pml --debug``); SUPPRESS keeps a
    # ``--debug`` given before it
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an internal error (exit status 4), print the traceback")
    return parser
