"""``aioctx check`` with ltl properties: ``-N``, ``--ltl``, the mode the property
chooses, the report, located errors, and the same through ``aioctx.promela``.

Verdicts themselves are compared with SPIN's in test_ltl_agreement.py; here the
command's behaviour around them.
"""

from __future__ import annotations

import json

import pytest
from promela_cases import ROOT

from aioctx import promela

MODELS = ROOT / "tests" / "promela" / "models"
WITH_NEVER = MODELS / "ltl_with_never.pml"      # never claim, ltl bounded, ltl reaches
TERMINATION = MODELS / "ltl_termination.pml"    # ltl finishes, stays_done, always_small


def test_without_n_the_never_claim_comes_first(run):
    code, out, _err = run(WITH_NEVER)
    assert code == 1
    assert out.splitlines()[0] == "property: never claim never_0"
    assert "VIOLATION (claim)" in out


def test_n_picks_an_ltl_property_and_the_report_names_it(run):
    code, out, _err = run(WITH_NEVER, "-N", "bounded", "--bfs")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "property: ltl bounded: [] (x < 4)"
    assert lines[1].startswith("ltl_with_never.pml: safety (bfs): VIOLATION (assertion)")
    assert lines[2] == "assertion: assert(x < 4)"
    # the claim ends as SPIN's does: it sees x reach 4, then its assertion fails
    claim_steps = [ln for ln in lines if "(never claim)" in ln]
    assert "[!(x < 4) (" in claim_steps[-2] and "[assert(x < 4) (" in claim_steps[-1]
    assert run(WITH_NEVER, "-N", "reaches")[0] == 0


def test_unknown_property_name_is_bad_input(run):
    code, _out, err = run(WITH_NEVER, "-N", "nosuch")
    assert code == 2
    assert err.strip() == (f"aioctx: {WITH_NEVER}: no never claim or ltl property named "
                           "'nosuch' (the model has: never_0, bounded, reaches)")


def test_ltl_option_checks_a_formula_without_editing_the_model(run):
    before = WITH_NEVER.read_text()
    code, out, _err = run(WITH_NEVER, "--ltl", "[] (x <= 4)", "--json")
    assert code == 0 and WITH_NEVER.read_text() == before
    doc = json.loads(out)
    assert doc["property"] == {"name": "--ltl", "kind": "ltl", "formula": "[] (x <= 4)"}
    assert doc["mode"] == "safety" and doc["verdict"] == "ok"
    code, out, _err = run(WITH_NEVER, "--ltl", "<> (x == 9)")
    assert code == 1 and out.startswith("property: ltl --ltl: <> (x == 9)\n")
    assert "acceptance (dfs): VIOLATION (acceptance cycle)" in out


def test_the_mode_follows_the_property(run):
    # [] p: a claim without accept states, so a safety search (as SPIN's for it)
    assert "safety (dfs): ok" in run(TERMINATION, "-N", "always_small", "-DBLOCK")[1]
    # <> p: accept states, so acceptance cycles are searched
    code, out, _err = run(TERMINATION, "-N", "finishes", "-DBLOCK")
    assert code == 1 and "acceptance (dfs): VIOLATION (acceptance cycle)" in out
    # an explicit mode wins: a safety search cannot see that stage stays 1 forever
    assert run(TERMINATION, "-N", "finishes", "-DBLOCK", "--safety")[0] == 0
    # no property: safety, as before
    assert "safety (dfs)" in run(MODELS / "peterson.pml")[1]


@pytest.mark.parametrize("formula, col, message", [
    ("X (x == 1)", 1, "the next-time operator X is not supported"),
    ("<> next (x == 1)", 4, "the next-time operator X is not supported"),
    ("[] x == 1", 1, "the temporal formula '[] x' is an operand of '=='"),
    ("[] (y < 3)", 5, "undeclared variable 'y'"),
    ("[] (Up[0]:z > 1)", 5, "proctype 'Up' has no local variable 'z'"),
    ("[] (x < 3", 10, "syntax error: the formula ends too early"),
    ("[] (x < 3) }", 12, "an ltl formula is one line without braces"),
    ("[] (x /\\ 3)", 8, "syntax error"),
])
def test_ltl_option_errors_point_into_the_formula(run, formula, col, message):
    code, _out, err = run(WITH_NEVER, "--ltl", formula)
    assert code == 2
    assert err.startswith(f"--ltl:1:{col}: ") and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_n_and_ltl_together_are_refused(run):
    code, _out, err = run(WITH_NEVER, "-N", "bounded", "--ltl", "[] (x < 4)")
    assert code == 2 and "argument --ltl: not allowed with argument -N" in err


def test_non_progress_mode_checks_no_property(run):
    code, _out, err = run(MODELS / "ltl_progress.pml", "--non-progress", "-N", "cycles")
    assert code == 2 and "non-progress mode checks no never claim or ltl formula" in err
    # without -N the model's ltl formulas are ignored, as SPIN's -DNP ignores them
    code, out, _err = run(MODELS / "ltl_progress.pml", "--non-progress", "-DSTALL")
    assert code == 1 and "non-progress cycle" in out and "property:" not in out


def test_python_api():
    model = promela.load(str(WITH_NEVER))
    assert [(p.name, p.kind) for p in model.properties] == [
        ("never_0", "never"), ("bounded", "ltl"), ("reaches", "ltl")]
    assert model.property.name == "never_0"
    result, system = promela.check(str(WITH_NEVER), claim="reaches")
    assert result.ok and result.mode == "acceptance"
    assert system.c.model.property.text == "[] <> (x == 0)"
    result, system = promela.check(str(WITH_NEVER), ltl="[] (x < 3)", search="bfs")
    assert result.violated and result.kind == "assertion"
    assert system.c.model.property.name == promela.LTL_OPTION
    with pytest.raises(promela.PromelaError, match="either a property name or"):
        promela.load(str(WITH_NEVER), claim="bounded", ltl="[] (x < 3)")


def test_ltl_blocks_may_come_before_what_they_name(run, tmp_path):
    """SPIN reads the claims of ltl formulas after the model: names declared later
    and proctypes defined later are fine there (not in a never claim)."""
    path = tmp_path / "late.pml"
    path.write_text("ltl p { [] (x < 2 && (P[0]@L -> x == 1)) }\nbyte x;\n"
                    "active proctype P() { x = 1; L: x = 2 }\n")
    code, out, _err = run(path)
    assert code == 1 and "property: ltl p:" in out and "assertion: assert(" in out
