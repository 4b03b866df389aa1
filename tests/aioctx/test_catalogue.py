"""The regression catalogue: discovery of models, scenarios and uncovered bugs, and the
expectation lines of model headers (with file:line:col errors)."""

from __future__ import annotations

import pytest
from aioctx.impl.bugs import CATALOGUE as BUGS

from aioctx import catalogue
from aioctx.errors import UsageError

HEADER = """/*
 * a model
 *   variants: - | BUG_ONE | A=1,B
 *   expect -: safety=ok fair=ok
 *   expect BUG_ONE: safety=violation(invalid-end-state) acceptance=violation
 *   expect A=1,B: non-progress+fair=violation(non-progress-cycle|assertion)
 */
active proctype P() { skip }
"""


def test_header_block_is_parsed_in_order(tmp_path):
    checks = catalogue.parse_expectations(tmp_path / "m.pml", HEADER)
    got = [(c.variant, c.mode, c.fair, c.expect, c.kinds) for c in checks]
    assert got == [
        ("fixed", "safety", False, "ok", ()),
        ("fixed", "acceptance", True, "ok", ()),
        ("BUG_ONE", "safety", False, "violation", ("invalid end state",)),
        ("BUG_ONE", "acceptance", False, "violation", ()),
        ("A=1,B", "non-progress", True, "violation", ("non-progress cycle", "assertion")),
    ]
    assert checks[2].slugs == ("bug-one",) and checks[2].where.endswith("m.pml:5")


@pytest.mark.parametrize("line,message,where", [
    (" *   expect NOPE: safety=ok", "names no option set", ":5:13:"),
    (" *   expect BUG_ONE: safety=maybe", "verdict must be", ":5:22:"),
    (" *   expect BUG_ONE: liveness=ok", "expected mode=verdict", ":5:22:"),
    (" *   expect BUG_ONE: safety=violation(lost)", "unknown error kind 'lost'", ":5:22:"),
    (" *   expect BUG_ONE: safety=ok(assertion)", "'ok' takes no error kinds", ":5:22:"),
    (" *   expect BUG_ONE: safety=ok safety=ok", "stated twice", ":5:32:"),
    (" *   expect -: safety=ok", "a second 'expect -:'", ":5:13:"),
])
def test_header_mistakes_name_file_line_col(tmp_path, line, message, where):
    lines = HEADER.splitlines()
    lines[4] = line
    with pytest.raises(UsageError, match=message) as err:
        catalogue.parse_expectations(tmp_path / "m.pml", "\n".join(lines))
    assert where in str(err.value) and str(err.value).startswith(str(tmp_path / "m.pml"))


def test_missing_expect_line_and_missing_header(tmp_path):
    text = HEADER.replace(" *   expect A=1,B: non-progress+fair="
                          "violation(non-progress-cycle|assertion)\n", "")
    with pytest.raises(UsageError, match=r"m.pml:3:6: no 'expect A=1,B:' line"):
        catalogue.parse_expectations(tmp_path / "m.pml", text)
    with pytest.raises(UsageError, match=r"m.pml:1:1: the model does not start"):
        catalogue.parse_expectations(tmp_path / "m.pml", "active proctype P() { skip }")


def test_every_project_model_and_variant_is_in_the_catalogue():
    checks = catalogue.model_checks()
    models = {c.model for c in checks}
    assert models == {p.stem for p in catalogue.MODELS_DIR.glob("*.pml")}
    for model in models:
        variants = {c.variant for c in checks if c.model == model}
        assert "fixed" in variants and len(variants) >= 2, model
        assert any(c.buggy for c in checks if c.model == model)


def test_scenarios_are_discovered_and_gaps_say_why():
    found = catalogue.scenarios()
    assert found and set(found) <= set(BUGS)
    assert sorted(found) == sorted(BUGS)            # 19 of 19
    assert catalogue.uncovered(list(found)) == []
    gaps = {g.slug: g for g in catalogue.uncovered(
        [s for s in found if s != "graph-rdlock-no-barrier"])}
    assert list(gaps) == ["graph-rdlock-no-barrier"]
    assert gaps["graph-rdlock-no-barrier"].reason == "not covered yet (needs TSO model)"
    for slug, sc in found.items():
        assert sc.memory_model == BUGS[slug].memory_model.lower()
