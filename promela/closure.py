"""The stutter closure of a never claim that counts steps only with letter-blind moves.

A hand-written claim such as QEMU's tcg-exclusive claim

    do
    :: !LIVE -> accept: skip
    :: 1 -> assert(SAFE)
    od

counts steps: each round of its loop is two moves, one on a condition and one on
``skip`` or ``assert``, so the ``assert`` judges every other state (claimgen.py) and a
state seen once, at the wrong position, escapes it.  The reductions (reduce.py) change
how many times the claim reads a letter (the values its conditions test), so a reduced
search with such a claim could miss a violation that the full search finds; that is
why stutter.py's test refuses it.

The claim's *stutter closure* C+ lets each letter-blind move of the claim C (``skip``,
a true condition, a jump, ``assert``) also be taken without the system moving:

* location q of C+ has the moves of every location p that C reaches from q by
  letter-blind moves alone (q itself included), with a letter-blind move read as the
  condition true;
* an ``assert(e)`` at such a p also becomes a move from q into the claim's end on
  ``!(e)``: reaching the end is a violation, as the failed assert was.

Every run of C is a run of this C+ (one that takes no shortcut) and every violation of
C is one of C+, so C+ finds at least the errors C finds. Locations of C+ that behave
alike are then merged, and a move that merely guesses against an accepting twin of its
target is narrowed (``_prefer_accepting``); neither changes the words C+ accepts, and
the second halves the product's states on the tcg-exclusive claim, whose closure then
moves one way on each letter (but for its move into the end). When C+ passes
stutter.py's test, its verdict does not depend on how often a letter repeats, and a
reduced search with C+ that finds no error proves that the full search with C finds
none either. An error it finds may be one of C+ alone (the example's ``assert`` would
judge every state): ``promela.check`` then searches again with C and the reductions
off, and that search's verdict is the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from . import ast
from .flow import Flow, Location, Transition
from .stutter import is_true
from .unparse import stmt as stmt_text

#: the moves a claim may have for its closure to be built
_MOVES = (ast.ExprStmt, ast.Goto, ast.Break, ast.Assert)


def _blind(t: Transition) -> bool:
    """Whether the move reads no letter: it is taken whatever the state (an ``assert``
    either passes or is a violation)."""
    return is_true(t) or isinstance(t.stmt, ast.Assert)


def _blind_reach(flow: Flow, pc: int) -> list[int]:
    """The locations reached from ``pc`` by letter-blind moves alone, ``pc`` first."""
    order, seen = [pc], {pc}
    for p in order:
        for t in flow.locations[p].transitions:
            if _blind(t) and t.dest not in seen:
                seen.add(t.dest)
                order.append(t.dest)
    return order


def _distinct(moves: Iterable[tuple[ast.Stmt, int]]) -> list[Transition]:
    """The moves ``(statement, target)`` as transitions, each text and target once."""
    out: list[Transition] = []
    seen: set[tuple[str, int]] = set()
    for stmt, dest in moves:
        key = (stmt_text(stmt), dest)
        if key not in seen:
            seen.add(key)
            out.append(Transition(stmt, dest))
    return out


def _closed_moves(flow: Flow, pc: int) -> Iterator[tuple[ast.Stmt, int]]:
    """The moves of location ``pc`` in the closure, before duplicates go."""
    for p in _blind_reach(flow, pc):
        for t in flow.locations[p].transitions:
            if isinstance(t.stmt, ast.Assert):
                e = t.stmt.expr
                yield ast.ExprStmt(t.stmt.pos, ast.Unary(e.pos, "!", e)), flow.terminal
            yield (_true(t.stmt.pos) if _blind(t) else t.stmt), t.dest


def _closed_location(flow: Flow, loc: Location) -> Location:
    if loc.pc == flow.terminal:
        return loc
    return replace(loc, transitions=_distinct(_closed_moves(flow, loc.pc)))


def _true(pos: ast.Pos) -> ast.Stmt:
    return ast.ExprStmt(pos, ast.Num(pos, 1))


def _merge_alike(flow: Flow) -> Flow:
    """``flow`` with every move into a location that behaves like an earlier one (the
    same ``accept`` label and the same moves, up to such locations) sent to the earlier
    one instead: the claim accepts the same words with fewer locations to be in."""
    rep = {loc.pc: loc.pc for loc in flow.locations}
    while True:
        first: dict[tuple, int] = {}
        new = {loc.pc: first.setdefault(
            (loc.accept, loc.pc == flow.terminal,
             tuple(sorted({(stmt_text(t.stmt), rep[t.dest]) for t in loc.transitions}))),
            loc.pc) for loc in flow.locations}
        if new == rep:
            break
        rep = new
    locations = [replace(loc, transitions=_distinct((t.stmt, rep[t.dest])
                                                     for t in loc.transitions))
                 for loc in flow.locations]
    return Flow(locations, rep[flow.entry], flow.terminal)


def _prefer_accepting(flow: Flow) -> Flow:
    """``flow`` where a move into a location N is narrowed to the letters on which no
    move of the same location leads to an accepting twin M of N (M accepting, N not,
    the same moves): a run that took N on such a letter could take M instead and go on
    alike, one accepting visit richer, so the claim accepts the same words; it just
    stops guessing (the closure of the tcg-exclusive claim, at every location "go to
    the accepting twin on !LIVE, or stay on true", then moves on one letter one way)."""
    moves = {loc.pc: sorted((stmt_text(t.stmt), t.dest) for t in loc.transitions)
             for loc in flow.locations}
    locs = flow.locations

    def twins(m: int, n: int) -> bool:
        return (m != n and locs[m].accept and not locs[n].accept and m != flow.terminal
                and n != flow.terminal and moves[m] == moves[n])

    locations = []
    for loc in flow.locations:
        new = []
        for t in loc.transitions:
            better = sorted((u for u in loc.transitions if twins(u.dest, t.dest)),
                            key=lambda u: stmt_text(u.stmt))
            if any(is_true(u) for u in better):
                continue                    # every letter has the better move
            if not better:
                new.append(t)
                continue
            cond = None if is_true(t) else t.stmt.expr
            for u in better:
                e = u.stmt.expr
                neg = ast.Unary(e.pos, "!", e)
                cond = neg if cond is None else ast.Binary(e.pos, "&&", cond, neg)
            new.append(Transition(ast.ExprStmt(t.stmt.pos, cond), t.dest))
        locations.append(replace(loc, transitions=new))
    return Flow(locations, flow.entry, flow.terminal)


def stutter_closure(flow: Flow) -> Flow | None:
    """The closure C+ of the claim whose locations are ``flow`` (the same locations,
    numbered alike, with new moves; its entry may be a location that behaves like C's,
    and a location it cannot reach keeps moves of no consequence), or None when the
    claim has a move other than a condition, a jump or an ``assert`` (an ``else``
    included: its meaning depends on the other moves of its location, which the
    closure changes), or an atomic sequence."""
    for loc in flow.locations:
        if loc.inside:
            return None
        for t in loc.transitions:
            if not isinstance(t.stmt, _MOVES) or t.escape or t.dstep is not None:
                return None
    return _prefer_accepting(_merge_alike(Flow(
        [_closed_location(flow, loc) for loc in flow.locations], flow.entry, flow.terminal)))
