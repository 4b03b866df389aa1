"""``aioctx replay FILE.json``: run a saved schedule again and say whether it still fits.

    aioctx replay FILE.json [--fixed | --buggy | --program MODULE:FUNCTION]
                            [--picture PATH] [--force]

The schedule (from ``aioctx hunt`` or ``aioctx regress``) is checked field by field
before anything runs, then followed decision by decision on the catalogue scenario it
names; the trace is printed, and where the run leaves the recorded steps the first
difference is named and the steps around it are shown, as recorded and as run.
A schedule of any other program (``sim.explore``'s) runs only on the program the user
names with ``--program``: the ``program`` a file records is never imported.
``--fixed``/``--buggy`` replay a hunted schedule on the other variant of its scenario.
``--fixed`` asks whether the fix holds.  It first replays the schedule on the code it
was recorded on: if that does not reproduce the recorded failure step by step, the
schedule (edited, truncated, or of another scenario) does not apply to the fixed code
and says nothing about the fix.  Otherwise the fixed code runs it; only the fix can
make that run differ, and the output says whether the failure is gone and where the
run left the schedule.

Exit status (as for every command): 0 the replayed run does not fail (with
``--fixed``: the fix holds on this schedule), 1 it fails: the race is caught again, or
another failure (with ``--fixed``: the fix does not hold), 2 bad input (a file that is
not a schedule, or with ``--fixed`` one that records no failure or does not apply),
4 an internal error (a bug in aioctx: one line, the traceback with --debug).  Whether
the run kept to the recorded steps and outcome is printed, not told by the status.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_CLEAN, EXIT_FOUND, UsageError
from . import add_command
from .outputs import new_picture, writable


def register(subparsers) -> None:
    p = add_command(subparsers, "replay", __doc__,
                    "replay a saved schedule (from aioctx hunt) and report divergence")
    p.add_argument("file", help="the schedule (.json)")
    variant = p.add_mutually_exclusive_group()
    variant.add_argument("--fixed", dest="buggy", action="store_const", const=False,
                         help="replay it on the fixed variant of its scenario")
    variant.add_argument("--buggy", dest="buggy", action="store_const", const=True,
                         help="replay it on the buggy variant of its scenario")
    p.add_argument("--program", metavar="MODULE:FUNCTION",
                   help="replay it on this zero-argument function (imported: name only "
                        "code you trust)")
    p.add_argument("--picture", metavar="PATH", help="draw the replayed run (.svg or .png)")
    p.add_argument("--force", action="store_true", help="overwrite an existing picture")
    p.set_defaults(run=run, buggy=None)


def _signature(failure: dict[str, Any]) -> tuple[str, str]:
    """What two failures share when they are the same bug (``Failure.signature``)."""
    from ..sim.failures import EXCEPTION, INVARIANT

    kind = failure["kind"]
    head = str(failure.get("message", "")).split(":", 1)[0]
    return (kind, head if kind in (EXCEPTION, INVARIANT) else "")


def _step_budget(doc: dict[str, Any]) -> int | None:
    """A catalogue scenario's replay runs within that scenario's own step budget (the
    one it was hunted with), whatever budget the file asks for."""
    from .. import hunting

    tagged = doc.get("scenario")
    if tagged is None:
        return None
    limit = hunting.scenario(tagged["slug"]).max_steps
    return min(doc.get("max_steps", limit), limit)


def _check_it_applies(doc: dict[str, Any], where: str) -> None:
    """Refuse a schedule that does not reproduce its recorded failure on the variant it
    was recorded on: whatever the fixed code then does tells nothing about the fix."""
    from .. import hunting, sim

    recorded = doc.get("failure")
    if recorded is None:
        raise UsageError(f"{where}: the schedule records no failure: there is nothing "
                         "for --fixed to find gone")
    tagged = doc["scenario"]
    program, what = hunting.program_for(doc, where, tagged["buggy"])
    reference = sim.replay(program, doc, max_steps=_step_budget(doc))
    got = reference.failure.to_json() if reference.failure else None
    if reference.divergence is not None:
        why = f"the run diverged at {reference.divergence}"
    elif got is None:
        why = f"the run ends without the recorded {recorded['kind']}"
    elif _signature(got) != _signature(recorded):
        why = f"the run fails otherwise ({got['kind']}, recorded {recorded['kind']})"
    else:
        return
    raise UsageError(f"{where}: this schedule does not apply to the fixed code: on "
                     f"{what}, where it was recorded, {why}")


def run(args: argparse.Namespace) -> int:
    from .. import hunting, sim
    from ..sim.schedule import ScheduleError, around_divergence, load, steps_in
    from ..sim.trace import steps_of

    try:
        doc = load(args.file)
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    recorded = doc.get("failure")
    if args.picture:
        new_picture("--picture", args.picture, args.force)
        writable("--picture", args.picture)
    program, what = hunting.program_for(doc, args.file, args.buggy, args.program)
    if args.buggy is False:
        _check_it_applies(doc, args.file)
    result = sim.replay(program, doc,
                        max_steps=_step_budget(doc) if args.program is None else None)
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
