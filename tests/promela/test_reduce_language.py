"""The reductions (promela/reduce.py) and the SPIN 6 constructs that restrict them.

A process with a ``provided`` clause is neither expanded alone nor merged, and a model
with priorities gets neither reduction.  Each rule is shown here finding the error
that the reduction would hide without it, on a model whose verdict the SPIN-agreement
suite also checks (tests/promela/models), or SPIN checks here: the priority model's
non-progress cycle is checked without weak fairness only, where pan and aioctx judge a
process that priorities keep from moving differently (docs/promela.md).  xr/xs make
the receives and sends on claimed channels local where that is sound (exclusive.py),
and a misdeclared claim is still reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spin_oracle
from aioctx.promela import reduce

from aioctx import promela

MODELS = Path(__file__).parent / "models"
SKIP = spin_oracle.available()

#: once go is set, High (of a higher priority) runs for ever and Low stays short of its
#: progress label: a non-progress cycle; merging go = 1; x = 1 would carry Low past it
PRIORITY_STARVES = """byte go;
active proctype Low() priority 1 { byte x; go = 1; x = 1; progress: x = 2 }
active proctype High() priority 2 { byte y; (go == 1) -> do :: y = 1 - y od }
"""


def check(name: str, mode: str = "safety", defines=(), **reductions):
    result, _system = promela.check(str(MODELS / name), mode, defines=list(defines),
                                    **reductions)
    assert result.verdict != "incomplete"
    return result


def test_a_provided_process_is_not_expanded_alone(monkeypatch):
    """Lazy's statements are all local, but Stopper can stop it before it starts."""
    assert check("provided_alone.pml", merge=False, reduce=False).kind == \
        "invalid end state"
    assert check("provided_alone.pml", merge=False).kind == "invalid end state"
    assert check("provided_alone.pml", defines=["EARLY"]).verdict == "ok"
    monkeypatch.setattr(reduce._Analysis, "guarded", lambda self: False)
    assert check("provided_alone.pml", merge=False).verdict == "ok"     # hidden


def test_the_steps_of_a_provided_process_are_not_merged(monkeypatch):
    """Between x = 1 and x = 2 Stopper may falsify Lazy's clause, which leaves Lazy
    stuck outside its end label."""
    assert check("provided_merge.pml", merge=False, reduce=False).kind == \
        "invalid end state"
    assert check("provided_merge.pml", reduce=False).kind == "invalid end state"
    assert check("provided_merge.pml", defines=["LABEL"]).verdict == "ok"
    monkeypatch.setattr(reduce._Analysis, "guarded", lambda self: False)
    assert check("provided_merge.pml", reduce=False).verdict == "ok"    # hidden


def test_priorities_turn_the_reductions_off(monkeypatch, tmp_path):
    path = tmp_path / "starve.pml"
    path.write_text(PRIORITY_STARVES)
    result, system = promela.check(str(path), "non-progress")
    assert result.kind == "non-progress cycle"
    assert system.c.reduction.why_off == "the model uses priorities"
    assert not system.c.reduction.chains and not system.c.reduction.reduces
    monkeypatch.setattr(reduce, "why_no_reduction", lambda model, claim_flow: None)
    hidden, _system = promela.check(str(path), "non-progress")
    assert hidden.verdict == "ok"


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_spin_finds_the_starved_process_too(tmp_path):
    path = tmp_path / "starve.pml"
    path.write_text(PRIORITY_STARVES)
    assert spin_oracle.spin_verdict(str(path), "non-progress", []).violated


def test_xr_xs_statements_count_as_local_while_their_condition_holds(monkeypatch):
    """Producer's sends (xs) and Consumer's receives (xr) are expanded alone: fewer
    states than without the rule, as with pan's conditional safety (12 states, 32
    with -DNOREDUCE, the same 32 as ours without any reduction)."""
    result, system = promela.check(str(MODELS / "xr_reduce.pml"), "safety")
    assert result.verdict == "ok" and system.c.reduction.conditional
    assert check("xr_reduce.pml", reduce=False).states == 32
    monkeypatch.setattr(reduce.exclusive, "applies", lambda model: False)
    without = check("xr_reduce.pml")
    assert without.verdict == "ok" and result.states < without.states


def test_a_misdeclared_xr_xs_is_still_reported():
    """With the rule applied, another process's use of a claimed channel is found and
    reported as pan reports it (the agreement suite compares it with pan's default
    verifier, the only one that checks xr/xs)."""
    for option, claim in (("PEEK", "xr"), ("EXTRA", "xs")):
        result, system = promela.check(str(MODELS / "xr_reduce.pml"), "safety",
                                       defines=[option])
        assert system.c.reduction.conditional, option
        assert result.kind == "assertion", option
        assert f"{claim} assertion violated" in result.message, option


def test_xr_xs_are_not_local_where_a_channel_is_looked_into(tmp_path):
    """len(), empty(), polls, random receives and sorted sends anywhere in the model see
    the order of an exclusive receive or send: the rule is off."""
    text = (MODELS / "xr_reduce.pml").read_text().replace("total = a + b + d",
                                                          "total = a + b + d + len(c)")
    path = tmp_path / "peek.pml"
    path.write_text(text)
    result, system = promela.check(str(path), "safety")
    assert result.verdict == "ok" and not system.c.reduction.conditional
