"""``aioctx pair MODEL.pml SCENARIO``: carry the model's counterexample onto the code.

    aioctx pair MODEL.pml SCENARIO [-D NAME[=VALUE]]... [--map FILE] [--runs N]
                [--seed S] [--mode safety|acceptance] [-o FILE] [--picture PATH]
                [--force]

The mapping file (MODEL.pair beside the model, or --map; docs/pairing.md) says which
model process is which thread of SCENARIO (a catalogue slug, or module:attribute) and
which statement label is which operation label.  The model variant chosen with -D has
a counterexample (the shortest safety one, else a weakly fair acceptance one, or the
one --mode names); its labelled operations, in its order, become the order the
simulation follows on the code with the matching bug switch (the mapping's 'buggy'
line), filling in the unlabelled steps, until the code fails as the scenario's bug
does.  Printed: the two runs side by side on their shared labels, and the schedule,
saved to -o (replay it with 'aioctx replay FILE'); --picture draws both swimlanes
aligned.  When the code cannot follow the model, it says at which labelled step and
why: the model and the code disagree there.

Exit status (as for every command): 0 the model variant has no counterexample, 1 the
failure was reproduced on the code (the schedule is saved), 2 bad input (one line;
a mistake in the mapping is file:line:col), 3 not reproduced within --runs executions
(the report says how far the code followed and why it stopped), 4 an internal error.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ..errors import EXIT_CLEAN, EXIT_FOUND, EXIT_INCOMPLETE, UsageError
from . import add_command
from .outputs import schedule_outputs


def add_pairing_arguments(p: argparse.ArgumentParser) -> None:
    """MODEL, SCENARIO, -D and --map: what pair and conform share."""
    p.add_argument("model", help="the Promela model (.pml)")
    p.add_argument("scenario", help="a catalogue slug (aioctx regress --list) or "
                                    "module:attribute")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
                   help="the model variant (the mapping pairs it with a variant of the code)")
    p.add_argument("--map", metavar="FILE", help="the mapping (default: MODEL.pair)")


def make_pair(args: argparse.Namespace) -> Any:
    """The ``Pair`` the arguments name; a bad model is one located line."""
    from ..pairing import Pair
    from ..promela import PromelaError

    try:
        return Pair(args.model, args.scenario, args.defines, mapping=args.map)
    except PromelaError as exc:
        raise UsageError(str(exc), located=exc.where is not None) from None


def register(subparsers) -> None:
    p = add_command(subparsers, "pair", __doc__,
                    "reproduce a model's counterexample on the real code")
    add_pairing_arguments(p)
    p.add_argument("--runs", type=int, default=None, metavar="N",
                   help="most executions to try (default 100)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="seed (default: the scenario's)")
    p.add_argument("--mode", choices=("safety", "acceptance"), default=None,
                   help="which counterexample of the model (default: safety, else a "
                        "weakly fair acceptance cycle)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="schedule file (default: SCENARIO-pair.json)")
    p.add_argument("--picture", metavar="PATH",
                   help="also draw the two swimlanes aligned (.svg or .png)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..pairing.transfer import RUNS

    if args.runs is not None and args.runs < 1:
        raise UsageError("--runs must be positive")
    pair = make_pair(args)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", args.scenario)
    output = args.output or f"{stem}-pair.json"
    schedule_outputs(output, args.picture, args.force)
    result = pair.transfer(runs=args.runs or RUNS, seed=args.seed, mode=args.mode)
    print(result.summary())
    if result.trail is None:
        return EXIT_CLEAN
    table = result.alignment_text()
    if table:
        print()
        print(table)
    cx = result.counterexample
    if cx is None:
        return EXIT_INCOMPLETE
    _save(pair, cx, output)
    print(f"\nsaved the schedule to {output}; replay it with:  aioctx replay {output}")
    if args.picture:
        from ..pairing.picture import aligned
        aligned(result).save(args.picture)
        print(f"drew both runs, aligned, in {args.picture}")
    return EXIT_FOUND


def _save(pair: Any, cx: Any, output: str) -> None:
    from ..hunting import tag
    from ..sim.schedule import dumps

    doc = cx.schedule
    if ":" not in pair.scenario_name:
        doc = tag(doc, pair.scenario_name, pair.code_buggy)
    with open(output, "w", encoding="utf-8") as f:
        f.write(dumps(doc))
