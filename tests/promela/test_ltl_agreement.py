"""aioctx's verdict on every named property of the test models equals SPIN's.

The models of tests/promela/models name the properties to check in their header:
``properties: a b`` (never claims and ltl formulas of the model, checked with
``aioctx check -N a`` against ``pan -N a``) and ``ltl-option: FORMULA`` lines (checked
with ``aioctx check --ltl FORMULA`` against SPIN on a copy of the model with the
formula in an ltl block; ``ours => SPIN's`` where SPIN needs another spelling).  Each
is checked in every variant and mode, as test_spin_agreement.py checks the property
pan picks by default; where SPIN reports errors, the kind we report is one of them.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
import spin_oracle
from promela_cases import AIOCTX_MODE, TEST_MODELS, property_case_id, property_cases

from aioctx import promela

SKIP = spin_oracle.available()
CASES = property_cases(TEST_MODELS)
#: the name of the ltl block the SPIN side appends for an --ltl row
OPTION = "aioctx_option"


def theirs(path, defines, mode, prop):
    if prop[0] == "N":
        return spin_oracle.spin_verdict(str(path), mode, defines, claim=prop[1])
    work = tempfile.mkdtemp(prefix="aioctx-ltl-")
    try:
        copy = os.path.join(work, path.name)
        with open(copy, "w") as f:
            f.write(f"{path.read_text()}\nltl {OPTION} {{ {prop[2]} }}\n")
        return spin_oracle.spin_verdict(copy, mode, defines, claim=OPTION)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ours(path, defines, mode, prop):
    aioctx_mode, fair = AIOCTX_MODE[mode]
    claim, ltl = (prop[1], None) if prop[0] == "N" else (None, prop[1])
    result, system = promela.check(str(path), aioctx_mode, fair=fair, defines=defines,
                                   claim=claim, ltl=ltl)
    assert result.verdict != "incomplete"
    expected = prop[1] if prop[0] == "N" else promela.LTL_OPTION
    assert system.c.model.property.name == expected
    return result


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("case", CASES, ids=[property_case_id(c) for c in CASES])
def test_property_verdict_matches_spin(case):
    path, defines, mode, prop = case
    spin = theirs(path, defines, mode, prop)
    result = ours(path, defines, mode, prop)
    assert result.violated == spin.violated, (
        f"aioctx: {result.verdict} ({result.kind}); SPIN: {spin.errors} error(s) "
        f"{spin.kinds}")
    if spin.violated:
        assert result.kind in spin.kinds


def test_the_models_name_properties():
    """Every model with ltl blocks names the properties to check, and the rows exist."""
    with_ltl = [p for p in TEST_MODELS if "\nltl" in p.read_text()]
    assert len(with_ltl) >= 15
    named = {c[0] for c in CASES}
    assert all(p in named for p in with_ltl)


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_where_spin_fairness_misses_a_violation_on_a_run_that_ends():
    """``<>[] (stage == 2)`` fails on the run that blocks with stage 1: its last state
    repeats forever, and the run is weakly fair (nothing can move).  SPIN finds that
    with ``pan -a``, not with ``pan -a -f``: its claim for the formula cycles there
    through a non-accepting state, which its fairness counters never accept (see
    claim_stutter_fair.pml, where aioctx follows SPIN for claims written for SPIN).
    For the claims it translates from ltl formulas itself aioctx judges the run, so
    it reports the violation in both modes: the one known divergence."""
    path = TEST_MODELS[0].parent / "ltl_termination.pml"
    prop = ("N", "stays_done")
    for mode in ("safety", "acceptance"):
        assert ours(path, ["BLOCK"], mode, prop).violated == \
            theirs(path, ["BLOCK"], mode, prop).violated
    assert theirs(path, ["BLOCK"], "acceptance", prop).kinds == ["acceptance cycle"]
    assert not theirs(path, ["BLOCK"], "acceptance+fair", prop).violated
    fair = ours(path, ["BLOCK"], "acceptance+fair", prop)
    assert fair.violated and fair.kind == "acceptance cycle"
    assert ours(path, [], "acceptance+fair", prop).ok       # the run that finishes
