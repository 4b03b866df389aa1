"""Schedules as versioned JSON documents, and what a replay found.

A schedule document records the decisions (the thread chosen at each choice moment with
more than one enabled thread), the threads, the failure it reproduces, and each step's
(thread, operation, object, label, file:line), so that a replay of changed code can say
where the run first went a different way.
"""

from __future__ import annotations

import json
import os
from typing import Any

FORMAT = "aioctx.sim.schedule"
VERSION = 1


class ScheduleError(ValueError):
    """A schedule document that cannot be used; the message is one line."""


def program_name(program: Any) -> str:
    """module:qualname of a program (or of the function a partial wraps)."""
    inner = getattr(program, "func", program)
    module = getattr(inner, "__module__", "?")
    name = getattr(inner, "__qualname__", type(inner).__name__)
    return f"{module}:{name}"


def make_document(program: Any, decisions: list[int], threads: list[str],
                  failure: dict[str, Any] | None, steps: list[list[Any]],
                  preemptions: int, engine: str, max_steps: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "program": program_name(program),
        "engine": engine,
        "max_steps": max_steps,
        "threads": threads,
        "preemptions": preemptions,
        "decisions": decisions,
        "failure": failure,
        "steps": steps,
    }


def load(source: dict[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """Accept a document, its JSON text, or a path to a JSON file; check its shape."""
    where = "schedule"
    if isinstance(source, dict):
        doc = source
    else:
        text = str(source)
        if not text.lstrip().startswith("{"):
            where = text
            try:
                with open(text, "rb") as f:
                    text = f.read().decode("utf-8")
            except OSError as exc:
                raise ScheduleError(f"{where}: cannot read: {exc.strerror}") from None
            except UnicodeDecodeError as exc:
                raise ScheduleError(f"{where}: not a schedule: byte {exc.start} is not "
                                    "UTF-8 text") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScheduleError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") \
                from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ScheduleError(f"{where}: not an aioctx schedule (format should be {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise ScheduleError(f"{where}: schedule version {doc.get('version')!r} is not "
                            f"supported (this aioctx reads version {VERSION})")
    decisions = doc.get("decisions")
    if not isinstance(decisions, list) or not all(
            isinstance(d, int) and d >= 0 for d in decisions):
        raise ScheduleError(f"{where}: 'decisions' must be a list of thread numbers")
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """Stable JSON text: one step per line keeps diffs of schedules readable."""
    head = {k: v for k, v in doc.items() if k != "steps"}
    lines = json.dumps(head, indent=1)[:-2]
    steps = ",\n  ".join(json.dumps(s) for s in doc.get("steps", []))
    return f"{lines},\n \"steps\": [\n  {steps}\n ]\n}}\n"


def first_divergence(expected: list[list[Any]], actual: list[list[Any]]) -> str | None:
    """Compare (thread, op, object, label) step by step; describe the first difference."""
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if list(want[:4]) != list(got[:4]):
            return (f"step {i}: the schedule has thread {want[0]} doing {_op(want)}, "
                    f"the code now has thread {got[0]} doing {_op(got)}")
    if len(expected) != len(actual):
        n = min(len(expected), len(actual))
        longer = "schedule" if len(expected) > len(actual) else "code"
        return f"step {n}: the {longer} goes on ({len(expected)} vs {len(actual)} steps)"
    return None


def _op(step: list[Any]) -> str:
    text = f"{step[1]} {step[2]}".strip()
    if step[3]:
        text += f" [{step[3]}]"
    if len(step) > 4 and step[4]:
        text += f" at {step[4]}"
    return text
