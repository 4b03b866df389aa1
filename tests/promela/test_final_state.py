"""The final-state block after a counterexample, compared with ``spin -t -p``'s.

SPIN replays its trail and then prints the processes alive, every global variable and
buffered channel, where each process stopped (``<valid end state>`` where it may stop)
and how many processes were created.  The models here have one schedule only (each
process has its own priority), so SPIN's trail and ours end in the same state and
the two blocks must be the same, line for line.  Dead-variable elimination is off
here (``--no-dead``): SPIN's simulator keeps every variable, where our search keeps a
global nothing reads at its initial value (``last`` in trail_deadlock.pml).  The step
number in front of each process line is left out of the comparison for a model with a
never claim: SPIN counts the claim's moves as steps too.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import spin_oracle
from promela_cases import ROOT

from aioctx import promela

SKIP = spin_oracle.available()
MODELS = ROOT / "tests" / "promela" / "models"
CASES = [("trail_deadlock.pml", "safety"), ("trail_assert.pml", "safety"),
         ("trail_cycle.pml", "acceptance")]
_DEPTH = re.compile(r"^ *\d+:\t", re.M)


def _block(text: str, claim: bool) -> list[str]:
    """The lines from ``spin: trail ends`` to ``N processes created``."""
    start = text.index("spin: trail ends after")
    end = text.index("processes created", start) + len("processes created")
    lines = text[start:end].split("\n")
    if claim:
        lines = [_DEPTH.sub("", line) for line in lines[1:]]
    return lines


def spin_final_block(name: str, mode: str, work) -> str:
    shutil.copy(MODELS / name, work / name)
    cflags, options = spin_oracle.MODES[mode]

    def run(*cmd: str) -> str:
        done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("spin", "-a", name)
    run("gcc", "-O0", "-w", *cflags, "-o", "pan", "pan.c")
    assert "errors: 1" in run("./pan", *options, "-n")
    return run("spin", "-t", "-p", name)


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("name,mode", CASES, ids=[c[0] for c in CASES])
def test_final_state_block_is_spins(name, mode, tmp_path, monkeypatch):
    theirs = spin_final_block(name, mode, tmp_path)
    monkeypatch.chdir(tmp_path)         # the same file name in both
    result, system = promela.check(name, mode, dead=False)
    assert result.violated
    ours = promela.format_trail(system, result)
    claim = system.c.claim_flow is not None
    assert _block(ours, claim) == _block(theirs, claim)


def test_final_state_shows_who_is_stuck_where():
    result, system = promela.check(str(MODELS / "trail_deadlock.pml"), "safety")
    assert result.kind == "invalid end state"
    text = promela.format_trail(system, result)
    block = text[text.index("#processes"):]
    # init is stuck at its condition (no end label); the workers wait at theirs
    assert re.search(r"proc  0 \(:init::9\) \S+trail_deadlock\.pml:34 \(state 6\)$", block,
                     re.M), block
    assert len(re.findall(r"\(Worker:[45]\) .*<valid end state>$", block, re.M)) == 2
    assert "\t\tqueue 2 (spare): [0]" in block and "\t\tslots[1].w[1] = -3" in block
    assert block.endswith("4 processes created")
