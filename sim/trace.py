"""Traces: what each step did, and the column-per-thread view printed with a failure.

A trace entry is ``[scheduling points so far, thread, op, object, label, value, (file,
line)]``, recorded by ``Execution`` in a reporting run.  ``steps_of`` turns it into
the comparable rows stored in schedule documents; ``format_columns`` lays it out with
one column per thread.
"""

from __future__ import annotations

from typing import Any

from .execution import show_location

WIDTH = 34


def steps_of(trace: list[list[Any]]) -> list[list[Any]]:
    """Rows for a schedule document: thread, op, object, label, file:line."""
    return [[e[1], e[2], e[3], e[4], show_location(e[6])] for e in trace]


def describe_step(e: list[Any]) -> str:
    """'load x [label] = 3' — the text of one step inside its thread's column."""
    text = f"{e[2]} {e[3]}".rstrip()
    if e[4]:
        text += f" [{e[4]}]"
    if e[5] is not None:
        text += f" = {_short(e[5])}"
    return text


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


def format_columns(trace: list[list[Any]], threads: list[str], last: int = 200) -> str:
    """One row per step; each thread's steps sit in its own column; the caller's source
    line on the right.  Only the ``last`` steps are shown (the end is what matters)."""
    rows = trace[-last:] if last else trace
    header = ["   #"] + [_fit(name, WIDTH).ljust(WIDTH) for name in threads] + ["where"]
    lines = [" | ".join(header), "-+-".join("-" * len(h) for h in header)]
    if len(rows) < len(trace):
        lines.append(f"   ... {len(trace) - len(rows)} earlier steps not shown")
    first = len(trace) - len(rows)
    for n, e in enumerate(rows, first):
        tid = e[1]
        cells = [""] * len(threads)
        if 0 <= tid < len(threads):
            cells[tid] = describe_step(e)
        body = [f"{n:4d}"] + [_fit(c, WIDTH).ljust(WIDTH) for c in cells]
        lines.append(" | ".join(body + [show_location(e[6])]))
    return "\n".join(lines)
