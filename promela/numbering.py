"""SPIN's state numbers: which number each statement of a body gets.

SPIN numbers the *elements* of a body in the order its parser creates them, from 1 in
each proctype, ``init`` and never claim.  A basic statement is numbered when it is
read; a compound statement after everything inside it: an ``if`` gets two numbers (the
branch point, then the join point after ``fi``), a ``do`` three (branch point, join
point, the exit ``break`` leads to), ``atomic``/``d_step``/``{ }`` (an inline call
too, which SPIN reads as a ``{ }`` block) one, ``unless`` two (the construct, then its
join point); the end of the body comes last.  A process is always at the number of
an element, which is what ``pc_value()`` returns and what ``spin -t -p`` prints as
``(state N)``; the flow builder (flow.py) gives each location the number of the element
SPIN would be at there, so the same statement always has the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast

#: label prefixes that make SPIN put a ``skip`` in front of a labelled ``goto``
SPECIAL_LABELS = ("accept", "end", "progress")


@dataclass
class Numbers:
    """The numbers of one body, by ``id`` of its statement nodes."""

    of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    end: int = 0
    count: int = 0

    def next(self) -> int:
        self.count += 1
        return self.count

    def __getitem__(self, stmt: ast.Stmt) -> tuple[int, ...]:
        return self.of[id(stmt)]


def is_special_label(label: str) -> bool:
    return label.startswith(SPECIAL_LABELS)


def number_body(body: list[ast.Stmt]) -> Numbers:
    """Number ``body`` (resolved statements) in SPIN's order."""
    n = Numbers()
    _sequence(body, n)
    n.end = n.next()
    return n


def _sequence(stmts: list[ast.Stmt], n: Numbers) -> None:
    for s in stmts:
        _one(s, n)


def _one(s: ast.Stmt, n: Numbers) -> None:
    if isinstance(s, ast.Labeled):
        _one(s.stmt, n)
        if isinstance(s.stmt, ast.Goto) and is_special_label(s.label):
            n.of[id(s)] = (n.next(),)       # the skip SPIN puts before the goto
        return
    if isinstance(s, ast.If | ast.Do):
        for option in s.options:
            _sequence(option, n)
        count = 3 if isinstance(s, ast.Do) else 2
        n.of[id(s)] = tuple(n.next() for _ in range(count))
        return
    if isinstance(s, ast.Unless):
        _sequence(s.body, n)
        _sequence(s.escape, n)
        n.of[id(s)] = (n.next(), n.next())
        return
    if isinstance(s, ast.Atomic | ast.DStep | ast.Block):
        _sequence(s.body, n)
    n.of[id(s)] = (n.next(),)
