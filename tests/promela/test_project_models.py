"""The project's models (promela/models): documented verdicts, readable counterexamples.

Every model states in its header which -D option selects which variant and the verdict
of each variant in each mode; aioctx must give exactly those (SPIN's agreement is
tested in test_spin_agreement.py).  The bug variants must produce counterexamples a
reader can follow: numbered steps with processes, source lines and the
implementation's operation labels, and a marked cycle for liveness errors.
"""

from __future__ import annotations

import pytest
from promela_cases import PROJECT_MODELS, expectations, variant_id, variants

from aioctx import promela

MODES = {"safety": ("safety", False), "acceptance": ("acceptance", False),
         "fair": ("acceptance", True)}
CASES = [(p, d) for p in PROJECT_MODELS for d in variants(p)]
IDS = [f"{p.stem}[{variant_id(d)}]" for p, d in CASES]


def test_the_required_models_exist():
    names = {p.stem for p in PROJECT_MODELS}
    assert {"aio-dispatching-flag", "aio-notify-accept", "aiowait-home-thread-no-waiter-count",
            "graph-lock", "lockcnt"} <= names
    accept = next(p for p in PROJECT_MODELS if p.stem == "aio-notify-accept")
    assert {"AIO_NOTIFIER_CLEARED_LATE", "NOTIFIED_BEFORE_EVENT",
            "NOTIFIED_SKIPS_SET"} <= {variant_id(d) for d in variants(accept)}
    graph = next(p for p in PROJECT_MODELS if p.stem == "graph-lock")
    assert "GRAPH_RDUNLOCK_KICK_CONDITIONAL" in {variant_id(d) for d in variants(graph)}


@pytest.mark.parametrize("path,defines", CASES, ids=IDS)
def test_header_states_every_verdict(path, defines):
    expected = expectations(path).get(variant_id(defines))
    assert expected is not None, f"{path.name}: no 'expect' line for {variant_id(defines)}"
    assert set(expected) == set(MODES)


@pytest.mark.parametrize("path,defines", CASES, ids=IDS)
def test_verdicts_are_the_documented_ones(path, defines):
    expected = expectations(path)[variant_id(defines)]
    for name, (mode, fair) in MODES.items():
        result, system = promela.check(str(path), mode, fair=fair, defines=defines)
        verdict, kinds = expected[name]
        assert result.verdict == verdict, (name, result.summary())
        if result.violated:
            assert kinds and result.kind in kinds, (name, result.kind, kinds)
            trail = promela.format_trail(system, result)
            lines = trail.splitlines()
            assert any(line.startswith("spin: trail ends after") for line in lines)
            assert lines[-1].endswith("processes created")
            assert any(f"{path.name}:" in line and "(state " in line for line in lines)
            if result.counterexample.liveness:
                assert ("START OF CYCLE" in trail or "the last state repeats" in trail)


def _has_violation(path, defines) -> bool:
    return any(v == "violation" for v, _k in expectations(path)[variant_id(defines)].values())


BUGS = [(i, (p, d)) for i, (p, d) in zip(IDS, CASES, strict=True)
        if d and _has_violation(p, d)]


@pytest.mark.parametrize("path,defines", [c for _i, c in BUGS], ids=[i for i, _c in BUGS])
def test_bug_trails_name_the_implementation_operations(path, defines):
    """At least one step of each bug's counterexample carries an impl operation label
    (the notebook that replays a trail on impl/ matches steps by these).  Option sets
    without a violation (a shape, such as graph-lock's ONE_READER) have no trail."""
    expected = expectations(path)[variant_id(defines)]
    name = next(m for m in ("safety", "acceptance", "fair") if expected[m][0] == "violation")
    mode, fair = MODES[name]
    result, system = promela.check(str(path), mode, fair=fair, defines=defines, search="dfs")
    labels = [step.at for step in result.counterexample.steps if step.at]
    assert any("." in label for label in labels), labels
