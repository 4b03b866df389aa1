"""docs/catalogue.md matches the code: one section per bug switch of impl.bugs, with
the switch's memory model, its scenario (every entry has one) and its model variant
(a -D option the model's header declares)."""

from __future__ import annotations

import re
from pathlib import Path

from aioctx.impl.bugs import CATALOGUE
from aioctx.sim.scenarios import CATALOGUE as SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
SECTIONS = dict(re.findall(r"^### ([a-z0-9-]+)[^\n]*\n(.*?)(?=^##|\Z)", TEXT, re.M | re.S))


def test_every_bug_switch_has_a_section_and_nothing_else_does() -> None:
    assert sorted(SECTIONS) == sorted(CATALOGUE)


def test_each_section_states_the_memory_model_scenario_and_model_of_its_switch() -> None:
    for slug, bug in CATALOGUE.items():
        body = " ".join(SECTIONS[slug].split())
        assert f"**Memory model**: {bug.memory_model}" in body, slug
        assert f'"{slug}"' in body, slug               # the switch, as it is turned on
        module = SCENARIOS[slug].body.__module__.rsplit(".", 1)[1]
        assert f"**Scenario**: `sim/scenarios/{module}.py`" in body, slug
        if bug.memory_model != "SC":
            assert f"{module}.py` under {bug.memory_model}" in body, slug
        for model, option in re.findall(r"`promela/models/([\w-]+\.pml) -D (\w+)`", body):
            header = (ROOT / "promela" / "models" / model).read_text(encoding="utf-8")
            assert re.search(rf"variants:.*\b{option}\b", header), (slug, model, option)


def test_the_six_weak_memory_entries_run_under_their_model() -> None:
    weak = {slug: bug.memory_model.lower() for slug, bug in CATALOGUE.items()
            if bug.memory_model != "SC"}
    assert len(weak) == 6
    assert {slug: SCENARIOS[slug].memory_model for slug in weak} == weak
    assert all(sc.memory_model == "sc" for slug, sc in SCENARIOS.items() if slug not in weak)
