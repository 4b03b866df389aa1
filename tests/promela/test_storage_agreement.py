"""Lossy storage keeps the exact search's verdicts when its table is large enough.

Every case of the SPIN agreement suite (every model, option set and mode, fairness and
non-progress included) is checked with exact storage and with bitstate storage in a
roomy array (2**24 bits, the nested depth-first search for the liveness modes); the
project's models also with hash compaction; every named property (``-N``, ``--ltl``) of
the test models with bitstate storage.  The verdicts and error kinds must match.
"""

from __future__ import annotations

import pytest
from aioctx.model import check
from promela_cases import (
    AIOCTX_MODE,
    CHECKER_MODELS,
    PROJECT_MODELS,
    TEST_MODELS,
    case_id,
    cases,
    property_case_id,
    property_cases,
)

from aioctx import promela

ALL = cases(PROJECT_MODELS + TEST_MODELS + CHECKER_MODELS)
PROPERTIES = property_cases(TEST_MODELS)


@pytest.mark.parametrize("case", ALL, ids=[case_id(c) for c in ALL])
def test_lossy_storage_gives_the_exact_verdict(case):
    path, defines, mode = case
    aioctx_mode, fair = AIOCTX_MODE[mode]
    storages = ["bitstate"] + (["hash-compact"] if path in PROJECT_MODELS else [])
    exact, system = promela.check(str(path), aioctx_mode, fair=fair, defines=defines)
    for storage in storages:
        lossy = check(system, exact.mode, fair=exact.fair, storage=storage, bits=1 << 24,
                      progress=False)
        assert (lossy.verdict, lossy.kind) == (exact.verdict, exact.kind), storage
        assert lossy.storage == storage and lossy.store is not None


@pytest.mark.parametrize("case", PROPERTIES, ids=[property_case_id(c) for c in PROPERTIES])
def test_lossy_storage_gives_the_exact_verdict_on_properties(case):
    path, defines, mode, prop = case
    aioctx_mode, fair = AIOCTX_MODE[mode]
    claim, ltl = (prop[1], None) if prop[0] == "N" else (None, prop[1])
    exact, system = promela.check(str(path), aioctx_mode, fair=fair, defines=defines,
                                  claim=claim, ltl=ltl)
    lossy = check(system, exact.mode, fair=exact.fair, storage="bitstate", bits=1 << 24,
                  progress=False)
    assert (lossy.verdict, lossy.kind) == (exact.verdict, exact.kind)
