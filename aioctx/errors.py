"""The exit statuses every ``aioctx`` command shares, and the one exception the command
line turns into a single-line message and exit status 2.

One status means one thing whatever the command (``EXIT_STATUS_HELP`` lists them), so
that a script or CI job can tell a verdict from a crash without reading the output.
An internal error prints one line naming the bug-report route; the traceback only on
request (``--debug`` or ``AIOCTX_DEBUG=1``).
"""

from __future__ import annotations

import os

EXIT_CLEAN = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERNAL = 4

#: the statuses as ``aioctx --help`` and the commands' own help list them
EXIT_STATUS_HELP = """exit status (every command):
  0  clean: no property violated, no race caught, no regression
  1  a property violated, a race caught, or a regression
  2  bad input or usage (one line; file:line:col where there is a file)
  3  a budget (states, depth, time, executions) ran out before the search finished
  4  internal error: a bug in aioctx; the traceback with --debug or AIOCTX_DEBUG=1"""

#: where a user reports an internal error (the README's section of that name)
BUG_REPORT_ROUTE = "please report it as README.md, 'Reporting a bug', says"

DEBUG_ENV = "AIOCTX_DEBUG"


class UsageError(Exception):
    """Bad input from the user: a file, an option, a model.  ``str()`` is the whole
    message.  A ``located`` one starts with ``file:line:col:`` and is printed as it is,
    so that editors and CI jump to the place; the others get an ``aioctx:`` prefix."""

    def __init__(self, message: str, located: bool = False) -> None:
        super().__init__(message)
        self.located = located


def debug_requested(flag: bool = False) -> bool:
    """Whether to show tracebacks of internal errors: ``--debug`` or AIOCTX_DEBUG=1."""
    return flag or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def describe_exception(exc: BaseException) -> str:
    """``Type: first line of the message``, one line however long the message is."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:197] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def internal_error_line(exc: BaseException) -> str:
    """The one line an internal error prints (without ``--debug``)."""
    from . import __version__

    return (f"aioctx: internal error ({describe_exception(exc)}): a bug in aioctx "
            f"{__version__}, not in your input; {BUG_REPORT_ROUTE} (--debug shows the "
            "traceback)")
