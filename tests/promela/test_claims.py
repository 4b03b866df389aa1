"""Never claims as SPIN runs them, checked without SPIN (the agreement suite compares the
same models with SPIN's verdicts).

The claim moves in lockstep with the system: a claim step, then a system step.  QEMU's
tcg-exclusive model checks its safety property as ``:: 1 -> assert(SAFETY)`` inside
its never claim's loop, which evaluates SAFETY only on the states where the claim takes
that step; claim_lockstep.pml has the same shape.
"""

from __future__ import annotations

from promela_cases import ROOT

from aioctx import promela

MODELS = ROOT / "tests" / "promela" / "models"


def check(name: str, *defines: str, mode: str = "safety"):
    result, system = promela.check(str(MODELS / name), mode, defines=list(defines))
    assert result.verdict != "incomplete"
    return result, system


def test_claim_assert_is_evaluated_only_on_the_claims_own_steps():
    # Flip breaks the property on every second state only: the claim never looks there
    result, _ = check("claim_lockstep.pml")
    assert result.ok
    # one more step in Flip's loop puts a bad state where the claim looks
    result, system = check("claim_lockstep.pml", "ODD")
    assert result.violated and result.kind == "assertion"
    trail = promela.format_trail(system, result)
    assert "(never claim)" in trail and "assert(!bad)" in trail


def test_safety_claim_of_spin_f_is_accepted_and_looks_at_every_state():
    # "atomic { !p -> assert(!(!p)) }": the claim's whole atomic sequence is one round
    result, _ = check("claim_atomic.pml")
    assert result.ok
    result, _ = check("claim_atomic.pml", "BAD")
    assert result.violated and result.kind == "assertion"


def test_claim_d_step_that_blocks_half_way_is_a_run_time_error():
    result, _ = check("claim_dstep.pml", "STUCK")
    assert result.violated and "blocked after its first statement" in result.message


def test_np_reads_false_when_the_claim_stutters_but_true_on_its_first_move_after():
    # the worker stops; the claim's first move after that still sees np_ true
    result, _ = check("claim_np.pml", "FIRST")
    assert result.violated and result.kind == "assertion"
    # a stopped system is no non-progress cycle: the stutter moves read np_ false ...
    result, _ = check("claim_np.pml", "HALT", mode="acceptance")
    assert result.ok
    # ... unless weak fairness moves the claim (pan -f does not mark those moves)
    result, _ = promela.check(str(MODELS / "claim_np.pml"), "acceptance", fair=True,
                              defines=["HALT"])
    assert result.violated and result.kind == "acceptance cycle"


def test_pc_value_uses_spins_state_numbers():
    result, _ = check("pc_value.pml")
    assert result.ok
    result, _ = check("pc_value.pml", "CLAIM")
    assert result.violated and result.kind == "claim"


def test_last_is_the_pid_that_moved_last():
    assert check("last.pml")[0].ok
    result, _ = check("last.pml", "WRONG")
    assert result.violated and result.kind == "assertion"
