"""The ``aioctx`` command line: one subcommand per module in aioctx/commands/.

Bad input never produces a traceback: a ``UsageError`` (or a missing file) becomes one
line on stderr and exit status 2.  A closed output pipe ends the command quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import UsageError

# Subcommand name -> module in aioctx.commands exposing register(subparsers) and run(args).
COMMANDS = ["demo", "check", "regress", "hunt", "replay"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aioctx",
        description="QEMU's AioContext event loop: run it, model-check it, find its races.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"aioctx.commands.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UsageError as exc:
        print(exc if exc.located else f"aioctx: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"aioctx: {exc.filename}: no such file", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aioctx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``aioctx regress --list | head``): stop quietly, and
        # point stdout at /dev/null so the interpreter's final flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
