"""LTL formulas to Büchi automata, the input of a never claim.

The construction is the tableau of Gerth, Peled, Vardi and Wolper in its on-the-fly,
transition-based form (Couvreur): a state is the set of formulas that must hold from
now on; expanding it rewrites each formula into what must hold now (propositions: the
guard of an edge) and what must hold from the next step on (the target state):

    a U b  =  b  ||  (a && next(a U b))       the second branch postpones a U b
    a R b  =  (a && b)  ||  (b && next(a R b))

An edge is accepting for the eventuality ``a U b`` unless it postpones it; a run must
pass edges accepting for every eventuality infinitely often (a generalized Büchi
condition), which the usual counter construction turns into accepting states.

Then the automaton is made small, with reductions that keep its language: expansion
branches that another branch subsumes are dropped (a weaker guard, fewer obligations,
no more postponed eventualities); states that cannot reach an accepting cycle go;
a state is accepting only if it lies on a cycle; edges between the same two states are
merged and their guards simplified; states with the same acceptance and the same edges
(up to merged states) are merged, until nothing changes.  The state whose obligations
are all met (``true``) accepts every word: edges into it are kept apart as
*violations* (target ``ALL``), which a never claim takes as soon as their guard holds,
as SPIN's translator does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ltl import TRUE, Formula

#: the target of an edge into the state that accepts every word
ALL = -1

Literal = tuple[int, bool]                  # (proposition, positive)
Guard = tuple[tuple[Literal, ...], ...]     # a disjunction of conjunctions of literals
TRUE_GUARD: Guard = ((),)


@dataclass
class Buchi:
    """A Büchi automaton over valuations of numbered propositions; state 0 is initial.

    ``edges[q]`` lists ``(guard, target)``; a target of ``ALL`` is the state that
    accepts every word.  A word is accepted if a run reads it (each edge's guard holds
    in the valuation it reads) and passes accepting states infinitely often.
    """

    accepting: list[bool]
    edges: list[list[tuple[Guard, int]]]

    @property
    def size(self) -> int:
        """States, counting the state that accepts everything if an edge goes there."""
        hit = any(t == ALL for out in self.edges for _, t in out)
        return len(self.accepting) + int(hit)


def translate(formula: Formula) -> Buchi:
    """A Büchi automaton accepting exactly the words that satisfy ``formula``."""
    keys, edges = _tableau(formula)
    automaton = _degeneralize(keys, edges)
    return _reduce(automaton)


# ---- tableau: a transition-based generalized Büchi automaton ----------------------

Branch = tuple[tuple[Literal, ...], tuple[Formula, ...], tuple[Formula, ...]]


def _tableau(formula: Formula):
    """States (sorted tuples of obligations; state 0 is ``formula``) and, per state,
    its edges ``(guard literals, target, postponed eventualities)``."""
    start = () if formula == TRUE else (formula,)
    index = {start: 0}
    keys = [start]
    edges = []
    k = 0
    while k < len(keys):
        out = []
        for lits, nxt, pend in _expand(keys[k]):
            if nxt not in index:
                index[nxt] = len(keys)
                keys.append(nxt)
            out.append((lits, index[nxt], pend))
        edges.append(out)
        k += 1
    return keys, edges


def _expand(obligations: tuple[Formula, ...]) -> list[Branch]:
    """The branches of a state: what holds now, what must hold next, what is postponed;
    without branches that another one subsumes."""
    found: list[Branch] = []
    _branch(list(obligations), {}, {}, {}, set(), found)
    unique = list(dict.fromkeys(found))
    keep = []
    for i, b in enumerate(unique):
        if not any(j != i and _subsumes(a, b) for j, a in enumerate(unique)):
            keep.append(b)
    return keep


def _subsumes(a: Branch, b: Branch) -> bool:
    """Whether branch ``a`` makes ``b`` redundant: its guard is weaker and it leaves
    fewer obligations.  An eventuality is postponed exactly when it is left as an
    obligation, so ``a`` then postpones no eventuality that ``b`` does not either."""
    return set(a[0]) <= set(b[0]) and set(a[1]) <= set(b[1])


def _branch(todo: list[Formula], lits: dict[int, bool], nxt: dict, pend: dict,
            seen: set, out: list[Branch]) -> None:
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        op = f[0]
        if op == "true":
            continue
        if op == "false":
            return
        if op == "ap":
            if lits.setdefault(f[1], f[2]) != f[2]:
                return
            continue
        if op == "and":
            todo.extend(f[1:])
            continue
        if op == "or":
            choices = [((g,), (), ()) for g in f[1:]]
        elif op == "U":                 # fulfil it now, or postpone it
            choices = [((f[2],), (), ()), ((f[1],), (f,), (f,))]
        else:                           # "R": released now, or b now and R again next
            choices = [((f[1], f[2]), (), ()), ((f[2],), (f,), ())]
        for now, later, postponed in choices:
            _branch(todo + list(now), dict(lits), {**nxt, **dict.fromkeys(later)},
                    {**pend, **dict.fromkeys(postponed)}, set(seen), out)
        return
    out.append((tuple(sorted(lits.items())), tuple(sorted(nxt)), tuple(sorted(pend))))



# ---- degeneralization: accepting states -------------------------------------------

def _degeneralize(keys: list[tuple], edges: list[list]) -> Buchi:
    """The counter construction: state (q, j) waits for an edge accepting for the j-th
    eventuality; passing all of them leads to level k, the accepting copy."""
    events: dict[Formula, None] = {}
    for out in edges:
        for _, _, pend in out:
            events.update(dict.fromkeys(pend))
    order = list(events)
    k = len(order)
    universal = [key == () for key in keys]
    if universal[0]:
        return Buchi([False], [[(TRUE_GUARD, ALL)]])
    index = {(0, 0): 0}
    states = [(0, 0)]
    accepting: list[bool] = []
    out_edges: list[list[tuple[Guard, int]]] = []
    n = 0
    while n < len(states):
        q, j = states[n]
        accepting.append(j == k)
        level0 = 0 if j == k else j
        out = []
        for lits, t, pend in edges[q]:
            if universal[t]:
                out.append(((lits,), ALL))
                continue
            level = level0
            while level < k and order[level] not in pend:
                level += 1
            if (t, level) not in index:
                index[(t, level)] = len(states)
                states.append((t, level))
            out.append(((lits,), index[(t, level)]))
        out_edges.append(out)
        n += 1
    return Buchi(accepting, out_edges)


# ---- reductions -------------------------------------------------------------------

def _reduce(b: Buchi) -> Buchi:
    """Apply the reductions until the automaton stops shrinking."""
    measure = None
    while measure != _measure(b):
        measure = _measure(b)
        b = _quotient(_prune(_merge_edges(b)))
    return b


def _measure(b: Buchi) -> tuple[int, int, int, int]:
    edges = [g for out in b.edges for g, _ in out]
    return (len(b.accepting), len(edges), sum(len(c) for g in edges for c in g),
            sum(b.accepting))


def _merge_edges(b: Buchi) -> Buchi:
    """One edge per target, with a simplified guard; what a violation edge of the same
    state already covers is dropped from the others."""
    edges = []
    for out in b.edges:
        by_target: dict[int, list] = {}
        for guard, t in out:
            by_target.setdefault(t, []).extend(guard)
        violation = _simplify(by_target.pop(ALL, []))
        merged = []
        for t, conjs in by_target.items():
            rest = [c for c in conjs if not any(set(v) <= set(c) for v in violation)]
            if rest:
                merged.append((_simplify(rest), t))
        if violation:
            merged.append((violation, ALL))
        edges.append(merged)
    return Buchi(list(b.accepting), edges)


def _simplify(conjs: list) -> Guard:
    """A disjunction of conjunctions without repeats, without conjunctions another one
    implies, and with ``c && p || c && !p`` folded to ``c``."""
    cs = {frozenset(c) for c in conjs}
    changed = True
    while changed:
        changed = False
        cs = {c for c in cs if not any(d < c for d in cs)}
        for c in sorted(cs, key=sorted):
            for (i, pos) in sorted(c):
                other = (c - {(i, pos)}) | {(i, not pos)}
                if other in cs:
                    cs -= {c, other}
                    cs.add(c - {(i, pos)})
                    changed = True
                    break
            if changed:
                break
    return tuple(sorted(tuple(sorted(c)) for c in cs))


def _prune(b: Buchi) -> Buchi:
    """Accepting only on a cycle; only states that are reachable and can reach an
    accepting cycle (or a violation); states renumbered breadth-first."""
    n = len(b.accepting)
    succ = [[t for _, t in out if t != ALL] for out in b.edges]
    comp = _components(succ)
    cyclic = [False] * n
    members: dict[int, list[int]] = {}
    for q in range(n):
        members.setdefault(comp[q], []).append(q)
    for group in members.values():
        if len(group) > 1 or group[0] in succ[group[0]]:
            for q in group:
                cyclic[q] = True
    accepting = [a and c for a, c in zip(b.accepting, cyclic, strict=True)]
    good = [False] * n
    for group in members.values():
        if any(accepting[q] for q in group):
            for q in group:
                good[q] = True
    for q in range(n):
        if any(t == ALL for _, t in b.edges[q]):
            good[q] = True
    pred: list[list[int]] = [[] for _ in range(n)]
    for q in range(n):
        for t in succ[q]:
            pred[t].append(q)
    stack = [q for q in range(n) if good[q]]
    while stack:
        q = stack.pop()
        for p in pred[q]:
            if not good[p]:
                good[p] = True
                stack.append(p)
    if not good[0]:
        return Buchi([False], [[]])
    order = [0]
    number = {0: 0}
    for q in order:
        for _, t in b.edges[q]:
            if t != ALL and good[t] and t not in number:
                number[t] = len(order)
                order.append(t)
    edges = [[(g, t if t == ALL else number[t]) for g, t in b.edges[q]
              if t == ALL or good[t]] for q in order]
    return Buchi([accepting[q] for q in order], edges)


def _components(succ: list[list[int]]) -> list[int]:
    """Strongly connected components (Tarjan's algorithm, iterative): a number per state."""
    n = len(succ)
    low = [0] * n
    number = [-1] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = 0
    ncomp = 0
    for root in range(n):
        if number[root] >= 0:
            continue
        work = [(root, 0)]
        number[root] = low[root] = counter
        counter += 1
        stack.append(root)
        while work:
            q, i = work[-1]
            if i < len(succ[q]):
                work[-1] = (q, i + 1)
                t = succ[q][i]
                if number[t] < 0:
                    number[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    work.append((t, 0))
                elif comp[t] < 0:
                    low[q] = min(low[q], number[t])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[q])
            if low[q] == number[q]:
                while True:
                    t = stack.pop()
                    comp[t] = ncomp
                    if t == q:
                        break
                ncomp += 1
    return comp


def _quotient(b: Buchi) -> Buchi:
    """Merge states with the same acceptance and the same guards into the same classes
    of states (the coarsest such partition, by refinement)."""
    n = len(b.accepting)
    block = [int(a) for a in b.accepting]
    count = len(set(block))
    while True:
        signatures: dict[tuple, int] = {}
        new = []
        for q in range(n):
            new.append(signatures.setdefault(_signature(b, q, block), len(signatures)))
        block = new
        if len(signatures) == count:
            break
        count = len(signatures)
    if count == n:
        return b
    first: dict[int, int] = {}
    for q in range(n):
        first.setdefault(block[q], q)
    edges = []
    for c in range(count):
        q = first[c]
        edges.append([(g, t) for t, g in _signature(b, q, block)[1]])
    return Buchi([b.accepting[first[c]] for c in range(count)], edges)


def _signature(b: Buchi, q: int, block: list[int]) -> tuple:
    per: dict[int, list] = {}
    for g, t in b.edges[q]:
        per.setdefault(ALL if t == ALL else block[t], []).extend(g)
    return b.accepting[q], tuple(sorted((t, _simplify(g)) for t, g in per.items()))
