"""Statement merging, partial-order reduction and dead-variable elimination
(promela/reduce.py, deadvars.py) keep verdicts.

test_spin_agreement.py checks the default (every reduction on) against SPIN; here every
case of that suite gives the same verdict with the reductions off, the reductions
shrink the search towards what SPIN's default verifier stores, and the two
rules that make the partial-order reduction sound (the cycle proviso, visible
locations) are each shown finding an error that the reduction would hide without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spin_oracle
from aioctx.promela import reduce
from promela_cases import (
    AIOCTX_MODE,
    CHECKER_MODELS,
    PROJECT_MODELS,
    TEST_MODELS,
    case_id,
    cases,
    variants,
)

from aioctx import promela
from aioctx.cli import main

ALL = cases(PROJECT_MODELS + TEST_MODELS + CHECKER_MODELS)
MODELS = Path(__file__).parent / "models"
SKIP = spin_oracle.available()


def verdict(path, mode="safety", fair=False, defines=(), **reductions):
    result, _system = promela.check(str(path), mode, fair=fair, defines=list(defines),
                                    **reductions)
    assert result.verdict != "incomplete"
    return result


@pytest.mark.parametrize("case", ALL, ids=[case_id(c) for c in ALL])
def test_reductions_keep_the_verdict(case):
    """The default (every reduction on; test_spin_agreement.py: SPIN's verdict) and
    every reduction off give the same verdict."""
    path, defines, mode = case
    aioctx_mode, fair = AIOCTX_MODE[mode]
    on = verdict(path, aioctx_mode, fair, defines)
    off = verdict(path, aioctx_mode, fair, defines, merge=False, reduce=False, dead=False)
    assert on.verdict == off.verdict, (on.kind, off.kind)


LOOP_HIDES_ASSERT = """
active proctype Checker() { byte y; y = 1; assert(y == 0) }
active proctype Looper() { byte x; do :: x = 1 - x od }
"""

LOOP_HIDES_NON_PROGRESS = """
active proctype Climber() { byte a; a = 1;
progress: do :: a = 1 - a od }
active proctype Looper() { byte b; do :: b = 1 - b od }
"""


def test_cycle_proviso_finds_the_assertion_a_local_loop_would_postpone(monkeypatch, tmp_path):
    """Looper (the higher pid, tried first) loops on local statements for ever; without
    the proviso the reduced search would only ever run Looper and never Checker."""
    path = tmp_path / "loop.pml"
    path.write_text(LOOP_HIDES_ASSERT)
    assert verdict(path, merge=False, reduce=False).kind == "assertion"
    assert verdict(path).kind == "assertion"
    monkeypatch.setattr(reduce, "_back_edges", lambda flow: set())
    assert verdict(path).verdict == "ok"        # what the test would miss


def test_progress_locations_are_visible(monkeypatch, tmp_path):
    """Climber's first step enters a progress location: expanded alone, it would hide the
    runs in which Looper cycles while Climber has not made progress yet."""
    path = tmp_path / "np.pml"
    path.write_text(LOOP_HIDES_NON_PROGRESS)
    assert verdict(path, "non-progress", merge=False, reduce=False).kind == \
        "non-progress cycle"
    assert verdict(path, "non-progress").kind == "non-progress cycle"
    monkeypatch.setattr(reduce._Analysis, "_visible", lambda self, loc, labels: False)
    assert verdict(path, "non-progress").verdict == "ok"


def test_reductions_shrink_the_filter_lock():
    path = MODELS / "filter_lock.pml"
    off = verdict(path, merge=False, reduce=False).states
    merged = verdict(path, reduce=False).states
    both = verdict(path).states
    assert both < merged < off
    assert verdict(path, merge=False).states < off
    assert verdict(path, defines=["BUG"]).kind == "assertion"


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("path", PROJECT_MODELS + [MODELS / "filter_lock.pml"],
                         ids=lambda p: p.stem)
def test_states_within_one_and_a_half_of_spins_default(path):
    """Where SPIN's default verifier finds no error (its count is then the whole
    reduced graph), we store at most 1.5 times its states."""
    for defines in variants(path):
        theirs = spin_oracle.spin_verdict(str(path), "safety", defines, optimised=True)
        if theirs.violated:
            continue
        ours = verdict(path, defines=defines)
        assert ours.states <= 1.5 * theirs.states, (defines, ours.states, theirs.states)


def test_merged_assertion_reports_its_own_text(tmp_path):
    path = tmp_path / "merged.pml"
    path.write_text("byte g;\nactive proctype P() { byte a; g = 1; a = 2; assert(a == 3) }\n")
    result = verdict(path)
    assert result.kind == "assertion" and "a == 3" in result.message
    assert verdict(path, merge=False).message == result.message


def test_check_reports_the_reductions(tmp_path, capsys):
    path = tmp_path / "ok.pml"
    path.write_text("byte g;\nactive [2] proctype P() { byte a; a = 1; g = a }\n")
    assert main(["check", str(path)]) == 0
    assert "reductions: statement merging, partial-order reduction" in capsys.readouterr().out
    assert main(["check", str(path), "--no-merge", "--no-reduce", "--no-dead"]) == 0
    assert "reductions: none" in capsys.readouterr().out
    assert main(["check", str(path), "--acceptance", "--fair"]) == 0
    assert "reductions: statement merging, partial-order reduction" in capsys.readouterr().out
    assert main(["check", str(path), "--json", "--no-reduce"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reductions"]["merge"] and not data["reductions"]["reduce"]


def test_reductions_are_off_where_a_step_is_visible(tmp_path):
    path = tmp_path / "last.pml"
    path.write_text("byte g;\nactive [2] proctype P() { byte a; a = 1; g = _last }\n")
    _result, system = promela.check(str(path))
    assert system.c.reduction.summary() == (
        "dead variables (no merging or partial-order reduction: the model reads _last)")
    assert not system.c.reduction.chains and not system.c.reduction.reduces


@pytest.mark.parametrize("storage", ["exact", "bitstate"])
def test_weak_fairness_tells_a_postponed_process_from_a_blocked_one(monkeypatch, storage):
    """fair_reduce.pml: the reduction expands Looper alone at its first choice.  Setter
    is postponed there, not blocked (``movers``, schedgen.py's MOVERS), so Looper
    spinning is no fair cycle; SPIN's verdicts are in test_spin_agreement.py."""
    path = MODELS / "fair_reduce.pml"
    result, system = promela.check(str(path), "acceptance", fair=True, storage=storage)
    assert system.c.reduction.reduces and system.movers is not None
    assert result.verdict == "ok"
    blocked, _ = promela.check(str(path), "acceptance", fair=True, storage=storage,
                               defines=["BLOCKED"])
    assert blocked.kind == "acceptance cycle"
    original = promela.system.PromelaSystem.__init__

    def without_movers(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.movers = None
    monkeypatch.setattr(promela.system.PromelaSystem, "__init__", without_movers)
    result, _ = promela.check(str(path), "acceptance", fair=True, storage=storage)
    assert result.kind == "acceptance cycle"        # what the reduction would report


def test_a_claim_reading_np_keeps_the_reductions():
    """np_ changes only on steps into or out of progress locations, which both
    reductions keep (stutter.py); claim_np.pml's verdicts against SPIN are in
    test_spin_agreement.py."""
    _result, system = promela.check(str(MODELS / "claim_np.pml"), "acceptance")
    assert system.c.reduction.why_off is None


RENDEZVOUS = """
chan c = [0] of { byte };
byte g;
active proctype P() { byte a; a = 1; c!a }
active proctype Q() { byte b; c?b; g = b }
"""

XR_XS = """
chan c = [1] of { byte };
byte g;
active proctype P() { xs c; byte a; a = 1; c!a }
active proctype Q() { xr c; byte b; c?b; g = b }
"""

#: a property, so that acceptance mode searches for (fair) cycles
PROPERTY = "ltl { <>[] (g == 1) }\n"


def test_weak_fairness_keeps_the_reduction_but_for_rendezvous_and_xr(tmp_path):
    """As pan -f: no partial-order reduction with rendezvous channels (a local step can
    enable a rendezvous partner; pan refuses the combination); and an xr/xs statement is
    not local under fairness (a receive can unblock a sender)."""
    path = tmp_path / "rv.pml"
    path.write_text(RENDEZVOUS + PROPERTY)
    _result, system = promela.check(str(path), "acceptance", fair=True)
    assert system.c.reduction.fair_off and not system.c.reduction.reduces
    assert "weak fairness with rendezvous" in system.c.reduction.summary()
    _result, system = promela.check(str(path), "acceptance")
    assert system.c.reduction.reduces
    path = tmp_path / "xr.pml"
    path.write_text(XR_XS + PROPERTY)
    _result, system = promela.check(str(path), "acceptance")
    assert system.c.reduction.conditional
    _result, system = promela.check(str(path), "acceptance", fair=True)
    assert not system.c.reduction.conditional and not system.c.reduction.fair_off


def test_weak_fairness_without_accept_labels_keeps_the_safety_reductions(tmp_path):
    """Acceptance mode on a model without accept labels is a safety search, as in SPIN,
    and fairness says nothing about one: the reductions that a fair cycle search leaves
    out (rendezvous, xr/xs) stay on, and the search stores what safety mode stores."""
    for name, text in (("rv.pml", RENDEZVOUS), ("xr.pml", XR_XS)):
        path = tmp_path / name
        path.write_text(text)
        fair, fair_system = promela.check(str(path), "acceptance", fair=True)
        plain, plain_system = promela.check(str(path), "safety")
        assert fair.mode == "safety" and not fair.fair, name
        assert fair_system.c.reduction.reduces and not fair_system.c.reduction.fair_off
        assert fair_system.c.reduction.conditional.keys() == \
            plain_system.c.reduction.conditional.keys(), name
        assert fair.states == plain.states, name
    assert fair_system.c.reduction.conditional


COUNTING_CLAIM = """
byte g;
active proctype P() { byte a; a = 1; a = 2; g = 1 }
never { skip; skip; g == 0 }
"""

LTL_SHAPED_CLAIM = """
byte g;
active proctype P() { byte a; a = 1; a = 2; g = 1 }
never { do :: true :: g == 1 -> break od; accept: do :: g == 1 od }
"""


def test_a_claim_that_counts_steps_gets_no_merging(monkeypatch, tmp_path):
    """The claim reaches its end if g is still 0 on the third state it reads: with
    P's two local steps merged into one it would read g == 1 there."""
    path = tmp_path / "count.pml"
    path.write_text(COUNTING_CLAIM)
    assert verdict(path, merge=False, reduce=False).kind == "claim"
    result, system = promela.check(str(path), "safety")
    assert result.kind == "claim" and not system.c.reduction.chains
    monkeypatch.setattr(reduce, "stutter_blind", lambda flow, body: True)
    assert verdict(path).verdict == "ok"        # what merging would hide


def test_an_ltl_shaped_claim_keeps_the_reductions(tmp_path):
    path = tmp_path / "ltl.pml"
    path.write_text(LTL_SHAPED_CLAIM)
    result, system = promela.check(str(path), "acceptance")
    assert system.c.reduction.chains and system.c.reduction.why_off is None
    assert result.kind == "acceptance cycle"
    assert verdict(path, "acceptance", merge=False, reduce=False).kind == "acceptance cycle"


REMOTE_READ = """
byte g;
active proctype P() { byte x; x = 7; g = 1 }
active proctype Q() { g == 1 -> assert(P[0]:x == 7) }
"""


def test_a_local_read_remotely_is_never_reset(monkeypatch, tmp_path):
    """x is never read by P, only by Q as P[0]:x: it must keep its value."""
    path = tmp_path / "remote.pml"
    path.write_text(REMOTE_READ)
    assert verdict(path).verdict == "ok"
    assert verdict(path, dead=False).verdict == "ok"
    monkeypatch.setattr(reduce, "_remote_refs", lambda model: (set(), set()))
    assert verdict(path).kind == "assertion"    # what the reset would do


OWNED = """
local byte mine;
byte shared;
active proctype Owner() { mine = 1; mine = mine + 1; shared = mine }
active proctype Other() { shared == 2 }
"""

TWO_WRITERS = """
local byte g;
active [2] proctype P() { byte me; me = _pid; g = me; assert(g == me) }
"""


def test_a_global_declared_local_is_local_where_one_process_alone_touches_it(
        monkeypatch, tmp_path):
    """SPIN's ``local`` prefix: ``mine`` is Owner's alone (its steps merge), but not once
    Other reads it, nor without the prefix; a ``local`` global that two processes of
    one proctype write is nobody's (else the reduction would hide the write between
    ``g = me`` and the assert: pan, which trusts the prefix, misses it too)."""
    path = tmp_path / "owned.pml"
    for text, merged in ((OWNED, True), (OWNED.replace("local byte", "byte"), False),
                         (OWNED.replace("2 }", "2; assert(mine == 2) }"), False)):
        path.write_text(text)
        result, system = promela.check(str(path))
        assert result.verdict == "ok" and bool(system.c.reduction.chains) == merged
    path = tmp_path / "two.pml"
    path.write_text(TWO_WRITERS)
    assert verdict(path).kind == "assertion"
    monkeypatch.setattr(reduce, "_owned_globals",
                        lambda model: {p.name: {"g"} for p in model.proctypes})
    assert verdict(path).verdict == "ok"        # what the reduction would hide


CLAIM_LOOP = """
byte x;
active proctype P() { end: do :: x = 1 - x od }
never { do :: true :: x == 5 -> break od; accept: do :: x == 5 od }
"""


def test_a_claims_loop_entry_and_head_are_one_location(tmp_path):
    """The claim's first ``do`` is entered at one location and loops at another that
    behaves alike: with merging on they are one, as in pan (2 states, SPIN's count);
    with ``--no-merge`` the claim's first step leads to the second one (3 states)."""
    path = tmp_path / "loop.pml"
    path.write_text(CLAIM_LOOP)
    assert verdict(path).states == 2
    assert verdict(path, merge=False).states == 3


def test_dead_variables_merge_states(tmp_path):
    """A loop counter written before each use and a global nobody reads: with them
    kept at 0 the states that differ only there become one."""
    path = tmp_path / "dead.pml"
    path.write_text("byte w, g;\nactive [2] proctype P() { byte k;\n"
                    "  do :: k = g; g = k + 1; w = g :: g > 3 -> break od }\n")
    on = verdict(path)
    off = verdict(path, dead=False)
    assert on.verdict == off.verdict == "ok" and on.states < off.states
