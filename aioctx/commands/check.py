"""``aioctx check FILE.pml``: verify a Promela model with SPIN's semantics.

    aioctx check model.pml [-D NAME[=VALUE]]... [-U NAME]... [-N NAME | --ltl FORMULA]
                 [--safety | --acceptance | --non-progress] [--fair] [--bfs] [--json]
                 [--hash-compact | --bitstate [-w N] [-k N]] [--seed N]
                 [--max-states N] [--max-depth N] [--time-limit SECONDS]
                 [--memory-limit SIZE] [--workers N | --scheduler ADDRESS] [--searches N]
                 [--no-merge] [--no-reduce] [--no-dead]

The property checked is the model's never claim or ltl formula named by ``-N`` (as
``pan -N``), by default the first one (never claims come before ltl formulas, as in
SPIN), or the formula given with ``--ltl`` (``spin -f``'s syntax, over the model's
names and macros, the model left as it is).

Modes are SPIN's verifier modes: ``--safety`` (``pan`` built with -DSAFETY),
``--acceptance`` (``pan -a``), ``--non-progress`` (``-DNP``, ``pan -l``); ``--fair`` adds
weak fairness (``pan -f``).  Without one, the mode follows the property, as
``spin -run`` chooses: acceptance if the model has a property and an accept label,
else safety.  Acceptance mode on a model without accept labels checks safety, as SPIN
does (and says so).

States are stored exactly by default.  ``--hash-compact`` stores a 64-bit fingerprint
per state (SPIN's -DHC) and reports the probability that a state was missed;
``--bitstate`` stores k bits per state in an array of 2**N bits (SPIN's supertrace,
-DBITSTATE with -wN and -kN): much less memory, but states can be missed, so its "no
error" is not a proof.  ``--seed`` picks the hash function.

``--workers N`` runs a swarm instead of one search (Holzmann's swarm verification):
diversified searches, each with its own hash seed and successor order and a lossy
store (bitstate unless ``--hash-compact``), on N local processes, or on a Dask cluster
with ``--scheduler ADDRESS``; the first error found stops them all.  The report counts
the distinct states they stored between them (an estimate).

Three reductions are on by default, as in SPIN, and keep every verdict: statement
merging (a step goes on through the local statements after it; ``--no-merge``,
SPIN's ``-o3``), partial-order reduction (in a state where a process can only run
local statements, only its moves are explored; ``--no-reduce``, SPIN's
``-DNOREDUCE``) and dead-variable elimination (a local that will be written before it
is read again is kept at 0; ``--no-dead``, SPIN's ``-o2``).  The summary line says
which ran; merging and the partial-order reduction do not run on a model that reads
``_last``, ``enabled()`` or ``pc_value()``, uses priorities, or is checked against a
never claim that may count steps, nor on a process with a ``provided`` clause; under
weak fairness the partial-order reduction stays on, but not for a model with
rendezvous channels (promela/reduce.py explains why).  A claim that counts steps only
with moves that never block (``skip``, ``1``, jumps, ``assert``; QEMU's tcg-exclusive
claim) keeps them when its stutter closure passes the same test: the search runs with
the closure, and an error it finds is searched for again with the claim itself and no
reductions (promela/closure.py).  A counterexample shows a dead variable as 0.

``--memory-limit`` bounds the memory of the whole process (default: what it holds plus
80% of what the machine has available); like the other budgets and like Ctrl-C, it stops
the search with its statistics so far, the verdict "incomplete" and exit status 3.
Budgets: ``--time-limit`` covers the whole command, reading, preprocessing and compiling
the model included (the search gets what is left); a model file is a regular file of
at most 4 MiB, and its macros expand to at most 20,000 tokens a use and 100,000 in all.

Exit status: 0 no error, 1 a property is violated (the counterexample is printed like
``spin -t -p``), 2 bad input (one line: ``file:line:col: message`` where the problem
is in the model, else ``aioctx: message``), 3 the search stopped at a budget before
finishing, 4 an internal error (a bug in aioctx: one line, the traceback with --debug).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..budgets import Deadline, MemoryWatch, count_option, parse_size, seconds_option
from ..errors import EXIT_CLEAN, EXIT_FOUND, EXIT_INCOMPLETE, UsageError
from . import add_command

#: -w when --bitstate is given without it: 2**27 bits, 16 MiB
DEFAULT_LOG_BITS = 27
#: the largest --max-states and --max-depth taken
MAX_STATES = 10**15
MAX_DEPTH = 10**9


def register(subparsers) -> None:
    p = add_command(subparsers, "check", __doc__,
                    "verify a Promela model (SPIN's semantics and verdicts)")
    p.add_argument("file", help="the Promela model (.pml)")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
                   help="define a preprocessor macro (as for spin/cpp)")
    p.add_argument("-U", dest="undefines", action="append", default=[], metavar="NAME",
                   help="undefine a preprocessor macro")
    prop = p.add_mutually_exclusive_group()
    prop.add_argument("-N", dest="claim", metavar="NAME", default=None,
                      help="check the never claim or ltl property NAME (pan -N)")
    prop.add_argument("--ltl", metavar="FORMULA", default=None,
                      help="check this ltl formula (as spin -f would translate it)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--safety", dest="mode", action="store_const", const="safety",
                      help="assertions, invalid end states, never claim ends (the "
                      "default without a property)")
    mode.add_argument("--acceptance", dest="mode", action="store_const",
                      const="acceptance", help="acceptance cycles (pan -a)")
    mode.add_argument("--non-progress", dest="mode", action="store_const",
                      const="non-progress", help="non-progress cycles (pan -l)")
    p.add_argument("--fair", action="store_true", help="weak fairness (pan -f)")
    p.add_argument("--bfs", action="store_true",
                   help="breadth-first search: shortest counterexample (safety only)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--max-states", type=count_option(1, MAX_STATES), default=None,
                   metavar="N", help="stop after N states (the verdict is then 'incomplete')")
    p.add_argument("--max-depth", type=count_option(1, MAX_DEPTH), default=None,
                   metavar="N", help="do not search deeper than N steps")
    p.add_argument("--time-limit", type=seconds_option(), default=None, metavar="SECONDS",
                   help="stop after this many seconds, reading and compiling the model "
                        "included")
    p.add_argument("--memory-limit", type=parse_size, default=None, metavar="SIZE",
                   help="stop before the process uses more memory than this ('4G', "
                        "'512M'; default: 80%% of what the machine has available)")
    storage = p.add_mutually_exclusive_group()
    storage.add_argument("--hash-compact", dest="storage", action="store_const",
                         const="hash-compact",
                         help="store 64-bit fingerprints of states (SPIN's -DHC)")
    storage.add_argument("--bitstate", dest="storage", action="store_const",
                         const="bitstate",
                         help="store k bits per state (SPIN's supertrace): not a proof")
    p.add_argument("-w", dest="log_bits", type=int, default=None, metavar="N",
                   help=f"--bitstate: an array of 2**N bits (default {DEFAULT_LOG_BITS})")
    p.add_argument("-k", dest="hashes", type=int, default=3, metavar="N",
                   help="--bitstate: bits per state (default 3)")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="hash seed of --hash-compact and --bitstate")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="a swarm: diversified lossy searches on N local processes "
                        "(--bitstate unless --hash-compact is given)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the swarm on the Dask cluster whose scheduler is at ADDRESS "
                        "(needs the 'dask' extra)")
    p.add_argument("--searches", type=int, default=None, metavar="N",
                   help="searches of the swarm (default: one per process or Dask thread)")
    p.add_argument("--no-merge", dest="merge", action="store_false",
                   help="no statement merging (spin -o3)")
    p.add_argument("--no-reduce", dest="reduce", action="store_false",
                   help="no partial-order reduction (pan -DNOREDUCE)")
    p.add_argument("--no-dead", dest="dead", action="store_false",
                   help="no dead-variable elimination (spin -o2)")
    p.set_defaults(run=run, mode=None, storage="exact")


def run(args: argparse.Namespace) -> int:
    from ..model.monitor import default_memory_limit, resident_bytes
    from ..model.swarm import SchedulerError
    from ..model.system import ModelError
    from ..promela import PromelaError, check, format_trail

    if args.bfs and args.mode not in ("safety", None):
        raise UsageError("--bfs applies to --safety only (liveness searches are depth-first)")
    if args.bfs and args.storage != "exact":
        raise UsageError(f"--{args.storage} needs a depth-first search (drop --bfs)")
    if args.storage != "bitstate" and (args.log_bits is not None or args.hashes != 3):
        raise UsageError("-w and -k apply to --bitstate only")
    if args.log_bits is None:
        args.log_bits = DEFAULT_LOG_BITS
    if not 3 <= args.log_bits <= 40:
        raise UsageError("-w takes 3..40 (an array of 2**N bits)")
    if not 1 <= args.hashes <= 32:
        raise UsageError("-k takes 1..32 (bits per state)")
    swarm = args.workers is not None or args.scheduler is not None
    if args.searches is not None and not swarm:
        raise UsageError("--searches applies to a swarm (--workers or --scheduler)")
    if args.workers is not None and args.scheduler is not None:
        raise UsageError("give --workers (local processes) or --scheduler (Dask), not both")
    if swarm and args.bfs:
        raise UsageError("a swarm's searches are depth-first (drop --bfs)")
    for name in ("workers", "searches"):
        value = getattr(args, name)
        if value is not None and not 1 <= value <= 4096:
            raise UsageError(f"--{name} takes 1..4096")
    if swarm and args.storage == "exact":
        args.storage = "bitstate"
    deadline = Deadline(args.time_limit)
    watch = MemoryWatch(args.memory_limit if args.memory_limit is not None else
                        default_memory_limit(), resident_bytes)

    def search_begins() -> float | None:
        """What is left of the time budget, asked when the search begins: from then on
        the search keeps the memory budget itself."""
        watch.stop()
        return deadline.left()

    try:
        with deadline, watch:
            result, system = check(args.file, args.mode, fair=args.fair,
                                   search="bfs" if args.bfs else "dfs",
                                   defines=args.defines, undefines=args.undefines,
                                   claim=args.claim, ltl=args.ltl,
                                   max_states=args.max_states, max_depth=args.max_depth,
                                   time_left=search_begins,
                                   progress=False if args.json else None,
                                   memory_limit=args.memory_limit, storage=args.storage,
                                   bits=1 << args.log_bits,
                                   hashes=args.hashes, seed=args.seed,
                                   workers=args.workers, scheduler=args.scheduler,
                                   searches=args.searches, merge=args.merge,
                                   reduce=args.reduce, dead=args.dead)
    except (KeyboardInterrupt, SystemError):
        # the deadline's interrupt, or what CPython 3.11's compile() makes of one that
        # lands inside it ("AST constructor recursion depth mismatch", found by the fuzz
        # test on a loaded machine); or the memory watch's
        if watch.exceeded:
            return _out_of_memory(args, watch.limit)
        if not deadline.expired:
            raise
        return _out_of_time(args, deadline.searched)
    except ImportError as exc:
        if args.scheduler is None:
            raise
        raise UsageError(f"--scheduler needs Dask ({exc}): install aioctx with its 'dask' "
                         "extra") from None
    except SchedulerError as exc:
        raise UsageError(str(exc)) from None
    except PromelaError as exc:
        raise UsageError(str(exc), located=exc.where is not None) from None
    except ModelError as exc:
        raise UsageError(str(exc)) from None
    if deadline.expired and result.limit == "interrupted":
        # the deadline's interrupt, caught by a search (a swarm's client stops its
        # searches on it): the time budget ran out, nobody pressed Ctrl-C
        result.limit = "time"
    for warning in system.c.model.warnings:
        print(warning, file=sys.stderr)
    if args.json:
        print(json.dumps(_as_json(args, result, system), indent=2))
    else:
        _print_text(args, result, system, format_trail)
    if result.verdict == "ok":
        return EXIT_CLEAN
    return EXIT_FOUND if result.verdict == "violation" else EXIT_INCOMPLETE


def _property(system, result) -> dict | None:
    """The property checked, for the report (None: none, or non-progress mode)."""
    prop = system.c.model.property
    if prop is None or result.mode == "non-progress":
        return None
    return {"name": prop.name, "kind": prop.kind, "formula": prop.text}


def _out_of_time(args: argparse.Namespace, searched: bool) -> int:
    """--time-limit ran out before the search could report: while the model was read,
    preprocessed, parsed or compiled, or inside one step of the search that did not end
    (a d_step or an atomic sequence that runs on)."""
    if searched:
        message = (f"--time-limit {args.time_limit:g} s ran out in a step of the search "
                   "that did not end (a d_step or atomic sequence that loops, for one)")
    else:
        message = (f"--time-limit {args.time_limit:g} s ran out before the search began "
                   "(reading and compiling the model)")
    return _incomplete(args, "time", message)


def _out_of_memory(args: argparse.Namespace, limit: int) -> int:
    """The memory budget ran out before the search began (reading and compiling the
    model)."""
    return _incomplete(args, "memory", f"the memory budget ({limit / 2**20:,.0f} MiB) ran "
                       "out before the search began (reading and compiling the model)")


def _incomplete(args: argparse.Namespace, limit: str, message: str) -> int:
    """A budget that ran out where no search could report: one line, and --json's."""
    if args.json:
        print(json.dumps({"file": args.file, "defines": args.defines, "mode": args.mode,
                          "verdict": "incomplete", "limit": limit, "message": message},
                         indent=2))
    print(f"aioctx: {args.file}: {message}", file=sys.stderr)
    return EXIT_INCOMPLETE


def _print_text(args, result, system, format_trail) -> None:
    if args.mode == "acceptance" and result.mode == "safety":
        print(f"{args.file}: no accept labels: acceptance mode checks safety only, as SPIN "
              "does")
    prop = _property(system, result)
    if prop is not None:
        what = f"never claim {prop['name']}" if prop["kind"] == "never" else \
            f"ltl {prop['name']}: {prop['formula']}"
        print(f"property: {what}")
    print(f"{result.summary()}; reductions: {system.c.reduction.summary()}")
    if result.verdict == "violation":
        print(f"{result.kind}: {result.message}")
        print(format_trail(system, result))


def _as_json(args, result, system) -> dict:
    from ..promela.trail import trail_records

    cx = result.counterexample
    return {
        "file": args.file, "defines": args.defines, "property": _property(system, result),
        "mode": result.mode,
        "requested_mode": args.mode, "fair": result.fair, "search": result.search,
        "verdict": result.verdict, "kind": result.kind, "message": result.message,
        "limit": result.limit, "note": result.note, "states": result.states,
        "transitions": result.transitions,
        "depth": result.max_depth, "seconds": round(result.seconds, 6),
        "memory": result.peak_memory, "storage": result.storage, "seed": result.seed,
        "reductions": system.c.reduction.as_dict(),
        "store": None if result.store is None else result.store.as_dict(),
        "swarm": None if result.swarm is None else result.swarm.as_dict(),
        "counterexample": None if cx is None else {
            "liveness": cx.liveness, "steps": trail_records(system, cx)},
    }
