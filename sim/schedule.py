"""Schedules as versioned JSON documents, and what a replay found.

A schedule document records the decisions (the option chosen at each choice moment with
more than one option), the threads, the failure it reproduces, and each step's
(thread, operation, object, label, file:line) as a ``StepRow``, so that a replay of
changed code can say where the run first went a different way.

Version 1 (sequential consistency) holds thread numbers only.  Version 2 is a schedule
under a weak memory model: it names the model (``"memory_model": "tso"`` or ``"arm"``)
and its decisions may also be flushes of buffered stores (``"f1"``: thread 1's oldest
store, TSO; ``"f1:7"``: thread 1's oldest store to object 7, ARM).  A document is
written in the lowest version that can hold it, so schedules under sequential
consistency stay readable by older aioctx; a document of another version is refused
with a message naming the versions this one reads.
A document is read as data: ``load`` checks every field against the schema in
``schedule_schema`` before anything uses it, and never imports the program it names.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .schedule_schema import SchemaError, check, parse, read_text, shown
from .trace import StepRow

FORMAT = "aioctx.sim.schedule"
VERSIONS = (1, 2)


class ScheduleError(ValueError):
    """A schedule document that cannot be used; the message is one line."""


def program_name(program: Any) -> str:
    """module:qualname of a program (or of the function a partial wraps)."""
    inner = getattr(program, "func", program)
    module = getattr(inner, "__module__", "?")
    name = getattr(inner, "__qualname__", type(inner).__name__)
    return f"{module}:{name}"


def make_document(program: Any, decisions: list[Any], threads: list[str],
                  failure: dict[str, Any] | None, steps: list[StepRow],
                  preemptions: int, engine: str, max_steps: int,
                  line_level: bool = False, memory_model: str = "sc") -> dict[str, Any]:
    """The document as JSON-ready data (steps as plain lists).  ``"line_level": true``
    is written only for a run with a step per program line, which its replay needs;
    ``"memory_model"`` only under a weak one (version 2)."""
    extra: dict[str, Any] = {"line_level": True} if line_level else {}
    weak = {"memory_model": memory_model} if memory_model != "sc" else {}
    return {
        "format": FORMAT,
        "version": 1 if memory_model == "sc" else 2,
        "program": program_name(program),
        "engine": engine,
        "max_steps": max_steps,
        **weak,
        "threads": threads,
        "preemptions": preemptions,
        "decisions": decisions,
        "failure": failure,
        **extra,
        "steps": [list(row) for row in steps],
    }


def memory_model_of(doc: dict[str, Any]) -> str:
    """The memory model a loaded document was recorded under."""
    return str(doc.get("memory_model", "sc"))


def load(source: dict[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """Accept a document, its JSON text, or a path to a JSON file; check every field
    (``schedule_schema``) before anything uses it."""
    where = "schedule"
    try:
        if isinstance(source, dict):
            doc: Any = source
        else:
            text = os.fspath(source)
            if not text.lstrip().startswith("{"):
                where = text
                text = read_text(text)
            doc = parse(text)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise SchemaError(f"not an aioctx schedule (format should be {FORMAT!r})")
        if doc.get("version") not in VERSIONS:
            raise SchemaError(f"schedule version {shown(doc.get('version'))} is not "
                              "supported (this aioctx reads versions "
                              f"{', '.join(str(v) for v in VERSIONS)})")
        check(doc)
    except SchemaError as exc:
        raise ScheduleError(exc.located(where)) from None
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """Stable JSON text: one step per line keeps diffs of schedules readable."""
    head = {k: v for k, v in doc.items() if k != "steps"}
    lines = json.dumps(head, indent=1)[:-2]
    steps = ",\n  ".join(json.dumps(s) for s in doc.get("steps", []))
    return f"{lines},\n \"steps\": [\n  {steps}\n ]\n}}\n"


def steps_in(doc: dict[str, Any]) -> list[StepRow]:
    """The recorded steps of a loaded (so checked) document; [] if it has none, and a
    replay then compares nothing rather than guess."""
    return [StepRow(*row) for row in doc.get("steps", [])]


def divergence_index(expected: list[StepRow], actual: list[StepRow]) -> int | None:
    """The first step at which the two runs differ (or one ends), None if they agree."""
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if not want.same_operation(got):
            return i
    if len(expected) != len(actual):
        return min(len(expected), len(actual))
    return None


def around_divergence(expected: list[StepRow], actual: list[StepRow], before: int = 3,
                      after: int = 2) -> list[str]:
    """The steps of both runs around where they part, for a person: each step as the
    schedule has it and as the code ran it, the first difference marked with '>'."""
    at = divergence_index(expected, actual)
    if at is None:
        return []
    lines = [f"around step {at}, where the run leaves the schedule:"]
    for i in range(max(0, at - before), at + after + 1):
        mark = ">" if i == at else " "
        want = (f"thread {expected[i].tid} {expected[i].describe()}"
                if i < len(expected) else "(the schedule has ended)")
        got = (f"thread {actual[i].tid} {actual[i].describe()}"
               if i < len(actual) else "(the run has ended)")
        if want == got:
            lines.append(f" {mark}{i:5d}  both:     {want}")
        else:
            lines.append(f" {mark}{i:5d}  schedule: {want}")
            lines.append(f"  {'':5}  now:      {got}")
    return lines


def first_divergence(expected: list[StepRow], actual: list[StepRow]) -> str | None:
    """Compare (thread, op, object, label) step by step; describe the first difference."""
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if not want.same_operation(got):
            return (f"step {i}: the schedule has thread {want.tid} doing "
                    f"{want.describe()}, the code now has thread {got.tid} doing "
                    f"{got.describe()}")
    if len(expected) != len(actual):
        n = min(len(expected), len(actual))
        longer = "schedule" if len(expected) > len(actual) else "code"
        return f"step {n}: the {longer} goes on ({len(expected)} vs {len(actual)} steps)"
    return None
