"""``aioctx hunt SLUG``: search one catalogue scenario for a counterexample and save it.

    aioctx hunt SLUG [--strategy NAME] [--runs N] [--seed S] [--depth D] [--bound B]
                     [--workers N | --dask ADDRESS] [--fixed] [--memory-model sc|tso|arm]
                     [-o FILE] [--picture PATH] [--force]

Runs the buggy variant (``--fixed``: the fixed one) of the scenario under the strategy;
on a failure, saves the schedule as JSON, prints the readable trace and the command
that replays it.  ``--strategy`` names any registered strategy: pct (default),
random, dfs, dpor, hypothesis, or one added with ``aioctx.sim.register_strategy`` or
the ``aioctx.strategies`` entry-point group.  ``--runs`` is the budget of every
strategy: the runs PCT, random walk and Hypothesis sample, the most executions DFS and
DPOR try (a search stopped there says so: it did not cover its space).  ``--workers N``
spreads the search over N local processes, ``--dask ADDRESS`` over the workers of a
Dask scheduler (``tcp://host:8786``; needs ``distributed``); the outcome is the one a
single process finds with the same seed.  A progress line (executions, rate, time
left at most) is shown on stderr when it is a terminal.  ``--memory-model`` runs it
under sequential consistency, x86-TSO or the ARM-style model (default: the model the
catalogue names for the bug; a memory-ordering bug's buggy variant survives under sc).
Ctrl-C stops the search: it prints what was searched and writes nothing (a schedule
file is only ever written whole).

Exit status (as for every command): 0 no failure found (PCT, random walk and
Hypothesis ran all their runs; DFS and DPOR covered their space), 1 a race was caught
(the counterexample is saved), 2 bad input, 3 DFS or DPOR stopped at ``--runs`` before
covering their space, 4 an internal error (a bug in aioctx: one line, the traceback
with --debug); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..budgets import count_option
from ..errors import EXIT_CLEAN, EXIT_FOUND, EXIT_INCOMPLETE, UsageError
from . import add_command
from .outputs import schedule_outputs, write_atomically

#: the most runs a hunt takes, and the largest seed
MAX_RUNS = 10**9
MAX_SEED = 2**63 - 1
#: no scenario runs longer than this many steps (each has its own max_steps, checked
#: once the scenario is known)
MAX_STEPS = 10**6


def register(subparsers) -> None:
    p = add_command(subparsers, "hunt", __doc__,
                    "find, save and print one counterexample of a catalogue scenario")
    p.add_argument("slug", help="the catalogue slug (aioctx regress --list shows them)")
    p.add_argument("--strategy", default="pct", metavar="NAME",
                   help="a registered strategy: pct (default), random, dfs, dpor, "
                        "hypothesis, or one of your own")
    p.add_argument("--runs", type=count_option(1, MAX_RUNS), default=None, metavar="N",
                   help="runs to sample (pct, random, hypothesis) or most executions to "
                        "try (dfs, dpor); default: the scenario's (10,000 for most)")
    p.add_argument("--seed", type=count_option(0, MAX_SEED), default=None, metavar="S",
                   help="seed (default: the scenario's)")
    p.add_argument("--depth", type=count_option(1, MAX_STEPS), default=None, metavar="D",
                   help="PCT bug depth (at most the scenario's steps per run)")
    p.add_argument("--bound", type=count_option(0, MAX_STEPS), default=None, metavar="B",
                   help="DFS preemption bound (at most the scenario's steps per run)")
    workers = p.add_mutually_exclusive_group()
    workers.add_argument("--workers", type=int, default=None, metavar="N",
                         help="search in N local worker processes")
    workers.add_argument("--dask", metavar="ADDRESS",
                         help="search on the workers of this Dask scheduler")
    p.add_argument("--fixed", action="store_true", help="hunt in the fixed variant")
    p.add_argument("--memory-model", choices=("sc", "tso", "arm"), default=None,
                   help="memory model (default: the one the catalogue names for the bug)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="schedule file (default: SLUG-VARIANT-STRATEGY.json)")
    p.add_argument("--picture", metavar="PATH", help="also draw the swimlane (.svg or .png)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import hunting, sim
    from ..progress import ProgressLine
    from ..sim.schedule import dumps

    sc = hunting.scenario(args.slug)
    for name in ("depth", "bound"):
        value = getattr(args, name)
        if value is not None and value > sc.max_steps:
            # a priority change point or a preemption past the end of a run never
            # happens, and PCT draws its change points up front
            raise UsageError(f"--{name} {value}: at most {sc.max_steps:,}, the most "
                             f"steps a run of {sc.slug} takes")
    strategy = hunting.strategy(
        args.strategy, args.depth if args.depth is not None else sc.pct_depth,
        args.bound if args.bound is not None else sc.dfs_bound)
    variant = "fixed" if args.fixed else "buggy"
    output = args.output or f"{sc.slug}-{variant}-{args.strategy}.json"
    schedule_outputs(output, args.picture, args.force)
    seed = args.seed if args.seed is not None else sc.seed
    runs = args.runs if args.runs is not None else sc.pct_runs
    model = args.memory_model or sc.memory_model
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    executor, close = _executor(args.dask)
    bar = ProgressLine(f"hunt {args.strategy}")
    shown = bar.counter(runs)
    done = [0]

    def count(n: int) -> None:
        done[0] = n
        if shown is not None:
            shown(n)

    try:
        result = sim.explore(sc.program(not args.fixed), strategy, runs=runs, seed=seed,
                             max_steps=sc.max_steps, max_executions=runs,
                             on_execution=count, workers=args.workers, executor=executor,
                             memory_model=model)
        cx = result.counterexample
    except KeyboardInterrupt:
        bar.clear()
        where = "" if executor is None and not args.workers else " in this process"
        print(f"{sc.slug} ({variant}): interrupted: {args.strategy} ran {done[0]:,} "
              f"execution(s){where} of at most {runs:,} (seed {seed}) without a "
              f"complete result; nothing was saved", file=sys.stderr)
        raise
    finally:
        close()
    bar.clear()
    print(f"{sc.slug} ({variant}, {model} memory): {sc.summary}")
    print(result.summary())
    if cx is None:
        return EXIT_INCOMPLETE if result.capped else EXIT_CLEAN
    print()
    print(cx)
    write_atomically(output, dumps(hunting.tag(cx.schedule, sc.slug, not args.fixed)))
    print(f"\nsaved the schedule to {output}")
    if args.picture:
        from ..swimlane import from_sim
        from_sim(cx, title=f"{sc.slug} ({variant}): {cx.failure.kind}").save(args.picture)
        print(f"drew it in {args.picture}")
    print(f"replay it with:  aioctx replay {output}")
    return EXIT_FOUND


def _executor(address: str | None) -> tuple[Any, Any]:
    """The Dask scheduler's workers as a ``concurrent.futures`` executor, and how to
    let it go; (None, a no-op) without ``--dask``."""
    if address is None:
        return None, lambda: None
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the 'distributed' package "
                         "(pip install 'dask[distributed]')") from None
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--dask {address}: cannot reach the scheduler: {exc}") from None
    return client.get_executor(), client.close
