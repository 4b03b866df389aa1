"""aioctx's LTL-to-Büchi translation accepts exactly the words the formula allows.

Random formulas (seeded) over two or three propositions are translated by aioctx
(``aioctx.model.buchi``) and by SPIN (``spin -f``), each formula and its negation.
Two automata for the same formula must accept the same infinite words:

* product emptiness: ours for f shares no word with SPIN's for !f, and SPIN's for f
  none with ours for !f (so neither accepts a word the other rejects, as far as the
  other tool is right);
* finite violations: every finite word after which SPIN's automaton accepts anything
  (its claim fails an assertion there, which is all a safety search sees) leads ours
  there too, so a safety search with our claim finds whatever SPIN's finds;
* words: on every ultimately periodic word u v^w up to a small length, and on random
  longer ones, ours for f and SPIN's for f accept exactly when the formula holds, as a
  direct evaluation of the formula on the word says, and ours for !f accepts exactly
  when it does not (which also shows that ours accepts every word it should).

SPIN's translator needs seconds, even minutes, for some formulas with ``<->`` between
temporal formulas, so the SPIN comparison draws ``<->`` between propositions only;
the second test, without SPIN, draws deeper formulas with ``<->`` and ``W`` anywhere
and judges them against the direct evaluation alone.
"""

from __future__ import annotations

import itertools
import random
import shutil

import ltl_oracle as oracle
import pytest

SPIN = shutil.which("spin")
LEAVES = ("true", "false")


def random_formula(rng: random.Random, depth: int, nprops: int, deep_equiv: bool,
                   ops: tuple[str, ...]):
    if depth == 0 or rng.random() < 0.25:
        r = rng.random()
        return (LEAVES[r < 0.05],) if r < 0.1 else ("p", rng.randrange(nprops))
    op = rng.choice(ops)
    if op in ("!", "[]", "<>"):
        return (op, random_formula(rng, depth - 1, nprops, deep_equiv, ops))
    a = random_formula(rng, depth - 1, nprops, deep_equiv, ops)
    b = random_formula(rng, depth - 1, nprops, deep_equiv, ops)
    if op == "<->" and not deep_equiv and not (a[0] in ("p", *LEAVES) and
                                                b[0] in ("p", *LEAVES)):
        op = "&&"
    return (op, a, b)


SPIN_OPS = ("!", "[]", "<>", "&&", "||", "->", "<->", "U", "V", "U", "V", "&&", "||")
ALL_OPS = SPIN_OPS + ("W", "W")


def formulas(seed: int, count: int, depth: int, deep_equiv: bool, ops):
    rng = random.Random(seed)
    return [(random_formula(rng, depth, 3 if k % 3 == 0 else 2, deep_equiv, ops),
             3 if k % 3 == 0 else 2) for k in range(count)]


def words(nprops: int, rng: random.Random) -> list[tuple[list[int], int]]:
    """Every word u v^w with |u| + |v| <= 3 (2 with three propositions), and 40 random
    ones up to length 7."""
    letters = range(1 << nprops)
    out = []
    for n in range(1, 4 if nprops == 2 else 3):
        for word in itertools.product(letters, repeat=n):
            out += [(list(word), loop) for loop in range(n)]
    for _ in range(40):
        n = rng.randint(1, 7)
        out.append(([rng.randrange(1 << nprops) for _ in range(n)], rng.randrange(n)))
    return out


SPIN_CASES = formulas(seed=12, count=300, depth=3, deep_equiv=False, ops=SPIN_OPS)


@pytest.mark.skipif(SPIN is None, reason="spin is not installed")
def test_translation_agrees_with_spin_f():
    rng = random.Random(7)
    sizes = [0, 0]
    for f, nprops in SPIN_CASES:
        text = oracle.spin_text(f)
        ours, ours_neg = oracle.ours(f, nprops), oracle.ours(("!", f), nprops)
        spin, spin_neg = (oracle.spin_automaton(f, nprops),
                          oracle.spin_automaton(("!", f), nprops))
        assert oracle.intersection_empty(ours, spin_neg), f"ours accepts a word of !({text})"
        assert oracle.intersection_empty(spin, ours_neg), f"ours for !({text}) accepts a " \
            "word of the formula"
        for g, mine, theirs in ((f, ours, spin), (("!", f), ours_neg, spin_neg)):
            length = 3 if nprops == 2 else 2
            missed = oracle.bad_prefixes(theirs, nprops, length) - \
                oracle.bad_prefixes(mine, nprops, length)
            assert not missed, f"{oracle.spin_text(g)}: SPIN's claim ends on {missed}"
        for word, loop in words(nprops, rng):
            expected = oracle.holds(f, word, loop)
            assert oracle.accepts(spin, word, loop) == expected, (text, word, loop)
            assert oracle.accepts(ours, word, loop) == expected, (text, word, loop)
            assert oracle.accepts(ours_neg, word, loop) != expected, (text, word, loop)
        sizes[0] += len(ours.accepting)
        sizes[1] += len(spin.accepting)
    # the reductions keep the automata no larger than SPIN's, over the whole sample
    assert sizes[0] <= sizes[1]


DEEP_CASES = formulas(seed=34, count=300, depth=4, deep_equiv=True, ops=ALL_OPS)


def test_translation_matches_the_formula_on_words():
    rng = random.Random(8)
    for f, nprops in DEEP_CASES:
        ours, ours_neg = oracle.ours(f, nprops), oracle.ours(("!", f), nprops)
        assert oracle.intersection_empty(ours, ours_neg), oracle.spin_text(f)
        for word, loop in words(nprops, rng):
            expected = oracle.holds(f, word, loop)
            assert oracle.accepts(ours, word, loop) == expected, (f, word, loop)
            assert oracle.accepts(ours_neg, word, loop) != expected, (f, word, loop)


def test_the_judges_catch_a_wrong_automaton():
    """The checks above fail on an automaton for another formula: ours for ``p U q``
    is not accepted as SPIN's ``p W q`` (``[]p`` is a word only the latter allows)."""
    f, g = ("U", ("p", 0), ("p", 1)), ("||", ("[]", ("p", 0)), ("U", ("p", 0), ("p", 1)))
    strong = oracle.ours(f, 2)
    assert not oracle.intersection_empty(oracle.ours(g, 2), oracle.ours(("!", f), 2))
    assert not oracle.accepts(strong, [1], 0) and oracle.holds(g, [1], 0)
