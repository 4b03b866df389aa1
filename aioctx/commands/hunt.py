"""``aioctx hunt SLUG``: search one catalogue scenario for a counterexample and save it.

    aioctx hunt SLUG [--strategy NAME] [--runs N] [--seed S] [--depth D] [--bound B]
                     [--fixed] [--memory-model sc|tso|arm] [-o FILE] [--picture PATH]
                     [--force]

Runs the buggy variant (``--fixed``: the fixed one) of the scenario under the strategy;
on a failure, saves the schedule as JSON, prints the readable trace and the command
that replays it.  ``--strategy`` names any registered strategy: pct (default),
random, dfs, dpor, hypothesis, or one added with ``aioctx.sim.register_strategy`` or
the ``aioctx.strategies`` entry-point group.  ``--runs`` is the budget of every
strategy: the runs PCT, random walk and Hypothesis sample, the most executions DFS and
DPOR try (a search stopped there says so: it did not cover its space).  A progress
line is shown on stderr when it is a terminal.  ``--memory-model`` runs it under
sequential consistency, x86-TSO or the ARM-style model (default: the model the
catalogue names for the bug; a memory-ordering bug's buggy variant survives under sc).

Exit status (as for every command): 0 no failure found (PCT, random walk and
Hypothesis ran all their runs; DFS and DPOR covered their space), 1 a race was caught
(the counterexample is saved), 2 bad input, 3 DFS or DPOR stopped at ``--runs`` before
covering their space, 4 an internal error (a bug in aioctx: one line, the traceback
with --debug).
"""

from __future__ import annotations

import argparse

from ..errors import EXIT_CLEAN, EXIT_FOUND, EXIT_INCOMPLETE, UsageError
from . import add_command
from .outputs import distinct, new_file, new_picture, writable


def register(subparsers) -> None:
    p = add_command(subparsers, "hunt", __doc__,
                    "find, save and print one counterexample of a catalogue scenario")
    p.add_argument("slug", help="the catalogue slug (aioctx regress --list shows them)")
    p.add_argument("--strategy", default="pct", metavar="NAME",
                   help="a registered strategy: pct (default), random, dfs, dpor, "
                        "hypothesis, or one of your own")
    p.add_argument("--runs", type=int, default=None, metavar="N",
                   help="runs to sample (pct, random, hypothesis) or most executions to "
                        "try (dfs, dpor); default: the scenario's (10,000 for most)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="seed (default: the scenario's)")
    p.add_argument("--depth", type=int, default=None, metavar="D", help="PCT bug depth")
    p.add_argument("--bound", type=int, default=None, metavar="B",
                   help="DFS preemption bound")
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
    for name in ("runs", "depth"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UsageError(f"--{name} must be positive")
    if args.bound is not None and args.bound < 0:
        raise UsageError("--bound must not be negative")
    strategy = hunting.strategy(
        args.strategy, args.depth if args.depth is not None else sc.pct_depth,
        args.bound if args.bound is not None else sc.dfs_bound)
    variant = "fixed" if args.fixed else "buggy"
    output = args.output or f"{sc.slug}-{variant}-{args.strategy}.json"
    new_file("-o", output, args.force)
    writable("-o", output)
    if args.picture:
        new_picture("--picture", args.picture, args.force)
        distinct(("-o", output), ("--picture", args.picture))
        writable("--picture", args.picture)
    seed = args.seed if args.seed is not None else sc.seed
    runs = args.runs if args.runs is not None else sc.pct_runs
    model = args.memory_model or sc.memory_model
    bar = ProgressLine(f"hunt {args.strategy}")
    result = sim.explore(sc.program(not args.fixed), strategy, runs=runs, seed=seed,
                         max_steps=sc.max_steps, max_executions=runs,
                         on_execution=bar.counter(runs),
                         memory_model=model)
    bar.clear()
    print(f"{sc.slug} ({variant}, {model} memory): {sc.summary}")
    print(result.summary())
    cx = result.counterexample
    if cx is None:
        return EXIT_INCOMPLETE if result.capped else EXIT_CLEAN
    print()
    print(cx)
    with open(output, "w", encoding="utf-8") as f:
        f.write(dumps(hunting.tag(cx.schedule, sc.slug, not args.fixed)))
    print(f"\nsaved the schedule to {output}")
    if args.picture:
        from ..swimlane import from_sim
        from_sim(cx, title=f"{sc.slug} ({variant}): {cx.failure.kind}").save(args.picture)
        print(f"drew it in {args.picture}")
    print(f"replay it with:  aioctx replay {output}")
    return EXIT_FOUND
