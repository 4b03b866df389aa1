"""The per-process copies of the successor code (specialise.py) and the generated
accepting/progress predicates (predgen.py) change no successor and no answer.

Every agreement-suite model that creates no process is built twice, with the copies
and without them (the generic functions alone), and the two must list the same
successors, in the same order, for every state a bounded breadth-first walk reaches.
The predicates are compared with a reference written here from layout.py's decoding.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from aioctx.model.system import AssertionViolation
from aioctx.promela import specialise
from aioctx.promela.layout import EX, RVC
from aioctx.promela.runtime import Fault

from aioctx import promela

MODELS = sorted(p for p in (Path(__file__).parent / "models").glob("*.pml")
                if "run " not in p.read_text())
WALK = 400          # states per model and mode


def build(path: Path, mode: str, copies: bool, monkeypatch) -> object:
    monkeypatch.setattr(specialise, "MAX_COPIES", 4000 if copies else 0)
    return promela.build(promela.load(str(path)), mode)


def walk(system) -> list[bytes]:
    """Up to WALK states reachable from the initial state, breadth first (a state
    whose successors raise ends its branch)."""
    seen = dict.fromkeys(system.initial_states())
    queue = deque(seen)
    while queue and len(seen) < WALK:
        s = queue.popleft()
        try:
            moves = system.successors(s)
        except AssertionViolation:
            continue
        for _pid, _step, t in moves:
            if t not in seen:
                seen[t] = None
                queue.append(t)
    return list(seen)


def outcome(f, s):
    try:
        return f(s)
    except AssertionViolation as exc:
        return ("violation", exc.pid, exc.step, exc.message)


CASES = [(p, "safety") for p in MODELS] + [(p, "acceptance") for p in MODELS
                                           if "accept" in p.read_text()]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p.stem}-{m}" for p, m in CASES])
def test_copies_list_the_same_successors(path, mode, monkeypatch):
    generic = build(path, mode, False, monkeypatch)
    fast = build(path, mode, True, monkeypatch)
    assert "def S0_" not in generic.c.source
    assert "def S0_" in fast.c.source
    for s in walk(generic):
        assert outcome(fast.successors, s) == outcome(generic.successors, s), s
        assert outcome(fast.next_states, s) == outcome(generic.next_states, s), s


def reference(system, s: bytes, table: str, claim: bool) -> bool:
    """Not transient and a process (or, ``claim``, the never claim) at a location
    marked ``table`` ("accept" or "progress"), by decoding the state."""
    lay = system.layout
    flows = system.c.flows
    cf = system.c.claim_flow
    if s[RVC] or (claim and cf.locations[lay.claim_pc(s)].inside):
        return False
    if s[EX]:
        o, t, pc = lay.processes(s)[s[EX] - 1]
        tmp: list = []
        try:
            system.c.ns["D"][t][pc](s, s[EX] - 1, o, tmp, False)
        except (Fault, AssertionViolation):
            return False
        if tmp:
            return False
    if any(getattr(flows[t].locations[pc], table) for _o, t, pc in lay.processes(s)):
        return True
    return claim and getattr(cf.locations[lay.claim_pc(s)], table)


@pytest.mark.parametrize("path", [p for p in MODELS if "accept" in p.read_text()
                                  or "progress" in p.read_text()],
                         ids=lambda p: p.stem)
def test_generated_predicates_match_the_decoded_state(path, monkeypatch):
    checked = 0
    for mode, attribute, table in (("acceptance", "accepting", "accept"),
                                   ("non-progress", "progress", "progress")):
        for copies, merge in ((False, True), (True, True), (True, False)):
            monkeypatch.setattr(specialise, "MAX_COPIES", 4000 if copies else 0)
            model = promela.load(str(path))
            system = promela.build(model, mode, merge=merge)    # merge=False: atomic
            # sequences keep their states, where the transient test matters
            claim = mode == "acceptance" and model.claim is not None
            pred = getattr(system, attribute)
            for s in walk(system):
                assert bool(pred(s)) == reference(system, s, table, claim), (mode, s)
                checked += bool(pred(s))
    if path.stem in ("accept_cycle", "progress_np"):
        assert checked          # the comparison saw both answers


def test_an_index_by_pid_out_of_bounds_still_faults(tmp_path, monkeypatch):
    """The copies fold ``a[_pid]``'s bounds check for the pids in range only."""
    path = tmp_path / "pid.pml"
    path.write_text("byte a[2];\nactive [3] proctype P() { a[_pid] = 1 }\n")
    messages = []
    for limit in (0, 4000):
        monkeypatch.setattr(specialise, "MAX_COPIES", limit)
        result, system = promela.check(str(path))
        assert result.verdict == "violation"
        messages.append(result.message)
    assert messages[0] == messages[1]
    assert "index 2 out of bounds" in messages[1]


def test_a_model_that_runs_processes_keeps_the_generic_code(tmp_path):
    path = tmp_path / "run.pml"
    path.write_text("byte n;\nproctype W() { n++ }\ninit { run W(); run W() }\n")
    system = promela.build(promela.load(str(path)), "safety")
    assert "def S0_" not in system.c.source
    result, _ = promela.check(str(path))
    assert result.ok


def test_inside_an_atomic_sequence_that_goes_on_no_state_is_accepting(tmp_path, monkeypatch):
    path = tmp_path / "atomic_accept.pml"
    path.write_text("byte x;\nactive proctype P() {\n"
                    "  do :: atomic { x = 1; accept: x = 2; x = 0 } od\n}\n")
    for limit in (0, 4000):
        monkeypatch.setattr(specialise, "MAX_COPIES", limit)
        system = promela.build(promela.load(str(path)), "acceptance", merge=False)
        states = walk(system)
        inside = [s for s in states if s[EX]]
        assert inside and all(reference(system, s, "accept", False) is False
                              for s in inside)
        assert [system.accepting(s) for s in states] == [
            reference(system, s, "accept", False) for s in states]
        assert not any(system.accepting(s) for s in inside)
