"""``aioctx conform MODEL.pml SCENARIO``: check that the code only does what its model
allows.

    aioctx conform MODEL.pml SCENARIO [-D NAME[=VALUE]]... [--map FILE]
                   [--search dfs|dpor] [--bound B] [--max-executions N]

Explores the scenario (the variant of the code the mapping pairs with the model
variant chosen by -D) exhaustively within the bound: DFS with up to --bound
preemptions (default 2), or DPOR.  Each execution's labelled operations, those the
mapping pairs with statement labels, must be a path of the model: the model's other
steps are silent moves it may take at any time in between, and a mapped variable must
hold the value the operation found or left.  The first operation the model does not
allow is reported with the execution's labelled operations so far, the states the
model can be in there and the moves it would have allowed.

Exit status (as for every command): 0 every execution conforms (the search covered
its space), 1 an execution leaves the model, 2 bad input (one line; a mistake in the
mapping is file:line:col), 3 the search stopped at --max-executions before covering
its space, 4 an internal error.
"""

from __future__ import annotations

import argparse

from ..errors import EXIT_CLEAN, EXIT_FOUND, EXIT_INCOMPLETE, UsageError
from . import add_command
from .pair import add_pairing_arguments, make_pair


def register(subparsers) -> None:
    p = add_command(subparsers, "conform", __doc__,
                    "check every execution of the code against its model")
    add_pairing_arguments(p)
    p.add_argument("--search", choices=("dfs", "dpor"), default="dfs",
                   help="how executions are enumerated (default dfs)")
    p.add_argument("--bound", type=int, default=2, metavar="B",
                   help="DFS preemption bound (default 2)")
    p.add_argument("--max-executions", type=int, default=2_000_000, metavar="N",
                   help="stop after N executions (the check is then incomplete)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..progress import ProgressLine

    if args.bound < 0:
        raise UsageError("--bound must not be negative")
    if args.max_executions < 1:
        raise UsageError("--max-executions must be positive")
    pair = make_pair(args)
    bar = ProgressLine(f"conform {args.search}")
    result = pair.conform(search=args.search, bound=args.bound,
                          max_executions=args.max_executions,
                          on_execution=bar.counter(args.max_executions))
    bar.clear()
    print(result)
    if result.departure is not None:
        return EXIT_FOUND
    return EXIT_CLEAN if result.exhaustive else EXIT_INCOMPLETE
