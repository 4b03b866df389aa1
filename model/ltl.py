"""Linear temporal logic over numbered propositions, in negation normal form.

A formula is a nested tuple, so it hashes, compares and sorts without help:

    ("true",)  ("false",)  ("ap", i, positive)
    ("and", f, g, ...)  ("or", f, g, ...)      n-ary, flattened, sorted, no repeats
    ("U", a, b)   a until b (strong: b must come)
    ("R", a, b)   a releases b: b holds up to and including the first a, or forever

``always(a)`` is ``false R a`` and ``eventually(a)`` is ``true U a``.  The constructors
return formulas in negation normal form (``negation`` pushes ``!`` down to the
propositions) and apply the rewrites that keep the automaton of ``buchi.translate``
small: constants fold, ``<><>a`` is ``<>a``, ``[][]a`` is ``[]a``, ``<>[]<>a`` is
``[]<>a``, ``a U (a U b)`` is ``a U b``, ``<>(a U b)`` is ``<>b``, ``[](a V b)`` is
``[]b``, ``[]a && []b`` is ``[](a && b)``, ``<>a || <>b`` is ``<>(a || b)``,
``(a V b) && b`` is ``a V b``, ``(a U b) || b`` is ``a U b``, and complementary
propositions in a conjunction or disjunction fold to false or true.  Every rewrite is
an LTL equivalence, so the language of the formula never changes.  There is no
next-time operator: SPIN refuses ``X`` unless it is built to allow it, and so does
aioctx.
"""

from __future__ import annotations

Formula = tuple

TRUE: Formula = ("true",)
FALSE: Formula = ("false",)


def prop(index: int, positive: bool = True) -> Formula:
    """Proposition number ``index`` (or its negation)."""
    return ("ap", index, positive)


def negation(f: Formula) -> Formula:
    """``!f`` in negation normal form."""
    op = f[0]
    if op == "true":
        return FALSE
    if op == "false":
        return TRUE
    if op == "ap":
        return ("ap", f[1], not f[2])
    if op == "and":
        return disjunction(*(negation(g) for g in f[1:]))
    if op == "or":
        return conjunction(*(negation(g) for g in f[1:]))
    if op == "U":
        return release(negation(f[1]), negation(f[2]))
    return until(negation(f[1]), negation(f[2]))


def _is_always(f: Formula) -> bool:
    return f[0] == "R" and f[1] == FALSE


def _is_eventually(f: Formula) -> bool:
    return f[0] == "U" and f[1] == TRUE


def _junction(op: str, unit: Formula, zero: Formula, parts) -> Formula:
    """``and`` (unit true, zero false) or ``or`` (unit false, zero true) of ``parts``."""
    items: dict[Formula, None] = {}
    for f in parts:
        if f[0] == op:
            items.update(dict.fromkeys(f[1:]))
        elif f == zero:
            return zero
        elif f != unit:
            items[f] = None
    for f in items:
        if f[0] == "ap" and ("ap", f[1], not f[2]) in items:
            return zero
    # a R b implies b, and b implies a U b: b adds nothing next to them
    implied = "R" if op == "and" else "U"
    for f in [f for f in items if f[0] == implied]:
        items.pop(f[2], None)
    # [](a) && [](b) is [](a && b); <>(a) || <>(b) is <>(a || b)
    merge = _is_always if op == "and" else _is_eventually
    merged = [f for f in items if merge(f)]
    if len(merged) > 1:
        for f in merged:
            del items[f]
        inner = _junction(op, unit, zero, [f[2] for f in merged])
        items[always(inner) if op == "and" else eventually(inner)] = None
    if not items:
        return unit
    if len(items) == 1:
        return next(iter(items))
    return (op, *sorted(items))


def conjunction(*parts: Formula) -> Formula:
    return _junction("and", TRUE, FALSE, parts)


def disjunction(*parts: Formula) -> Formula:
    return _junction("or", FALSE, TRUE, parts)


def until(a: Formula, b: Formula) -> Formula:
    """``a U b``."""
    if b in (TRUE, FALSE) or a == FALSE or a == b:
        return b
    if b[0] == "U" and b[1] in (a, TRUE):
        return b                        # a U (a U c) and a U <>c: <>c needs no a before
    if a == TRUE and _is_always(b) and _is_eventually(b[2]):
        return b                        # <>[]<>c is []<>c
    if a == TRUE and b[0] == "U":
        return eventually(b[2])         # <>(c U d) is <>d
    return ("U", a, b)


def release(a: Formula, b: Formula) -> Formula:
    """``a R b`` (SPIN's ``a V b``)."""
    if b in (TRUE, FALSE) or a == TRUE or a == b:
        return b
    if b[0] == "R" and b[1] in (a, FALSE):
        return b                        # a R (a R c) and a R []c: []c holds regardless
    if a == FALSE and _is_eventually(b) and _is_always(b[2]):
        return b                        # []<>[]c is <>[]c
    if a == FALSE and b[0] == "R":
        return always(b[2])             # [](c R d) is []d
    return ("R", a, b)


def always(a: Formula) -> Formula:
    """``[] a``."""
    return release(FALSE, a)


def eventually(a: Formula) -> Formula:
    """``<> a``."""
    return until(TRUE, a)


def implies(a: Formula, b: Formula) -> Formula:
    return disjunction(negation(a), b)


def equivalent(a: Formula, b: Formula) -> Formula:
    return disjunction(conjunction(a, b), conjunction(negation(a), negation(b)))


def weak_until(a: Formula, b: Formula) -> Formula:
    """``a W b``: ``a`` until ``b``, or ``a`` forever (SPIN: ``[]a || (a U b)``); it is
    ``b R (a || b)``, which needs no acceptance condition."""
    return release(b, disjunction(a, b))
