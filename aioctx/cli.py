"""The ``aioctx`` command line: one subcommand per module in aioctx/commands/.

Every command exits with the statuses of ``aioctx.errors`` (0 clean, 1 found, 2 bad
input, 3 budget ran out, 4 internal error).  Bad input never produces a traceback: a
``UsageError`` (or a file that cannot be opened) becomes one line on stderr and exit
status 2.  Any other exception is a bug in aioctx, never a verdict: one line naming the
bug-report route and exit status 4, with the traceback only under ``--debug`` or
``AIOCTX_DEBUG=1``.  A closed output pipe ends the command quietly.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import traceback

from . import __version__
from .errors import (
    EXIT_INTERNAL,
    EXIT_STATUS_HELP,
    EXIT_USAGE,
    UsageError,
    debug_requested,
    internal_error_line,
)

# Subcommand name -> module in aioctx.commands exposing register(subparsers) and run(args).
COMMANDS = ["demo", "check", "regress", "hunt", "replay", "barriers", "pair", "conform"]


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (without the usage synopsis, which
    ``--help`` shows) and exit status 2; subcommand parsers are of this class too."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aioctx",
        description="QEMU's AioContext event loop: run it, model-check it, find its races.",
        epilog=EXIT_STATUS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"aioctx {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback (also: "
                             "AIOCTX_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"aioctx.commands.{name}")
        module.register(sub)
    return parser


#: errors of a write to a place the user chose (a full disk or quota, a device error)
_OUTPUT_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def main(argv: list[str] | None = None) -> int:
    args = None
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:           # --help, --version (0) or a usage error (2)
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        code = int(args.run(args) or 0)
        sys.stdout.flush()      # a write that fails fails here, where it is reported
        return code
    except UsageError as exc:
        print(exc if exc.located else f"aioctx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("aioctx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``aioctx regress --list | head``): stop quietly.
        _drop_output()
        return 141
    except OSError as exc:
        if exc.filename is None and exc.errno in _OUTPUT_ERRORS:
            # the output could not be written where the user sent it (a full disk,
            # ``> /dev/full``): say so
            _drop_output()
            print(f"aioctx: cannot write the output: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        if exc.filename is None:            # not about a file the user named
            return _internal_error(exc, args, argv)
        if isinstance(exc, FileNotFoundError):
            print(f"aioctx: {exc.filename}: no such file", file=sys.stderr)
        else:
            print(f"aioctx: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:                # MemoryError and RecursionError included
        return _internal_error(exc, args, argv)


def _drop_output() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of what could
    not be written cannot fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _internal_error(exc: BaseException, args: argparse.Namespace | None,
                    argv: list[str] | None) -> int:
    """A bug in aioctx: one line (the traceback first, when asked for)."""
    flag = (getattr(args, "debug", False) if args is not None
            else "--debug" in (sys.argv[1:] if argv is None else argv))
    if debug_requested(bool(flag)):
        traceback.print_exception(exc)
    print(internal_error_line(exc), file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
