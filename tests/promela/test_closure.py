"""Never claims that count steps, searched with the reductions through their stutter
closure (promela/closure.py), and stutter.py's test that admits the closure.

QEMU's tcg-exclusive claim (``do :: !LIVE -> accept: skip :: 1 -> assert(SAFE) od``)
judges SAFE on every other state only, so the reductions, which change how many
states the claim reads, could hide a violation from it.  Its closure judges every
state and passes stutter.py's test: the reduced search runs with the closure, and an
error it finds is confirmed with the claim itself and no reductions.  Each test shows
the rule catching what it must and letting through what it may; a random test
compares, on random claims and models, every verdict with the reductions on against
the search without them.
"""

from __future__ import annotations

import random

import pytest
import spin_oracle
from aioctx.promela import reduce
from aioctx.promela.closure import stutter_closure
from aioctx.promela.flow import build_flow
from aioctx.promela.stutter import stutter_blind
from aioctx.promela.unparse import stmt as stmt_text

from aioctx import promela

SKIP = spin_oracle.available()

#: bad is set on the fourth state; two local steps before it, merged into one by the
#: reductions, would move it onto a state the claim's assert does not judge
HIDDEN = """bool bad;
active proctype P() { byte a; a = 1; a = 2; bad = 1; bad = 0 }
never { do :: 1 -> skip :: 1 -> assert(!bad) od }
"""

#: the tcg-exclusive shape on a model that keeps SAFE: a worker's local steps
#: and a done counter
KEEPS = """byte done; bool bad;
active [2] proctype W() { byte a; a = 1; a = 2; a = 3; done++ }
#define LIVE (done == 2)
never { do :: !LIVE -> accept_busy: skip :: 1 -> assert(!bad) od }
"""


def write(tmp_path, text: str, name: str = "m.pml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def claim_flow(path: str):
    model = promela.load(path)
    return model, build_flow(model, model.claim)


def test_the_tcg_claim_fails_the_test_and_its_closure_passes(tmp_path):
    model, flow = claim_flow(write(tmp_path, KEEPS))
    assert not stutter_blind(flow, model.claim.body)
    closed = stutter_closure(flow)
    assert closed is not None and stutter_blind(closed, model.claim.body)
    # every location the closure can be in judges the assert on its current state
    reached, todo = {closed.entry}, [closed.entry]
    while todo:
        for t in closed.locations[todo.pop()].transitions:
            if t.dest not in reached:
                reached.add(t.dest)
                todo.append(t.dest)
    live = [closed.locations[pc] for pc in sorted(reached - {closed.terminal})]
    assert live and all(any(t.dest == closed.terminal for t in loc.transitions)
                        for loc in live)


def test_a_claim_that_still_counts_after_the_closure_gets_no_reduction(tmp_path):
    # "skip; skip; g == 0" must read g on its third state: no shortcut makes that go
    path = write(tmp_path, "byte g;\nactive proctype P() { byte a; a = 1; a = 2; g = 1 }\n"
                           "never { skip; skip; g == 0 }\n")
    model, flow = claim_flow(path)
    closed = stutter_closure(flow)
    assert closed is not None and not stutter_blind(closed, model.claim.body)
    result, system = promela.check(path, "safety")
    assert result.kind == "claim" and system.c.reduction.claim_closure is None
    assert "may count steps" in system.c.reduction.summary()


def test_merging_under_the_claim_itself_would_hide_the_violation(monkeypatch, tmp_path):
    path = write(tmp_path, HIDDEN)
    exact, _ = promela.check(path, "safety", merge=False, reduce=False)
    assert exact.kind == "assertion"
    result, system = promela.check(path, "safety")
    assert result.kind == "assertion" and "stutter closure" in result.note
    # what the reductions would do with the claim as it is: miss the bad state
    monkeypatch.setattr(reduce, "stutter_blind", lambda flow, body: True)
    hidden, system = promela.check(path, "safety")
    assert system.c.reduction.chains and hidden.verdict == "ok"


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_spin_with_its_merging_misses_it_and_without_finds_it(tmp_path):
    path = write(tmp_path, HIDDEN)
    assert spin_oracle.spin_verdict(path, "safety").violated         # -o3 -DNOREDUCE
    assert not spin_oracle.spin_verdict(path, "safety", optimised=True).violated


def test_the_reductions_run_where_the_closure_finds_no_error(tmp_path):
    path = write(tmp_path, KEEPS)
    result, system = promela.check(path, "acceptance")
    assert result.verdict == "ok" and not result.note
    red = system.c.reduction
    assert red.claim_closure is not None and red.chains and red.reduces
    assert "stutter closure" in red.summary()
    exact, _ = promela.check(path, "acceptance", merge=False, reduce=False)
    assert exact.verdict == "ok" and result.states < exact.states


def test_only_check_confirms_so_only_check_asks_for_the_closure(tmp_path):
    model = promela.load(write(tmp_path, KEEPS))
    plain = promela.build(model, "acceptance")
    assert plain.c.reduction.claim_closure is None and not plain.c.reduction.chains
    closed = promela.build(model, "acceptance", closure=True)
    assert closed.c.reduction.claim_closure is not None and closed.c.reduction.chains


def test_non_progress_mode_checks_no_claim_so_nothing_is_confirmed(tmp_path):
    path = write(tmp_path, HIDDEN.replace("bad = 1; bad = 0 }",
                                          "bad = 1; bad = 0; do :: a = 1; a = 2 od }"))
    result, system = promela.check(path, "non-progress")
    assert result.violated and not result.note
    assert system.c.reduction.claim_closure is None


def test_an_error_of_the_closure_alone_is_not_reported(tmp_path):
    # bad holds on one state only, one the claim itself does not judge: the closure
    # sees it, the confirming search with the claim does not
    path = write(tmp_path, HIDDEN.replace("a = 1; a = 2; ", "a = 1; "))
    result, system = promela.check(path, "safety")
    assert result.verdict == "ok" and "stutter closure" in result.note
    assert system.c.reduction.claim_closure is None and not system.c.reduction.chains


#: p holds on two states in a row (p = 1 and the local step after it), which the
#: claims below need: merged into one step, p holds on one state only
TWICE = """bool p;
active proctype P() { byte a; do :: p = 1; a = 1 - a; p = 0 od }
"""

#: M has every move of accept_N but is not accepting: reading p once in M must not
#: stand for reading it twice through accept_N
ACCEPT_AFTER_TWO = """never {
L0: if :: p -> goto M :: !p -> goto L0 :: 1 -> goto L0 fi;
M: if :: p -> goto accept_N :: p -> goto M :: 1 -> goto L0 :: !p -> goto L0 fi;
accept_N: if :: p -> goto accept_N :: 1 -> goto L0 :: p -> goto M :: !p -> goto L0 fi
}
"""

#: the claim's end (a violation) after p twice: staying in M must not stand for it
END_AFTER_TWO = """never {
L0: if :: p -> goto M :: !p -> goto L0 :: 1 -> goto L0 fi;
M: if :: p :: p -> goto M :: 1 -> goto L0 :: !p -> goto L0 fi
}
"""


#: accept_M is entered on p and left on p: a shortcut from L0 may not skip it (the
#: run that reads p once never visits it)
ACCEPT_SKIPPED = """never {
L0: do :: 1 :: p -> goto accept_M od;
accept_M: do :: p :: p -> goto L0 od
}
"""


@pytest.mark.parametrize(("claim", "mode"), [(ACCEPT_AFTER_TWO, "acceptance"),
                                             (END_AFTER_TWO, "safety"),
                                             (ACCEPT_SKIPPED, "acceptance")])
def test_a_location_does_not_cover_an_accepting_one_or_the_end(monkeypatch, tmp_path,
                                                               claim, mode):
    path = write(tmp_path, TWICE + claim)
    result, system = promela.check(path, mode)
    assert result.violated and "may count steps" in system.c.reduction.summary()
    # what the reductions would hide if the test let the claim through
    monkeypatch.setattr(reduce, "stutter_blind", lambda flow, body: True)
    assert promela.check(path, mode)[0].verdict == "ok"


#: p, then not p, then p for ever: accept_A must be entered on the last p only
LATE_P = """bool p, q;
active proctype P() { p = 1; p = 0; p = 1 }
never {
L0: if :: p -> goto accept_A :: assert(!q) -> goto L0 fi;
accept_A: if :: p -> goto accept_A fi
}
"""


def test_a_move_is_narrowed_only_towards_an_accepting_twin(tmp_path):
    # the closure of the tcg claim: "stay" is narrowed to the letters on which going
    # to the accepting location (which has the same moves) is not possible
    model, flow = claim_flow(write(tmp_path, KEEPS))
    closed = stutter_closure(flow)
    entry = closed.locations[closed.entry]
    conditions = sorted(stmt_text(t.stmt) for t in entry.transitions)
    assert conditions == ["!!(done == 2)", "!!bad", "!(done == 2)"]
    # here accept_A cannot do what L0 does: L0 must keep "stay" on every letter, or
    # the run that stays on the first p and enters accept_A on the last is lost
    path = write(tmp_path, LATE_P, "late.pml")
    model, flow = claim_flow(path)
    closed = stutter_closure(flow)
    stays = [t for t in closed.locations[closed.entry].transitions
             if t.dest == closed.entry]
    assert [stmt_text(t.stmt) for t in stays] == ["1"]
    result, _ = promela.check(path, "acceptance")
    assert result.kind == "acceptance cycle" and "stutter closure" in result.note


CONDITIONS = ["p", "!p", "q", "!q", "p && q", "p || q"]
BLIND = ["1", "skip", "assert(!bad)", "assert(!bad)", "assert(!(p && q))"]
#: a process sets bad for one state only: whether a claim's assert judges that state
#: depends on where it is in its count
ASSIGNS = ["p = 1", "p = 0", "q = 1", "q = 0", "p = !p", "y = 1 - y", "y = 2", "skip",
           "bad = 1; bad = 0"]


def random_claim(rng: random.Random) -> str:
    """A claim of one to three locations whose moves are conditions, ``skip``, true
    and asserts, some accepting; an option without a jump falls through to the next
    location (from the last, to the claim's end).  One in three has the shape of the
    tcg-exclusive claim, with random conditions."""
    if rng.random() < 1 / 3:
        live, safe = rng.choice(CONDITIONS), rng.choice(["!bad", "!(p && q)", "!bad || p"])
        return (f"never {{ do :: {live} -> accept_busy: skip :: 1 -> assert({safe}) "
                "od }\n")
    n = rng.randint(1, 3)
    names = [("accept_" if rng.random() < 0.35 else "") + f"L{i}" for i in range(n)]
    parts = []
    for name in names:
        options = []
        for _ in range(rng.randint(1, 3)):
            first = rng.choice(CONDITIONS + BLIND)
            jump = rng.choice([*names, None])
            options.append(f":: {first}" + (f" -> goto {jump}" if jump else ""))
        parts.append(f"{name}: if {' '.join(options)} fi")
    return "never {\n" + ";\n".join(parts) + "\n}\n"


def random_model(rng: random.Random) -> str:
    procs = []
    for k in range(2):
        steps = "; ".join(rng.choice(ASSIGNS) for _ in range(rng.randint(2, 4)))
        body = (f"do :: {steps} od" if rng.random() < 0.5
                else f"do :: x < 2 -> {steps}; x++ :: x == 2 -> break od")
        procs.append(f"active proctype P{k}() {{ byte x, y; {body} }}")
    return "bool p, q, bad;\n" + "\n".join(procs) + "\n"


def test_random_claims_give_the_same_verdict_with_and_without_reductions(tmp_path):
    rng = random.Random(13)
    closed_ok = confirmed = violated = 0
    for case in range(200):
        text = random_model(rng) + random_claim(rng)
        mode = rng.choice(["safety", "acceptance"])
        path = write(tmp_path, text, f"case{case}.pml")
        reduced, system = promela.check(path, mode)
        exact, _ = promela.check(path, mode, merge=False, reduce=False)
        assert reduced.verdict == exact.verdict, f"case {case} ({mode}):\n{text}"
        # the closure's "ok" stands for the claim itself; its error was searched again
        closed_ok += system.c.reduction.claim_closure is not None
        confirmed += "stutter closure" in reduced.note
        violated += exact.violated
    # the sample exercises both outcomes of the closure, and both verdicts overall
    assert closed_ok >= 25 and confirmed >= 25 and 40 <= violated <= 160


def test_a_swarm_confirms_the_closures_error_the_same_way(tmp_path):
    path = write(tmp_path, HIDDEN)
    result, system = promela.check(path, "safety", workers=2)
    assert result.kind == "assertion" and "stutter closure" in result.note
    assert result.swarm is not None and system.c.reduction.claim_closure is None
    path = write(tmp_path, HIDDEN.replace("a = 1; a = 2; ", "a = 1; "), "fine.pml")
    result, _ = promela.check(path, "safety", workers=2)
    assert result.verdict == "ok" and "stutter closure" in result.note
