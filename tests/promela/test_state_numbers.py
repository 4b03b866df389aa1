"""State numbers are SPIN's: every location has the number ``spin -a`` gives it.

For every model and option set of the agreement suite, the state machines SPIN writes
into pan.t (``trans[type][state] = settr(..., target, ..., "statement", ...)``) are read
back, and for each of our locations the targets of its transitions must be the targets
SPIN's state with the same number reaches.  pan.t lists an ``if``/``do``/atomic/block
state as a list of pseudo moves to its first statements, which are followed here.
Where control leaves an atomic sequence through a jump (``break``, the end of an
``if``), SPIN stops at the jump and takes it as one more step of the sequence; aioctx
goes straight on, so such jump states are followed on both sides.  The escapes of an
``unless`` are not in pan.t (pan adds them when it starts), so only a location's own
transitions are compared.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

import pytest
import spin_oracle
from promela_cases import CHECKER_MODELS, PROJECT_MODELS, TEST_MODELS, variant_id, variants

from aioctx import promela

SKIP = spin_oracle.available()
CASES = [(p, d) for p in PROJECT_MODELS + TEST_MODELS + CHECKER_MODELS for d in variants(p)]

_HEAD = re.compile(r"/\* (?:proctype|claim) \d+: (\S+) \*/")
_FIRST = re.compile(r"trans\[\s*\d+\]\[(\d+)\]\s*= settr\(\d+,\d+,(\d+),[^,]*,[^,]*,\"(.*)\", ")
_MORE = re.compile(r"T->nxt\s*= settr\(\d+,\d+,(\d+),[^,]*,[^,]*,\"(.*)\", ")
_PSEUDO = ("IF", "DO", "ATOMIC", "sub-sequence")
_JUMPS = re.compile(r"^(\.\(goto\)|break|goto \S+)$")


def spin_machines(path: str, defines: list[str]) -> dict[str, dict[int, list]]:
    """proctype name -> state -> [(target, statement text)], as pan.t lists them."""
    work = tempfile.mkdtemp(prefix="aioctx-numbers-")
    run = subprocess.run(["spin", *(f"-D{d}" for d in defines), "-o3", "-a",
                          os.path.abspath(path)], cwd=work, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(os.path.join(work, "pan.t")) as f:
        text = f.read()
    machines: dict[str, dict[int, list]] = {}
    current = None
    state = 0
    for line in text.split("\n"):
        if m := _HEAD.search(line):
            current = machines.setdefault(m.group(1), {})
        elif current is not None and (m := _FIRST.search(line)):
            state = int(m.group(1))
            current.setdefault(state, []).append((int(m.group(2)), m.group(3)))
        elif current is not None and (m := _MORE.search(line)):
            current.setdefault(state, []).append((int(m.group(1)), m.group(2)))
    return machines


def _moves(machine: dict[int, list], state: int, seen: tuple = ()) -> list[int]:
    """Targets of the real statements executable at ``state``."""
    out = []
    for target, text in machine.get(state, []):
        if text in _PSEUDO:
            if target and target not in seen:
                out += _moves(machine, target, seen + (state,))
        else:
            out.append(target)
    return out


def _through_jumps(machine: dict[int, list], state: int) -> int:
    seen = set()
    while state not in seen:
        seen.add(state)
        moves = machine.get(state, [])
        if len(moves) != 1 or not _JUMPS.match(moves[0][1]):
            break
        state = moves[0][0]
    return state


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("path,defines", CASES,
                         ids=[f"{p.stem}[{variant_id(d)}]" for p, d in CASES])
def test_state_numbers_are_spins(path, defines):
    machines = spin_machines(str(path), defines)
    model = promela.load(str(path), defines)
    # merging joins twin locations (reduce.py); the numbering is that of the plain flow
    system = promela.build(model, merge=False, reduce=False, dead=False)
    flows = [(p.name, f) for p, f in zip(model.proctypes, system.c.flows, strict=True)]
    ours_from_ltl = model.property is not None and model.property.kind == "ltl"
    if system.c.claim_flow is not None and not ours_from_ltl:
        # (the claim of an ltl formula is our translator's automaton, not SPIN's:
        # its states are not numbered as spin's are)
        flows.append((model.claim.name, system.c.claim_flow))
    checked = 0
    for name, flow in flows:
        machine = machines[name]
        for loc in flow.locations:
            if loc.terminal:
                continue
            ours = sorted(_through_jumps(machine, flow.locations[t.dest].number)
                          for t in loc.transitions if not t.escape)
            theirs = sorted(_through_jumps(machine, t) for t in _moves(machine, loc.number))
            assert ours == theirs, f"{name}, state {loc.number}"
            checked += 1
    assert checked
