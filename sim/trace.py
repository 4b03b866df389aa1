"""Traces: the typed record of each step, and the column-per-thread view of a failure.

``Step`` is what a reporting run records for every operation (``Execution(trace=True)``):
who did it, what, on which object, under which label, the value it read or wrote, and
the program's source line.  ``StepRow`` is the part of a step that a schedule document
stores and a replay compares (``Step.row()``).  ``format_columns`` lays a trace out with
one column per thread.  Readers use the field names; nothing indexes a step by position.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from typing import Any, NamedTuple

from .location import Location, show_location

MAX_CELL = 72            # the widest a thread's column gets, room or not
MIN_CELL = 12            # the narrowest it gets to make a line fit


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


def output_width() -> int | None:
    """The terminal's width when output goes to one; None (no limit) for a pipe or a
    CI log, where a long line is better than a cut one."""
    stream = sys.__stdout__
    if stream is None or not stream.isatty():
        return None
    return shutil.get_terminal_size((120, 24)).columns


def _column_widths(natural: list[int], room: int | None) -> list[int]:
    """Each thread column as wide as its longest cell (at most MAX_CELL), then the
    widest narrowed one character at a time, down to MIN_CELL, until the line fits
    ``room`` characters."""
    widths = [min(max(w, 4), MAX_CELL) for w in natural]
    if room is None:
        return widths
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= MIN_CELL:
            break
        widths[widest] -= 1
    return widths


def format_columns(trace: list[Step], threads: list[str], last: int = 200,
                   width: int | None = -1) -> str:
    """One row per step; each thread's steps sit in its own column; the caller's source
    line on the right.  Only the ``last`` steps are shown (the end is what matters).
    The columns take the room ``width`` leaves (default: the terminal's width, no
    limit when the output is not a terminal): a cell is cut only when the line would
    not fit otherwise."""
    if width == -1:
        width = output_width()
    rows = trace[-last:] if last else trace
    first = len(trace) - len(rows)
    cells = []
    for step in rows:
        row = [""] * len(threads)
        if 0 <= step.tid < len(threads):
            row[step.tid] = step.describe()
        cells.append(row)
    places = [show_location(step.where) for step in rows]
    natural = [max([len(name)] + [len(r[i]) for r in cells]) for i, name in
               enumerate(threads)]
    where_width = max([5] + [len(p) for p in places])
    room = None if width is None else width - 4 - where_width - 3 * (len(threads) + 1)
    widths = _column_widths(natural, room)
    header = ["   #"] + [_fit(name, w).ljust(w) for name, w in zip(threads, widths,
                                                                   strict=True)] + ["where"]
    lines = [" | ".join(header), "-+-".join("-" * len(h) for h in header)]
    if first:
        lines.append(f"   ... {first} earlier steps not shown")
    for n, (row, place) in enumerate(zip(cells, places, strict=True), first):
        body = [f"{n:4d}"] + [_fit(c, w).ljust(w) for c, w in zip(row, widths, strict=True)]
        lines.append(" | ".join(body + [place]).rstrip())
    return "\n".join(lines)
