"""``aioctx regress``: run the race-regression catalogue and compare with expectations.

    aioctx regress [--only NAME]... [--full] [--workers N] [--json FILE] [--html FILE]
                   [--out DIR] [--force] [--list]

Every Promela model variant of promela/models in each mode its header states a verdict
for, and every scenario of sim/scenarios, buggy (must be caught by PCT and by DFS) and
fixed (must survive both).  Prints a table as it goes (a progress line on stderr when
it is a terminal) and writes a swimlane picture (SVG and PNG) of each counterexample
into --out.  On a terminal the table fits its width (fewer, narrower columns); piped
or redirected it has every column in full, as the JSON report does.

Files: regress writes pictures only into --out and replaces only files it wrote there,
unchanged since (its manifest, ``.aioctx-regress``, records them); a file of the
user's in their way is refused, ``--force`` or not.  ``--force`` lets it use a folder
that holds other files, and replace existing --json/--html files.  Every output is
checked (a folder, a writable place, no two on one path) before the first check runs.

A check that crashes (a bug in aioctx, not a verdict) shows ``ERR`` and ``internal
error: ...`` in its row (status ``ERROR`` in the JSON report); the other checks still
run, and the end names it with the bug-report route (its traceback with --debug).

Exit status (as for every command): 0 every check as expected, 1 some check is not (a
regression: each is named at the end), 2 bad input, 4 an internal error: some check
crashed (this wins over 1, since the run has no verdict for that check; --debug prints
its traceback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

from ..budgets import count_option
from ..errors import (
    BUG_REPORT_ROUTE,
    EXIT_CLEAN,
    EXIT_FOUND,
    EXIT_INTERNAL,
    UsageError,
    debug_requested,
)
from . import add_command
from .outfolder import OutFolder
from .outputs import distinct, new_file, writable

#: the most worker processes taken (each is a fork of the command)
MAX_WORKERS = 256


def register(subparsers) -> None:
    p = add_command(subparsers, "regress", __doc__,
                    "run the race-regression catalogue (models and scenarios)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="only the checks of this bug slug or model name, or of NAME/VARIANT "
                        "or NAME/VARIANT/CHECK (repeatable)")
    p.add_argument("--full", action="store_true",
                   help="give fixed variants every scenario's own budgets (minutes each) "
                        "instead of the quick defaults")
    p.add_argument("--workers", type=count_option(1, MAX_WORKERS),
                   default=os.cpu_count() or 1, metavar="N",
                   help="checks run in parallel (default: the number of CPUs; at most "
                        f"{MAX_WORKERS})")
    p.add_argument("--json", metavar="FILE", help="write the report as JSON")
    p.add_argument("--html", metavar="FILE", help="write the report as HTML, with pictures")
    p.add_argument("--out", default="regress-out", metavar="DIR",
                   help="folder for the counterexample pictures (default: regress-out); "
                        "regress replaces only the files it wrote there")
    p.add_argument("--force", action="store_true",
                   help="overwrite existing --json/--html files; write into an --out "
                        "folder that holds other files (never replacing them)")
    p.add_argument("--list", action="store_true", help="list the checks and stop")
    p.set_defaults(run=run)


def _check_outputs(args: argparse.Namespace, names: list[str]) -> OutFolder:
    """Refuse, before minutes of work, to write anything the user did not say to: the
    reports where --force is needed, the pictures ``names`` in --out over anything
    regress did not write (see outfolder), two outputs on one path.  Then claim the
    pictures' names in --out and try the places each report goes into."""
    folder = OutFolder.prepare(args.out, args.force, names)
    pictures = [("a picture in --out", os.path.join(args.out, n)) for n in names]
    reports = (("--json", args.json), ("--html", args.html))
    for option, path in reports:
        if path is None:
            continue
        if os.path.realpath(path) == os.path.realpath(args.out):
            raise UsageError(f"{option} {path}: the same path as --out {args.out}, the "
                             "folder of the pictures")
        ours = folder.holds(path) and os.path.basename(path) in folder.files \
            and folder.may_write(os.path.basename(path))
        new_file(option, path, args.force or ours, made=args.out)
    distinct(*pictures, *reports)
    folder.claim(names + [os.path.basename(p) for _o, p in reports
                          if p is not None and folder.holds(p)])
    for option, path in reports:
        if path is not None:
            writable(option, path)
    return folder


def run(args: argparse.Namespace) -> int:
    from .. import regress
    from ..progress import ProgressLine, format_seconds
    from ..regress_report import (
        fit_columns,
        format_check,
        format_row,
        full_columns,
        header,
        replay_command,
        report,
        write_html,
        write_json,
    )

    budget = regress.FULL if args.full else regress.QUICK
    checks = regress.plan(budget, args.only)
    if args.list:
        listed = full_columns(checks)
        for c in checks:
            print(format_check(c, listed))
        return 0
    folder = _check_outputs(args, regress.picture_names(checks))
    print(budget.describe())
    bar = ProgressLine("regress")
    section = [None]
    columns = (fit_columns(shutil.get_terminal_size().columns - 1)
               if sys.stdout.isatty() else full_columns(checks))

    def on_row(row: regress.Row) -> None:
        bar.clear()
        if row.section != section[0]:
            section[0] = row.section
            print(f"\n{row.section}\n{header(columns)}")
        print(format_row(row, columns), flush=True)
        if row.schedule:
            print(f"{'':6}replay: {replay_command(row)}", flush=True)

    start = time.monotonic()
    rows = regress.run_all(checks, args.out, args.workers, on_row, bar.update)
    bar.clear()
    seconds = time.monotonic() - start
    doc = report(rows, seconds, budget.describe(), args.workers)
    if args.json:
        write_json(args.json, doc)
    if args.html:
        write_html(args.html, doc)
    folder.record([p for r in rows for p in r.pictures + ([r.schedule] if r.schedule else [])]
                  + [p for p in (args.json, args.html) if p is not None and folder.holds(p)])
    s = doc["summary"]
    npics = sum(1 for r in rows if r.pictures)
    crashed = f", {len(s['errors'])} crashed" if s["errors"] else ""
    print(f"\nregress: {s['checks']} checks, {s['passed']} as expected, "
          f"{len(s['failed'])} not{crashed}; {len(s['uncovered'])} catalogue bugs not "
          f"covered; {format_seconds(seconds)} on {args.workers} worker(s)")
    nschedules = sum(1 for r in rows if r.schedule)
    written = [f"pictures of {npics} counterexamples and the schedules of {nschedules} "
               f"(each replays with: aioctx replay FILE) in {args.out}/"]
    written += [f"JSON {args.json}"] if args.json else []
    written += [f"HTML {args.html}"] if args.html else []
    print("wrote " + ", ".join(written))
    if s["failed"]:
        print(f"regress: {len(s['failed'])} check(s) FAILED:", file=sys.stderr)
        for r in rows:
            if r.status == regress.FAIL:
                print(f"  {r.key}: expected {r.expected}, got {r.got}", file=sys.stderr)
    if s["errors"]:
        print(f"regress: {len(s['errors'])} check(s) crashed, a bug in aioctx; "
              f"{BUG_REPORT_ROUTE}:", file=sys.stderr)
        for r in rows:
            if r.status == regress.ERROR:
                if debug_requested(getattr(args, "debug", False)):
                    print(r.traceback, end="", file=sys.stderr)
                print(f"  {r.key}: {r.got}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_FOUND if s["failed"] else EXIT_CLEAN
