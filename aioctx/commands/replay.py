"""``aioctx replay FILE.json``: run a saved schedule again and say whether it still fits.

    aioctx replay FILE.json [--fixed | --buggy] [--picture PATH] [--force]

The schedule (from ``aioctx hunt`` or ``aioctx regress``, or any ``sim`` schedule
document naming a zero-argument ``module:function``) is followed decision by decision;
the trace is printed, and where the run leaves the recorded steps the first difference
is named and the steps around it are shown, as recorded and as run.
``--fixed``/``--buggy`` replay a hunted schedule on the other variant of its scenario.
``--fixed`` asks whether the fix holds: the fixed code is expected not to reproduce
the failure, and the output says so and where its run left the schedule.

Exit status (as for every command): 0 the replayed run does not fail (with
``--fixed``: the fix holds on this schedule), 1 it fails: the race is caught again, or
another failure (with ``--fixed``: the fix does not hold), 2 bad input, 4 an internal
error (a bug in aioctx: one line, the traceback with --debug).  Whether the run kept
to the recorded steps and outcome is printed, not told by the status.
"""

from __future__ import annotations

import argparse
import os
import stat

from ..errors import EXIT_CLEAN, EXIT_FOUND, UsageError
from . import add_command
from .outputs import new_picture, writable

#: the largest schedule file read (hunt writes a few hundred kilobytes at most)
MAX_SCHEDULE_BYTES = 64 << 20


def register(subparsers) -> None:
    p = add_command(subparsers, "replay", __doc__,
                    "replay a saved schedule (from aioctx hunt) and report divergence")
    p.add_argument("file", help="the schedule (.json)")
    variant = p.add_mutually_exclusive_group()
    variant.add_argument("--fixed", dest="buggy", action="store_const", const=False,
                         help="replay it on the fixed variant of its scenario")
    variant.add_argument("--buggy", dest="buggy", action="store_const", const=True,
                         help="replay it on the buggy variant of its scenario")
    p.add_argument("--picture", metavar="PATH", help="draw the replayed run (.svg or .png)")
    p.add_argument("--force", action="store_true", help="overwrite an existing picture")
    p.set_defaults(run=run, buggy=None)


def _schedule_file(path: str) -> None:
    """A schedule is a regular file of a sane size: a FIFO would block the read, and
    /dev/zero would fill the memory before the JSON parser saw a byte."""
    try:
        st = os.stat(path)
    except OSError:
        return                              # load() says why it cannot be read
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path}: not a regular file (a schedule is a JSON file)")
    if st.st_size > MAX_SCHEDULE_BYTES:
        raise UsageError(f"{path}: larger than {MAX_SCHEDULE_BYTES >> 20} MiB: not a "
                         "schedule aioctx wrote")


def run(args: argparse.Namespace) -> int:
    from .. import hunting, sim
    from ..sim.schedule import ScheduleError, around_divergence, load, steps_in
    from ..sim.trace import steps_of

    _schedule_file(args.file)
    try:
        doc = load(args.file)
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    recorded = doc.get("failure") or None
    if recorded is not None and not isinstance(recorded, dict):
        raise UsageError(f"{args.file}: 'failure' must be an object or null")
    if args.picture:
        new_picture("--picture", args.picture, args.force)
        writable("--picture", args.picture)
    program, what = hunting.program_for(doc, args.file, args.buggy)
    try:
        result = sim.replay(program, doc)
    except ScheduleError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    print(f"replaying {args.file} on {what}")
    print(result)
    got = result.failure.to_json() if result.failure else None
    same_outcome = (recorded or {}).get("kind") == (got or {}).get("kind")
    if args.picture and result.failure is not None:
        from ..sim.result import Counterexample
        from ..swimlane import from_sim
        cx = Counterexample(result.failure, result.schedule, result.trace, result.threads,
                            int(result.schedule.get("preemptions", 0)))
        from_sim(cx, title=f"replay of {args.file}: {result.failure.kind}").save(args.picture)
        print(f"drew it in {args.picture}")
    diverged = f"; diverged at {result.divergence}" if result.divergence else ""
    context = around_divergence(steps_in(doc), steps_of(result.trace))
    if context:
        print("\n" + "\n".join(context))
    want = recorded["kind"] if recorded else "no failure"
    status = EXIT_CLEAN if got is None else EXIT_FOUND
    if args.buggy is False:
        if got is None:
            print(f"\nreplay: the fixed code does not reproduce the recorded {want}: "
                  f"the fix holds on this schedule{diverged}")
        else:
            print(f"\nreplay: the fixed code fails too ({got['kind']}; recorded {want}): "
                  f"the fix does not hold on this schedule{diverged}")
        return status
    if result.divergence is None and same_outcome:
        print(f"\nreplay: the run matches the schedule ("
              f"{'failure: ' + got['kind'] if got else 'no failure'})")
        return status
    have = got["kind"] if got else "no failure"
    print(f"\nreplay: the run does not match the schedule: recorded {want}, got {have}"
          + diverged)
    return status
