"""``aioctx barriers SLUG``: which barriers a catalogue scenario's fixed code needs.

    aioctx barriers SLUG [--label LABEL ...] [--bound B] [--runs N] [--seed S]
                         [--buggy] [--trace]

Lists every labelled barrier the scenario executes (``smp_mb``,
``smp_mb__after_rmw``, ``smp_wmb``, ``smp_rmb`` and the read-modify-writes), then
removes each one alone and searches the scenario under x86-TSO and under the
ARM-style model: PCT (``--runs`` runs) and, if PCT finds nothing, an exhaustive DFS
up to ``--bound`` preemptions (default 1; flushes of store buffers count as
preemptions).  Each barrier is reported as "needed under tso", "needed under arm
only", "not needed in this scenario" (within the bound), or, for ``smp_rmb``, "not
modelled" (the ARM model keeps loads in order).  Under TSO only ``smp_mb`` is
searched: the other fences are no-ops on x86 and a locked RMW is always a full
barrier.  For each needed barrier the counterexample of the smallest model that
fails is summarised (``--trace``: printed in full).  ``--label`` audits only the
barriers named.

Exit status: 0 the audit is complete, 2 bad input (an unknown slug, a label the
scenario does not execute), 3 some search ran out of budget (its barrier is
"unknown"), 4 an internal error.
"""

from __future__ import annotations

import argparse

from ..errors import EXIT_CLEAN, EXIT_INCOMPLETE, UsageError
from . import add_command


def register(subparsers) -> None:
    p = add_command(subparsers, "barriers", __doc__,
                    "say which barriers a scenario needs, under TSO and ARM")
    p.add_argument("slug", help="the catalogue slug (aioctx regress --list shows them)")
    p.add_argument("--label", action="append", metavar="LABEL",
                   help="audit only this barrier (repeatable)")
    p.add_argument("--bound", type=int, default=1, metavar="B",
                   help="DFS preemption bound of a 'not needed' proof (default 1)")
    p.add_argument("--runs", type=int, default=2_000, metavar="N",
                   help="PCT runs tried first for each barrier and model (default 2,000)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="seed (default: the scenario's)")
    p.add_argument("--buggy", action="store_true",
                   help="audit the buggy variant instead of the fixed one")
    p.add_argument("--trace", action="store_true",
                   help="print each needed barrier's counterexample in full")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import hunting
    from ..progress import ProgressLine
    from ..sim import barriers

    sc = hunting.scenario(args.slug)
    if args.bound < 0:
        raise UsageError("--bound must not be negative")
    if args.runs < 1:
        raise UsageError("--runs must be positive")
    seed = args.seed if args.seed is not None else sc.seed
    program = sc.program(args.buggy)
    found = barriers.barriers_executed(program, sc.max_steps, seed=seed)
    if args.label:
        known = {b.label: b for b in found}
        for label in args.label:
            if label not in known:
                raise UsageError(f"--label {label}: {sc.slug} does not execute it; its "
                                 f"barriers: {', '.join(known) or 'none'}")
        found = [known[label] for label in args.label]
    variant = "buggy" if args.buggy else "fixed"
    print(f"{sc.slug} ({variant}): {len(found)} barrier(s), each dropped alone; "
          f"PCT {args.runs:,} runs, then DFS <= {args.bound} preemption(s)")
    bar = ProgressLine("barriers")
    total = sum(b.matters_under(m) for b in found for m in ("tso", "arm"))
    done = [0]

    def searching(barrier: barriers.Barrier, model: str) -> None:
        bar.update(done[0], total, [f"{barrier.label} under {model}"])
        done[0] += 1

    findings = barriers.audit(program, found, max_steps=sc.max_steps, bound=args.bound,
                              pct_runs=args.runs, seed=seed, on_search=searching)
    bar.clear()
    width = max([len("barrier")] + [len(f.barrier.label) for f in findings])
    kinds = max([len("kind")] + [len(f.barrier.kind) for f in findings])
    print(f"{'barrier'.ljust(width)}  {'kind'.ljust(kinds)}  verdict / evidence")
    for f in findings:
        print(f"{f.barrier.label.ljust(width)}  {f.barrier.kind.ljust(kinds)}  "
              f"{f.verdict}: {f.evidence()}")
    for f in findings:
        if f.needed and f.result is not None:
            cx = f.result.counterexample
            print(f"\nwithout {f.barrier.label} ({f.verdict}):")
            print(str(cx) if args.trace else cx.failure.describe().splitlines()[0])
    return EXIT_INCOMPLETE if any(f.verdict == barriers.UNKNOWN for f in findings) \
        else EXIT_CLEAN
