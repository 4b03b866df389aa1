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
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from .trace import StepRow

FORMAT = "aioctx.sim.schedule"
VERSIONS = (1, 2)
_FLUSH = re.compile(r"f\d+(:\d+)?")


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
    version = doc.get("version")
    if version not in VERSIONS:
        raise ScheduleError(f"{where}: schedule version {version!r} is not supported "
                            f"(this aioctx reads versions "
                            f"{', '.join(str(v) for v in VERSIONS)})")
    model = doc.get("memory_model", "sc")
    if version == 1 and "memory_model" in doc:
        raise ScheduleError(f"{where}: a version 1 schedule has no memory model")
    if model not in ("sc", "tso", "arm"):
        raise ScheduleError(f"{where}: unknown memory model {model!r} (sc, tso or arm)")
    decisions = doc.get("decisions")
    if not isinstance(decisions, list) or not all(
            _decision(d, model != "sc") for d in decisions):
        what = ("thread numbers" if model == "sc"
                else "thread numbers and flushes ('f1', 'f1:7')")
        raise ScheduleError(f"{where}: 'decisions' must be a list of {what}")
    return doc


def _decision(d: Any, weak: bool) -> bool:
    if isinstance(d, int) and not isinstance(d, bool):
        return d >= 0
    return weak and isinstance(d, str) and _FLUSH.fullmatch(d) is not None


def dumps(doc: dict[str, Any]) -> str:
    """Stable JSON text: one step per line keeps diffs of schedules readable."""
    head = {k: v for k, v in doc.items() if k != "steps"}
    lines = json.dumps(head, indent=1)[:-2]
    steps = ",\n  ".join(json.dumps(s) for s in doc.get("steps", []))
    return f"{lines},\n \"steps\": [\n  {steps}\n ]\n}}\n"


def steps_in(doc: dict[str, Any]) -> list[StepRow]:
    """The recorded steps of a loaded document ([] if it has none, or any row is not a
    step: a replay then compares nothing rather than guess)."""
    rows = doc.get("steps")
    if not isinstance(rows, list):
        return []
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], int)
                and all(isinstance(x, str) for x in row[1:3])
                and (row[3] is None or isinstance(row[3], str)) and isinstance(row[4], str)):
            return []
        out.append(StepRow(*row))
    return out


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
