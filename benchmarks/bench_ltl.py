"""aioctx's LTL-to-Büchi translation against SPIN's (``spin -f``): automaton sizes and
translation time.

    python benchmarks/bench_ltl.py                 # patterns + 300 random formulas
    python benchmarks/bench_ltl.py --random 100 --json out.json

Two sets of formulas, each translated together with its negation (what a never claim
needs):

* the property specification patterns (absence, existence, universality, precedence,
  response, in the global, before, after and between scopes) over p, q, r, s;
* random formulas (seeded) over two or three propositions, nesting depth 3, drawn as
  the translation test draws them: ``<->`` only between propositions, as SPIN's
  translator needs minutes for some formulas with ``<->`` between temporal ones.

For each formula: the states of both automata (counting the state that accepts
everything, SPIN's ``accept_all``, where an edge goes there) and their edges (the
options of the never claim), the time ``aioctx.model.buchi.translate`` takes (in
process, best of 5) and the wall time of ``spin -f`` (a process: start-up included).
The languages are not compared here; tests/model/test_ltl_translation.py does that.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time

from aioctx.model import buchi, ltl

NAMES = "pqrs"

#: the specification patterns over the names p q r s, in spin -f's syntax (which has
#: no W: a W b is written [](a) || (a U b), as SPIN's ltl blocks rewrite it)
PATTERNS = {
    "absence, global": "[] !p",
    "absence, before r": "<> r -> (!p U r)",
    "absence, after q": "[] (q -> [] !p)",
    "absence, between q and r": "[] ((q && !r && <> r) -> (!p U r))",
    "existence, global": "<> p",
    "existence, before r": "[] !r || (!r U (p && !r))",
    "existence, after q": "[] !q || <> (q && <> p)",
    "universality, global": "[] p",
    "universality, before r": "<> r -> (p U r)",
    "universality, after q": "[] (q -> [] p)",
    "universality, between q and r": "[] ((q && !r && <> r) -> (p U r))",
    "precedence, global": "[] !p || (!p U s)",
    "precedence, before r": "<> r -> (!p U (s || r))",
    "response, global": "[] (p -> <> s)",
    "response, before r": "<> r -> (p -> (!r U (s && !r))) U r",
    "response, after q": "[] (q -> [] (p -> <> s))",
    "recurrence": "[] <> p",
    "persistence": "<> [] p",
    "recurrence of two": "[] <> p && [] <> q",
    "fairness implies response": "[] <> q -> [] (p -> <> s)",
}

UNARY = {"!": ltl.negation, "[]": ltl.always, "<>": ltl.eventually}
BINARY = {"->": ltl.implies, "||": ltl.disjunction, "&&": ltl.conjunction,
          "U": ltl.until, "V": ltl.release, "<->": ltl.equivalent}


def parse(text: str) -> ltl.Formula:
    """Our formula for a pattern; ``->`` binds loosest, then ``||``, ``&&``, ``U``, and
    ``!``, ``[]``, ``<>`` tightest."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").replace("!", " ! ").split()
    pos = 0
    levels = [("->",), ("||",), ("&&",), ("U",)]

    def binary(level: int) -> ltl.Formula:
        nonlocal pos
        left = binary(level + 1) if level < 3 else unary()
        while pos < len(tokens) and tokens[pos] in levels[level]:
            op = tokens[pos]
            pos += 1
            left = BINARY[op](left, binary(level + 1) if level < 3 else unary())
        return left

    def unary() -> ltl.Formula:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok in UNARY:
            return UNARY[tok](unary())
        if tok == "(":
            inner = binary(0)
            pos += 1
            return inner
        return ltl.prop(NAMES.index(tok))

    formula = binary(0)
    assert pos == len(tokens), text
    return formula


def random_formula(rng: random.Random, budget: int, nprops: int) -> tuple[str, ltl.Formula]:
    """(spin -f text, our formula) of at most ``budget`` operators."""
    if budget == 0 or rng.random() < 0.2:
        k = rng.randrange(nprops)
        return NAMES[k], ltl.prop(k)
    op = rng.choice(["!", "[]", "<>", "&&", "||", "->", "U", "V", "U", "V", "<->"])
    if op in UNARY:
        text, f = random_formula(rng, budget - 1, nprops)
        return f"{op}({text})", UNARY[op](f)
    half = (budget - 1) // 2 if op != "<->" else 0
    (ta, fa), (tb, fb) = (random_formula(rng, half, nprops) for _ in range(2))
    return f"({ta}) {op} ({tb})", BINARY[op](fa, fb)


def measure(text: str, formula: ltl.Formula) -> dict:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        aut = buchi.translate(formula)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    run = subprocess.run(["spin", "-f", text], capture_output=True, text=True, timeout=600)
    spin_seconds = time.perf_counter() - start
    lines = [ln.strip() for ln in run.stdout.splitlines()]
    options = [ln for ln in lines if ln.startswith("::") and ln != ":: false"]
    spin_states = sum(ln == "do" for ln in lines) + any("assert(" in ln for ln in options)
    return {"formula": text, "ours_states": aut.size,
            "ours_edges": sum(len(out) for out in aut.edges),
            "ours_seconds": min(times), "spin_states": spin_states,
            "spin_edges": len(options), "spin_seconds": spin_seconds}


def summary(name: str, rows: list[dict]) -> str:
    def total(key):
        return sum(r[key] for r in rows)
    smaller = sum(r["ours_states"] < r["spin_states"] for r in rows)
    larger = [r for r in rows if r["ours_states"] > r["spin_states"]]
    text = (f"{name}: {len(rows)} automata; states ours/SPIN "
            f"{total('ours_states')}/{total('spin_states')} = "
            f"{total('ours_states') / total('spin_states'):.2f}, edges "
            f"{total('ours_edges')}/{total('spin_edges')} = "
            f"{total('ours_edges') / total('spin_edges'):.2f}; fewer states in "
            f"{smaller}, more in {len(larger)}; translation median "
            f"{statistics.median(r['ours_seconds'] for r in rows) * 1000:.2f} ms "
            f"(max {max(r['ours_seconds'] for r in rows) * 1000:.1f} ms), spin -f median "
            f"{statistics.median(r['spin_seconds'] for r in rows) * 1000:.1f} ms")
    for r in larger:
        text += (f"\n    SPIN smaller: {r['formula']}: {r['ours_states']} vs "
                 f"{r['spin_states']} states")
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--random", type=int, default=300, help="random formulas (300)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", help="write every measurement to this file")
    args = ap.parse_args()
    if shutil.which("spin") is None:
        print("spin is not installed", file=sys.stderr)
        return 2
    patterns = [(text, parse(text)) for text in PATTERNS.values()]
    rng = random.Random(args.seed)
    randoms = [random_formula(rng, 6, 3 if k % 3 == 0 else 2) for k in range(args.random)]
    results = {}
    for name, formulas in (("patterns", patterns), ("random", randoms)):
        rows = []
        for text, f in formulas:
            rows += [measure(text, f), measure(f"!({text})", ltl.negation(f))]
        results[name] = rows
        print(summary(name, rows), flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
