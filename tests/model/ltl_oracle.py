"""Independent judges of LTL-to-Büchi translations, for the translation tests.

* ``spin_automaton`` runs ``spin -f`` and reads the never claim it prints;
* ``ours`` converts ``aioctx.model.buchi.translate``'s automaton to the same form;
* ``holds`` evaluates a formula directly on an ultimately periodic word ``u v^w``;
* ``accepts`` decides whether an automaton accepts such a word;
* ``intersection_empty`` decides whether two automata share no word;
* ``bad_prefixes`` lists the finite words after which an automaton accepts anything.

Formulas are the tests' own syntax trees (``("p", 0)``, ``("!", f)``, ``("U", f, g)``,
...), printed for SPIN by ``spin_text`` and built for aioctx by ``ours``.  Automata here
are ``Automaton`` values whose edges carry the set of letters they read, as a bit mask
over the 2**n valuations of n propositions.  None of this code is shared with the
translator it judges.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from aioctx.model import buchi, ltl

NAMES = ("p", "q", "r")


@dataclass
class Automaton:
    accepting: list[bool]
    edges: list[list[tuple[int, int]]]      # per state: (letter mask, target)
    initial: int = 0


# ---- formulas ---------------------------------------------------------------------

def spin_text(f) -> str:
    """``f`` in ``spin -f`` syntax, fully parenthesised."""
    op = f[0]
    if op == "p":
        return NAMES[f[1]]
    if op in ("true", "false"):
        return op
    if op in ("!", "[]", "<>"):
        return f"{op}({spin_text(f[1])})"
    return f"({spin_text(f[1])}) {op} ({spin_text(f[2])})"


def to_ltl(f):
    """``f`` built with aioctx.model.ltl's constructors."""
    op = f[0]
    if op == "p":
        return ltl.prop(f[1])
    if op == "true":
        return ltl.TRUE
    if op == "false":
        return ltl.FALSE
    if op == "!":
        return ltl.negation(to_ltl(f[1]))
    if op == "[]":
        return ltl.always(to_ltl(f[1]))
    if op == "<>":
        return ltl.eventually(to_ltl(f[1]))
    binary = {"&&": ltl.conjunction, "||": ltl.disjunction, "->": ltl.implies,
              "<->": ltl.equivalent, "U": ltl.until, "V": ltl.release, "W": ltl.weak_until}
    return binary[op](to_ltl(f[1]), to_ltl(f[2]))


def holds(f, word: list[int], loop: int) -> bool:
    """Whether ``f`` holds at position 0 of the infinite word ``word[:loop]`` followed by
    ``word[loop:]`` repeated forever (letters are valuations as bit sets)."""
    return _values(f, word, loop)[0]


def _values(f, word, loop) -> list[bool]:
    n = len(word)
    nxt = [i + 1 for i in range(n - 1)] + [loop]
    op = f[0]
    if op == "p":
        return [bool(w >> f[1] & 1) for w in word]
    if op in ("true", "false"):
        return [op == "true"] * n
    if op == "!":
        return [not v for v in _values(f[1], word, loop)]
    if op in ("[]", "<>"):
        f = ("V", ("false",), f[1]) if op == "[]" else ("U", ("true",), f[1])
        op = f[0]
    a, b = _values(f[1], word, loop), _values(f[2], word, loop)
    if op == "&&":
        return [x and y for x, y in zip(a, b, strict=True)]
    if op == "||":
        return [x or y for x, y in zip(a, b, strict=True)]
    if op == "->":
        return [not x or y for x, y in zip(a, b, strict=True)]
    if op == "<->":
        return [x == y for x, y in zip(a, b, strict=True)]
    # U is a least fixpoint, V (release) and W greatest ones: iterate from the bottom
    # (all false) or the top (all true); n rounds reach the fixpoint
    least = op == "U"
    v = [not least] * n
    for _ in range(n + 1):
        if op == "U":
            v = [b[i] or (a[i] and v[nxt[i]]) for i in range(n)]
        elif op == "V":
            v = [b[i] and (a[i] or v[nxt[i]]) for i in range(n)]
        else:       # W
            v = [b[i] or (a[i] and v[nxt[i]]) for i in range(n)]
    return v


# ---- automata ---------------------------------------------------------------------

def _mask(conjunctions, nprops: int) -> int:
    """The letters (valuations) satisfying a disjunction of conjunctions of literals."""
    mask = 0
    for letter in range(1 << nprops):
        if any(all(bool(letter >> i & 1) == pos for i, pos in c) for c in conjunctions):
            mask |= 1 << letter
    return mask


def ours(f, nprops: int) -> Automaton:
    """aioctx's automaton for ``f``, with its universal state made explicit."""
    b = buchi.translate(to_ltl(f))
    n = len(b.accepting)
    every = (1 << (1 << nprops)) - 1
    edges = [[(_mask(g, nprops), n if t == buchi.ALL else t) for g, t in out]
             for out in b.edges]
    return Automaton(list(b.accepting) + [True], edges + [[(every, n)]])


_OPTION_GOTO = re.compile(r"^:: (.*) -> goto (\w+)$")
_OPTION_ASSERT = re.compile(r"^:: atomic \{ (.*) -> assert\(.*\) \}$")


def spin_automaton(f, nprops: int) -> Automaton:
    """The never claim ``spin -f`` prints for ``f``, as an automaton."""
    run = subprocess.run(["spin", "-f", spin_text(f)], capture_output=True, text=True,
                         timeout=float(__import__("os").environ.get("SPIN_F_TIMEOUT", "60")))
    if run.returncode != 0:
        raise RuntimeError(f"spin -f {spin_text(f)!r} failed:\n{run.stdout}{run.stderr}")
    return parse_never(run.stdout, nprops)


def parse_never(text: str, nprops: int) -> Automaton:
    """Read the never claims SPIN's translator writes (labels, ``do``/``od`` of
    ``(guard) -> goto label`` options, ``atomic { (guard) -> assert(...) }`` for an
    edge into the state that accepts everything, ``false``, and ``accept_all: skip``)."""
    lines = [ln.strip() for ln in text.strip().splitlines()]
    assert lines[0].startswith("never") and lines[-1] == "}", text
    state_of: dict[str, int] = {}
    accepting: list[bool] = []
    options: list[list[tuple[str, str]]] = []
    labels: list[str] = []
    every = (1 << (1 << nprops)) - 1
    for line in lines[1:-1]:
        if line.endswith(":"):
            labels.append(line[:-1])
            continue
        if labels:
            for name in labels:
                state_of[name] = len(accepting)
            accepting.append(any(name.startswith("accept") for name in labels))
            options.append([])
            labels = []
        if line in ("do", "od;", "skip", ":: false"):
            if line == "skip":          # accept_all: the claim ends, every word accepted
                options[-1].append(("1", "<self>"))
            continue
        if line == "0 /* false */;":
            return Automaton([False], [[]])
        m = _OPTION_GOTO.match(line)
        if m:
            options[-1].append((m.group(1), m.group(2)))
            continue
        m = _OPTION_ASSERT.match(line)
        assert m, f"unexpected line in spin -f output: {line!r}\n{text}"
        options[-1].append((m.group(1), "<all>"))
    all_state = len(accepting)
    edges = []
    for k, opts in enumerate(options):
        out = []
        for cond, target in opts:
            t = {"<all>": all_state, "<self>": k}.get(target)
            out.append((_guard_mask(cond, nprops), state_of[target] if t is None else t))
        edges.append(out)
    return Automaton(accepting + [True], edges + [[(every, all_state)]])


_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||\w+)")


def _guard_mask(text: str, nprops: int) -> int:
    """The letters satisfying a guard of SPIN's output (names, 1, 0, !, &&, ||, ())."""
    tokens = _TOKEN.findall(text)
    assert "".join(tokens) == text.replace(" ", ""), text
    pos = 0
    every = (1 << (1 << nprops)) - 1

    def atom() -> int:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = disj()
            assert tokens[pos] == ")", text
            pos += 1
            return value
        if tok == "!":
            return every & ~atom()
        if tok in ("1", "true"):
            return every
        if tok in ("0", "false"):
            return 0
        i = NAMES.index(tok)
        return _mask([[(i, True)]], nprops)

    def conj() -> int:
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] == "&&":
            pos += 1
            value &= atom()
        return value

    def disj() -> int:
        nonlocal pos
        value = conj()
        while pos < len(tokens) and tokens[pos] == "||":
            pos += 1
            value |= conj()
        return value

    value = disj()
    assert pos == len(tokens), text
    return value


def accepts(a: Automaton, word: list[int], loop: int) -> bool:
    """Whether ``a`` accepts ``word[:loop] word[loop:]^w``."""
    n = len(word)
    nxt = [i + 1 for i in range(n - 1)] + [loop]

    def succ(node):
        q, i = node
        return [(t, nxt[i]) for mask, t in a.edges[q] if mask >> word[i] & 1]
    return _has_accepting_cycle((a.initial, 0), succ, lambda node: a.accepting[node[0]])


def bad_prefixes(a: Automaton, nprops: int, length: int) -> set[tuple[int, ...]]:
    """The words up to ``length`` letters after which ``a`` can be in its state that
    accepts everything (the last one): what a never claim reports as a violation
    without waiting for a cycle, so what a safety search sees of the property."""
    every = a.accepting.index(True, len(a.accepting) - 1)
    out = set()
    frontier = {(): {a.initial}}
    for _ in range(length):
        step = {}
        for word, states in frontier.items():
            for letter in range(1 << nprops):
                nxt = {t for q in states for mask, t in a.edges[q] if mask >> letter & 1}
                if nxt:
                    step[word + (letter,)] = nxt
                    if every in nxt:
                        out.add(word + (letter,))
        frontier = step
    return out


def intersection_empty(a: Automaton, b: Automaton) -> bool:
    """Whether no word is accepted by both ``a`` and ``b``."""
    def succ(node):
        qa, qb = node
        return [(ta, tb) for ma, ta in a.edges[qa] for mb, tb in b.edges[qb] if ma & mb]
    # a cycle through an a-accepting and a b-accepting state lies in one component
    return not _has_accepting_cycle((a.initial, b.initial), succ,
                                    lambda node: a.accepting[node[0]],
                                    lambda node: b.accepting[node[1]])


def _has_accepting_cycle(start, succ, *conditions) -> bool:
    """Whether a non-trivial strongly connected component reachable from ``start``
    contains, for each condition, a node satisfying it."""
    graph: dict = {}
    stack = [start]
    while stack:
        node = stack.pop()
        if node in graph:
            continue
        graph[node] = succ(node)
        stack.extend(graph[node])
    nodes = list(graph)
    index = {node: k for k, node in enumerate(nodes)}
    succ_ids = [[index[t] for t in graph[node]] for node in nodes]
    comp = buchi_components(succ_ids)
    groups: dict[int, list[int]] = {}
    for k, c in enumerate(comp):
        groups.setdefault(c, []).append(k)
    for members in groups.values():
        if len(members) == 1 and members[0] not in succ_ids[members[0]]:
            continue
        if all(any(cond(nodes[k]) for k in members) for cond in conditions):
            return True
    return False


def buchi_components(succ: list[list[int]]) -> list[int]:
    """Strongly connected components by Kosaraju's algorithm (independent of the
    translator's own Tarjan)."""
    n = len(succ)
    seen = [False] * n
    order: list[int] = []
    for root in range(n):
        if seen[root]:
            continue
        seen[root] = True
        work = [(root, iter(succ[root]))]
        while work:
            node, it = work[-1]
            for t in it:
                if not seen[t]:
                    seen[t] = True
                    work.append((t, iter(succ[t])))
                    break
            else:
                work.pop()
                order.append(node)
    pred: list[list[int]] = [[] for _ in range(n)]
    for q in range(n):
        for t in succ[q]:
            pred[t].append(q)
    comp = [-1] * n
    count = 0
    for root in reversed(order):
        if comp[root] >= 0:
            continue
        comp[root] = count
        stack = [root]
        while stack:
            q = stack.pop()
            for p in pred[q]:
                if comp[p] < 0:
                    comp[p] = count
                    stack.append(p)
        count += 1
    return comp
