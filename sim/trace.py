"""Traces: the typed record of each step, and the column-per-thread view of a failure.

``Step`` is what a reporting run records for every operation (``Execution(trace=True)``):
who did it, what, on which object, under which label, the value it read or wrote, and
the program's source line.  ``StepRow`` is the part of a step that a schedule document
stores and a replay compares (``Step.row()``).  ``format_columns`` lays a trace out with
one column per thread.  Readers use the field names; nothing indexes a step by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .location import Location, show_location

WIDTH = 34


class StepRow(NamedTuple):
    """One step as a schedule document stores it (a JSON list of these five)."""

    tid: int
    op: str
    obj: str
    label: str | None
    where: str                   # "file:line", "" when the step has no place

    def same_operation(self, other: StepRow) -> bool:
        """Same thread, operation, object and label (the line may move with edits)."""
        return (self.tid, self.op, self.obj, self.label) == (other.tid, other.op,
                                                             other.obj, other.label)

    def describe(self) -> str:
        """'store ctx.notify_me [aio_poll.notify_me_add] at impl/aio_poll.py:82'."""
        text = f"{self.op} {self.obj}".strip()
        if self.label:
            text += f" [{self.label}]"
        if self.where:
            text += f" at {self.where}"
        return text


@dataclass(slots=True)
class Step:
    """One traced operation of one execution."""

    n: int                       # scheduling points executed when it was recorded
    tid: int                     # the thread's number (-1: no controlled thread)
    op: str                      # "load", "store", "lock", "poll", "begin", "exit", ...
    obj: str                     # display name(s) of the object(s) it touched
    label: str | None            # the operation's label in impl code, if any
    value: Any = None            # value read or written; (old, new) for an RMW
    where: Location = ("", 0)    # the program's source line
    note: str = ""               # why the value is what it is, when that needs saying

    def row(self) -> StepRow:
        return StepRow(self.tid, self.op, self.obj, self.label, show_location(self.where))

    def describe(self) -> str:
        """'load x [label] = 3' — the text of one step inside its thread's column."""
        text = f"{self.op} {self.obj}".rstrip()
        if self.label:
            text += f" [{self.label}]"
        if self.value is not None:
            text += f" = {_short(self.value)}"
        if self.note:
            text += f" ({self.note})"
        return text


def steps_of(trace: list[Step]) -> list[StepRow]:
    """The rows a schedule document stores for ``trace``."""
    return [s.row() for s in trace]


def _short(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return f"{_repr(value[0])}->{_repr(value[1])}"
    return _repr(value)


def _repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:                  # e.g. a freed impl object refusing to be read
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 24 else text[:21] + "..."


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "~"


def format_columns(trace: list[Step], threads: list[str], last: int = 200) -> str:
    """One row per step; each thread's steps sit in its own column; the caller's source
    line on the right.  Only the ``last`` steps are shown (the end is what matters)."""
    rows = trace[-last:] if last else trace
    header = ["   #"] + [_fit(name, WIDTH).ljust(WIDTH) for name in threads] + ["where"]
    lines = [" | ".join(header), "-+-".join("-" * len(h) for h in header)]
    if len(rows) < len(trace):
        lines.append(f"   ... {len(trace) - len(rows)} earlier steps not shown")
    first = len(trace) - len(rows)
    for n, step in enumerate(rows, first):
        cells = [""] * len(threads)
        if 0 <= step.tid < len(threads):
            cells[step.tid] = step.describe()
        body = [f"{n:4d}"] + [_fit(c, WIDTH).ljust(WIDTH) for c in cells]
        lines.append(" | ".join(body + [show_location(step.where)]))
    return "\n".join(lines)
