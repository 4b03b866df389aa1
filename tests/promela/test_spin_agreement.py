"""aioctx's verdict equals SPIN's on every model and option set in the repository.

For each model of promela/models, tests/promela/models and tests/model/promela, each
of its option sets (``variants:`` header) and each mode (safety, acceptance,
acceptance with weak fairness; non-progress too where the model has progress labels),
SPIN's verifier is built and run (see spin_oracle.py) and its verdict compared with
ours.  When SPIN
reports errors, the kind of error we report must be one SPIN reports too.
"""

from __future__ import annotations

import pytest
import spin_oracle
from promela_cases import (
    AIOCTX_MODE,
    CHECKER_MODELS,
    PROJECT_MODELS,
    TEST_MODELS,
    case_id,
    cases,
    optimised_oracle,
    variant_id,
    variants,
)

from aioctx import promela

SKIP = spin_oracle.available()
ALL = cases(PROJECT_MODELS + TEST_MODELS + CHECKER_MODELS)


def ours(path, defines, mode):
    aioctx_mode, fair = AIOCTX_MODE[mode]
    result, _system = promela.check(str(path), aioctx_mode, fair=fair, defines=defines)
    assert result.verdict != "incomplete"
    return result


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("case", ALL, ids=[case_id(c) for c in ALL])
def test_verdict_matches_spin(case):
    path, defines, mode = case
    theirs = spin_oracle.spin_verdict(str(path), mode, defines,
                                      optimised=optimised_oracle(path))
    result = ours(path, defines, mode)
    assert result.violated == theirs.violated, (
        f"aioctx: {result.verdict} ({result.kind}); SPIN: {theirs.errors} error(s) "
        f"{theirs.kinds}")
    if theirs.violated:
        assert result.kind in theirs.kinds


PROJECT = [(p, d) for p in PROJECT_MODELS for d in variants(p)]


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("path,defines", PROJECT,
                         ids=[f"{p.stem}[{variant_id(d)}]" for p, d in PROJECT])
def test_project_models_match_default_spin(path, defines):
    """SPIN's default verifier (statement merging and partial-order reduction on) gives
    the same verdicts on the project's models, in all three modes."""
    for mode in ("safety", "acceptance", "acceptance+fair"):
        theirs = spin_oracle.spin_verdict(str(path), mode, defines, optimised=True)
        assert ours(path, defines, mode).violated == theirs.violated, mode


def test_every_mode_is_covered():
    """The matrix is not empty and contains each required mode for every model."""
    assert TEST_MODELS and PROJECT_MODELS and CHECKER_MODELS
    for path in PROJECT_MODELS + TEST_MODELS + CHECKER_MODELS:
        modes = {mode for p, _d, mode in ALL if p == path}
        assert {"safety", "acceptance", "acceptance+fair"} <= modes, path.name
