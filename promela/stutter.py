"""Whether a never claim cannot tell how often a letter repeats (a syntactic test).

Statement merging and the partial-order reduction (reduce.py) drop steps that change
nothing a never claim reads: the run the claim reads is the same word of *letters*
(the values its conditions test) with some letters repeated fewer or more times.  A
claim whose verdict depends on such repetitions (one that counts steps) would see a
different run; a claim translated from an ltl formula without ``X`` cannot tell.  For
a hand-written claim this module gives a sufficient test, on its locations and
transitions (flow.py), that it cannot tell either:

1. every transition is a condition: an expression statement, ``else``, ``skip`` or a
   jump (no ``atomic``, ``d_step``, ``assert``, ``printf``), and the claim reads no
   ``timeout``, ``enabled()``, ``pc_value()`` or ``_last`` (a step that changes nothing
   else can change them).  It may read ``np_``: only a step into or out of a
   ``progress`` location changes it, and both reductions keep those steps;
2. *a letter can repeat*: after a transition on condition ``g`` into a location other
   than the claim's end, that location has a self-loop whose condition ``g`` implies;
   so a run that reads a letter once can read it again without moving on;
3. *a repeat can go*: a transition into location ``M`` (not a self-loop) on ``g1``,
   followed by one out of ``M`` to another location ``N`` on ``g2``, has a shortcut:
   the first transition's location has a transition to ``N`` whose condition ``g2`` or
   ``g1`` implies, and ``M`` is not accepting (the shortcut skips it) unless ``N`` is
   the claim's end (a violation, however the run got there); or ``M`` covers
   ``N``: it has every transition ``N`` has, neither has an ``else``, ``N`` is not the
   claim's end, and ``N`` is accepting only if ``M`` is (the run that reads the letter
   once stays in ``M`` and goes on as it would have from ``N``).  A run that reads a
   letter twice with two such moves then has one that reads it once; a repeat read by
   a self-loop can simply be dropped.

Locations with the same transitions (the same statements, by their text, to the same
places) and the same ``accept`` label behave alike (a ``do``'s entry and its loop head
do): they count as one location, and a move between them as a self-loop.

"``g`` implies ``h``" is syntactic: ``h`` is true, or the same text as ``g``, or the
text of one of ``g``'s ``&&``-operands.  ``else`` implies only true.
"""

from __future__ import annotations

from . import ast
from .flow import Flow, Location, Transition
from .unparse import expr as expr_text
from .unparse import stmt as stmt_text

_CONDITIONS = (ast.ExprStmt, ast.Else, ast.Goto, ast.Break)
_CONTEXT = (ast.Timeout, ast.Enabled, ast.PcValue)


def is_true(t: Transition) -> bool:
    """Whether the transition's condition is the constant true (a jump is)."""
    s = t.stmt
    return isinstance(s, ast.Goto | ast.Break) or (
        isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.Num) and s.expr.value != 0)


def _conjuncts(e: ast.Expr) -> list[str]:
    if isinstance(e, ast.Binary) and e.op == "&&":
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [expr_text(e)]


def implies(g: Transition, h: Transition) -> bool:
    """Whether ``g``'s condition implies ``h``'s (see the module docstring)."""
    if is_true(h):
        return True
    if not isinstance(g.stmt, ast.ExprStmt) or not isinstance(h.stmt, ast.ExprStmt):
        return False
    want = expr_text(h.stmt.expr)
    return want == expr_text(g.stmt.expr) or want in _conjuncts(g.stmt.expr)


def stutter_blind(flow: Flow, body: list[ast.Stmt]) -> bool:
    """Whether the claim with locations ``flow`` and body ``body`` passes the test."""
    if ast.contains(body, _CONTEXT) or any(
            loc.inside for loc in flow.locations):
        return False
    locs = flow.locations
    for loc in locs:
        for t in loc.transitions:
            if not isinstance(t.stmt, _CONDITIONS) or t.escape or t.dstep is not None:
                return False
    first: dict[tuple, int] = {}
    rep = [first.setdefault(
        (loc.accept, loc.pc == flow.terminal,
         tuple((stmt_text(t.stmt), t.dest) for t in loc.transitions)), loc.pc)
        for loc in locs]

    def covers(m: Location, n: Location) -> bool:
        return (n.pc != flow.terminal and (m.accept or not n.accept)
                and not any(isinstance(t.stmt, ast.Else)
                            for t in m.transitions + n.transitions)
                and {(stmt_text(t.stmt), rep[t.dest]) for t in n.transitions}
                <= {(stmt_text(t.stmt), rep[t.dest]) for t in m.transitions})

    for loc in locs:
        for t1 in loc.transitions:
            m = rep[t1.dest]
            if m == rep[loc.pc] or t1.dest == flow.terminal:
                continue
            loops = [h for h in locs[m].transitions if rep[h.dest] == m]
            if not any(implies(t1, h) for h in loops):
                return False
            for t2 in locs[m].transitions:
                n = rep[t2.dest]
                if n == m:
                    continue
                # skipping an accepting M matters only to a run that goes on
                shortcut = (not locs[m].accept or n == rep[flow.terminal]) and any(
                    rep[s.dest] == n and (implies(t2, s) or implies(t1, s))
                    for s in loc.transitions)
                if not shortcut and not covers(locs[m], locs[n]):
                    return False
    return True
