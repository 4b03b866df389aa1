"""States stored with the reductions on, against SPIN's default verifier, on the agreement suite.

    python benchmarks/bench_counts.py                  # ~5 minutes, SPIN's verifiers cached
    python benchmarks/bench_counts.py --json counts.json

The cases are those of the agreement suite (tests/promela/promela_cases.py: every model
of promela/models, tests/promela/models and tests/model/promela, each option set, in
safety, acceptance and acceptance-with-fairness mode, and the non-progress modes where
a model has progress labels), and SPIN runs through the suite's own oracle
(tests/promela/spin_oracle.py, ``optimised=True``: ``spin -a``, ``gcc`` without
``-DNOREDUCE``, ``pan`` with the mode's options, so statement merging and the
partial-order reduction on, as SPIN's defaults are).  aioctx runs ``promela.check``
with its defaults (every reduction on).

A state count is compared only where both searches ended without an error: where one
stops at an error, its count says where the search happened to be.  A case where SPIN
cannot build its verifier (pan refuses the partial-order reduction with weak fairness
and rendezvous) or the two verdicts differ is listed apart.  For each case over 1.5x
the table names what aioctx did not reduce there (the report's ``reductions`` line).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "promela"))

import promela_cases as suite  # noqa: E402
import spin_oracle  # noqa: E402

from aioctx import promela  # noqa: E402

LIMIT = 1.5


def compare(case: tuple[Path, list[str], str]) -> dict[str, Any]:
    """One case: SPIN's default verifier and aioctx's defaults, side by side."""
    path, defines, mode = case
    row: dict[str, Any] = {"case": suite.case_id(case)}
    try:
        theirs = spin_oracle.spin_verdict(str(path), mode, defines, optimised=True)
    except Exception as exc:            # pan refused to build or run: say why
        lines = str(exc).strip().splitlines()
        row["spin_error"] = next((ln.strip() for ln in lines if "error" in ln),
                                 lines[-1])[:120]
        return row
    aioctx_mode, fair = suite.AIOCTX_MODE[mode]
    ours, system = promela.check(str(path), aioctx_mode, fair=fair, defines=list(defines))
    row.update(spin_states=theirs.states, spin_violated=theirs.violated,
               states=ours.states, violated=ours.violated,
               reductions=system.c.reduction.summary())
    if not theirs.violated and not ours.violated:
        row["ratio"] = ours.states / max(theirs.states, 1)
    return row


def report(rows: list[dict[str, Any]]) -> str:
    compared = [r for r in rows if "ratio" in r]
    within = [r for r in compared if r["ratio"] <= LIMIT]
    over = sorted((r for r in compared if r["ratio"] > LIMIT), key=lambda r: -r["ratio"])
    differ = [r for r in rows if "spin_error" not in r and r["violated"] != r["spin_violated"]]
    refused = [r for r in rows if "spin_error" in r]
    ratios = sorted(r["ratio"] for r in compared)
    lines = [f"{len(rows)} cases; {len(compared)} ended without an error in both tools",
             f"within {LIMIT}x of SPIN's default count: {len(within)} of {len(compared)}"
             f" ({len(within) / max(len(compared), 1):.1%}); median ratio "
             f"{ratios[len(ratios) // 2]:.2f}, smallest {ratios[0]:.2f}, largest "
             f"{ratios[-1]:.2f}" if ratios else "nothing to compare",
             "", "| case | SPIN default | aioctx | ratio | aioctx's reductions there |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['case']} | {r['spin_states']:,} | {r['states']:,} | {r['ratio']:.2f} | "
              f"{r['reductions']} |" for r in over]
    if differ:
        lines += ["", "verdicts differ (SPIN's default against aioctx's):"]
        lines += [f"  {r['case']}: SPIN {'violation' if r['spin_violated'] else 'ok'}, "
                  f"aioctx {'violation' if r['violated'] else 'ok'}" for r in differ]
    if refused:
        lines += ["", "SPIN's default verifier refused:"]
        lines += [f"  {r['case']}: {r['spin_error']}" for r in refused]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", metavar="FILE", help="also write every row as JSON")
    args = ap.parse_args(argv)
    reason = spin_oracle.available()
    if reason is not None:
        print(f"bench_counts: {reason}", file=sys.stderr)
        return 2
    todo = suite.cases(suite.PROJECT_MODELS + suite.TEST_MODELS + suite.CHECKER_MODELS)
    rows = []
    for k, case in enumerate(todo, 1):
        rows.append(compare(case))
        if k % 50 == 0:
            print(f"... {k} of {len(todo)} cases", file=sys.stderr, flush=True)
    print(report(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
