"""SPIN as an oracle for the model checker's tests.

``spin`` (a fixture) compiles one of tests/model/promela/*.pml with SPIN and runs the
verifier.  The options make SPIN's state graph the same as ours, statement for
statement: ``spin -o1 -o2 -o3`` (no dataflow optimisation, no dead-variable reset, no
statement merging) and ``-DNOREDUCE`` (no partial-order reduction); ``pan -m100000
-w20`` is deep and wide enough for every model here (a search SPIN had to cut short
fails the test rather than count as a verdict).  Tests that need it are skipped where
SPIN or a C compiler is missing; CI installs SPIN.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PROMELA = Path(__file__).parent / "promela"


@dataclass(frozen=True)
class Pan:
    """What SPIN's verifier reported."""

    errors: int
    stored: int          # "states, stored"
    transitions: int     # "transitions (= stored+matched)": edges + 1 (the initial store)
    output: str


def run_pans(model: str, defines: tuple[str, ...] = (),
             runs: tuple[tuple[str, ...], ...] = ((),), non_progress: bool = False,
             text: str | None = None) -> list[Pan]:
    """Compile ``promela/<model>`` (or ``text``) once with ``-D`` ``defines`` and run the
    verifier once per argument tuple in ``runs``."""
    cc = shutil.which("gcc") or shutil.which("cc")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if text is None:
            shutil.copy(PROMELA / model, tmp)
        else:
            Path(tmp, model).write_text(text)
        subprocess.run(["spin", "-a", "-o1", "-o2", "-o3", *[f"-D{d}" for d in defines],
                        model], cwd=tmp, check=True, capture_output=True, timeout=60)
        subprocess.run([cc, "-O0", "-DNOREDUCE", *(["-DNP"] if non_progress else []),
                        "-o", "pan", "pan.c"], cwd=tmp, check=True, capture_output=True,
                       timeout=120)
        for args in runs:
            out = subprocess.run(["./pan", "-m100000", "-w20", *args], cwd=tmp,
                                 capture_output=True, text=True, timeout=300).stdout
            assert "max search depth too small" not in out, f"SPIN cut its search:\n{out}"

            def number(pattern: str, out: str = out) -> int:
                found = re.search(pattern, out)
                return int(found.group(1)) if found else -1
            results.append(Pan(number(r"errors: (\d+)"), number(r"(\d+) states, stored"),
                               number(r"(\d+) transitions \(= stored\+matched\)"), out))
    return results


def run_pan(model: str, defines: tuple[str, ...] = (), args: tuple[str, ...] = (),
            non_progress: bool = False) -> Pan:
    """Verify ``promela/<model>`` with ``-D`` ``defines`` and pan ``args``."""
    return run_pans(model, defines, (args,), non_progress)[0]


def _have_spin() -> None:
    if shutil.which("spin") is None or not (shutil.which("gcc") or shutil.which("cc")):
        pytest.skip("SPIN or a C compiler is not installed")


@pytest.fixture
def spin():
    _have_spin()
    return run_pan


@pytest.fixture
def spin_runs():
    _have_spin()
    return run_pans
