"""ltl blocks: the checks SPIN makes of a formula, and its never claim.

An ``ltl`` formula states what every run must do; as SPIN does, the never claim is
built for its negation (the claim accepts the runs that break the property):

    formula (syntax tree) -> aioctx.model.ltl formula over its propositions, negated
      -> aioctx.model.buchi automaton -> never claim (syntax tree)

The propositions are what SPIN's translator takes as propositions: the operands
without temporal operators (``x == 1``, ``P[0]@cs``, ``len(q) > 0 && full(r)``,
``a -> b``; in ``[] (a && b)`` the one proposition ``a && b``), and, at the top of the
formula, the operands of its own ``!``, ``&&`` and ``||``; two written the same are
one proposition.  So, like SPIN's, the translation folds nothing inside a proposition
(``x == 1 || x != 1``, ``true`` and ``false``): what a safety search can see of a
formula depends on it (``<> false`` is broken by an infinite run, found in
acceptance mode, not by a finite prefix).

The claim has the shape of SPIN's: one ``do`` loop per automaton state, labelled
``T0_init``/``accept_init`` for the initial state and ``T0_S<n>``/``accept_S<n>`` for
the others, whose options are ``guard -> goto state``; an edge into the state that
accepts every word is a violation as soon as its guard holds, written as SPIN writes
it, ``atomic { guard -> assert(!guard) }`` (an assertion violated in the claim).
``!full(q)`` and friends are written ``nfull(q)`` etc., as a never claim may only
combine channel probes with ``&&`` and ``||``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import buchi
from ..model import ltl as tl
from . import ast
from .errors import PromelaError
from .unparse import expr as unparse

_BOOLEAN = ("&&", "||")
_DUAL = {"empty": "nempty", "nempty": "empty", "full": "nfull", "nfull": "full"}


def propositions(formula: ast.Expr,
                 error: Callable[[ast.Pos, str], PromelaError]) -> dict[str, ast.Expr]:
    """The propositions of ``formula`` by their text, in order of first occurrence, each
    as the condition a never claim tests; refuses what SPIN refuses (``X``) and
    temporal formulas under other operators."""
    for node in ast.walk(formula):
        if isinstance(node, ast.Temporal) and node.op == "X":
            raise error(node.pos, "the next-time operator X is not supported in ltl "
                        "formulas (SPIN refuses it too, unless built with -DNXT)")
    _check(formula, error)
    found: dict[str, ast.Expr] = {}
    _collect(formula, True, found)
    return found


def _check(e: ast.Expr, error) -> None:
    """Temporal operators only under temporal and boolean ones (SPIN's parser takes
    ``[] x == 1`` as ``([] x) == 1`` and translates nonsense)."""
    if _structural(e):
        for child in _operands(e):
            _check(child, error)
        return
    for node in ast.walk(e):
        if isinstance(node, ast.Temporal):
            raise error(node.pos, f"the temporal formula {unparse(node)!r} is an "
                        f"operand of {_operator(e)}: SPIN would read {unparse(e)!r} as "
                        "nonsense; put the predicate in parentheses, as in '[] (x == 1)'")


def _structural(e: ast.Expr) -> bool:
    return isinstance(e, ast.Temporal) or (isinstance(e, ast.Unary) and e.op == "!") or \
        (isinstance(e, ast.Binary) and e.op in _BOOLEAN)


def _operands(e: ast.Expr) -> list[ast.Expr]:
    if isinstance(e, ast.Temporal):
        return [e.left] if e.right is None else [e.left, e.right]
    return [e.arg] if isinstance(e, ast.Unary) else [e.left, e.right]


def _temporal(e: ast.Expr) -> bool:
    """Whether ``e`` has a temporal operator (``->`` is boolean: SPIN's parser makes
    ``a -> b`` into ``!a || b`` before its translator sees it)."""
    return any(isinstance(n, ast.Temporal) and n.op != "->" for n in ast.walk(e))


def _is_proposition(e: ast.Expr, top: bool) -> bool:
    """SPIN hands its translator the formula with every operand in parentheses, and the
    translator takes a parenthesised text without temporal operators as one
    proposition: an operand without temporal operators is one, however it is built."""
    return not _structural(e) or (not top and not _temporal(e))


def _collect(e: ast.Expr, top: bool, found: dict[str, ast.Expr]) -> None:
    if _is_proposition(e, top):
        found.setdefault(unparse(e), _condition(e))
        return
    for child in _operands(e):
        _collect(child, False, found)


def _condition(e: ast.Expr) -> ast.Expr:
    """A proposition as a condition: ``a -> b`` as ``!a || b``."""
    if isinstance(e, ast.Temporal):        # "->", the only one left in a proposition
        return ast.Binary(e.pos, "||", _negate(_condition(e.left)), _condition(e.right))
    if isinstance(e, ast.Unary) and e.op == "!":
        return _negate(_condition(e.arg))
    if isinstance(e, ast.Binary) and e.op in _BOOLEAN:
        return ast.Binary(e.pos, e.op, _condition(e.left), _condition(e.right))
    return e


def _negate(e: ast.Expr) -> ast.Expr:
    """``!e`` with the negation pushed through ``&&``/``||`` onto the conditions: a
    never claim may combine channel probes with ``&&`` and ``||`` only, so
    ``!full(q)`` is written ``nfull(q)``."""
    if isinstance(e, ast.Unary) and e.op == "!":
        return e.arg
    if isinstance(e, ast.Binary) and e.op in _BOOLEAN:
        return ast.Binary(e.pos, "||" if e.op == "&&" else "&&", _negate(e.left),
                          _negate(e.right))
    if isinstance(e, ast.ChanTest):
        return ast.ChanTest(e.pos, _DUAL[e.op], e.chan)
    return ast.Unary(e.pos, "!", e)


def _operator(e: ast.Expr) -> str:
    op = getattr(e, "op", None)
    return f"'{op}'" if isinstance(op, str) else f"a {type(e).__name__} expression"


def _formula(e: ast.Expr, top: bool, index: dict[str, int]) -> tl.Formula:
    """``e`` as a formula over the propositions numbered by ``index`` (their text)."""
    if _is_proposition(e, top):
        return tl.prop(index[unparse(e)])
    if isinstance(e, ast.Temporal):
        a = _formula(e.left, False, index)
        if e.right is None:
            return tl.always(a) if e.op == "[]" else tl.eventually(a)
        build = {"U": tl.until, "W": tl.weak_until, "V": tl.release, "->": tl.implies,
                 "<->": tl.equivalent}[e.op]
        return build(a, _formula(e.right, False, index))
    if isinstance(e, ast.Unary):
        return tl.negation(_formula(e.arg, False, index))
    join = tl.conjunction if e.op == "&&" else tl.disjunction
    return join(_formula(e.left, False, index), _formula(e.right, False, index))


def automaton(formula: ast.Expr, props: dict[str, ast.Expr]) -> buchi.Buchi:
    """The Büchi automaton of the runs that break ``formula`` (its negation)."""
    index = {text: k for k, text in enumerate(props)}
    return buchi.translate(tl.negation(_formula(formula, True, index)))


def never_claim(name: str, pos: ast.Pos, formula: ast.Expr,
                props: dict[str, ast.Expr]) -> ast.ProcDef:
    """The never claim of ltl property ``name`` (at ``pos``), as a syntax tree."""
    aut = automaton(formula, props)
    conditions = list(props.values())
    names = [_state_name(q, acc) for q, acc in enumerate(aut.accepting)]
    body: list[ast.Stmt] = []
    for q, out in enumerate(aut.edges):
        options = []
        for guard, target in out:
            test = _guard(guard, conditions, pos)
            if target == buchi.ALL:         # SPIN's way: atomic { c -> assert(!c) }
                options.append([ast.Atomic(pos, [ast.ExprStmt(pos, test),
                                                 ast.Assert(pos, _negate(test))])])
            else:
                options.append([ast.ExprStmt(pos, test), ast.Goto(pos, names[target])])
        if not options:                     # no word from here: the claim blocks
            options.append([ast.ExprStmt(pos, ast.Num(pos, 0))])
        body.append(ast.Labeled(pos, names[q], ast.Do(pos, options)))
    return ast.ProcDef(pos, name, "never", None, [], body)


def _state_name(q: int, accepting: bool) -> str:
    """SPIN's names for the states of a translated claim."""
    head = "accept" if accepting else "T0"
    return f"{head}_init" if q == 0 else f"{head}_S{q}"


def _guard(guard: buchi.Guard, props: list[ast.Expr], pos: ast.Pos) -> ast.Expr:
    disjuncts = []
    for conj in guard:
        lits = [props[i] if positive else _negate(props[i]) for i, positive in conj]
        disjuncts.append(_join("&&", lits) if lits else ast.Num(pos, 1))
    return _join("||", disjuncts)


def _join(op: str, items: list[ast.Expr]) -> ast.Expr:
    out = items[0]
    for item in items[1:]:
        out = ast.Binary(out.pos, op, out, item)
    return out
