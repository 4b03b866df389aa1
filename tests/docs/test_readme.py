"""The Python examples of the README, of docs/design.md and of docs/pairing.md run as
written (docs that match the code)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DESIGN = ROOT / "docs" / "design.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
DESIGN_BLOCKS = [b for b in re.findall(r"```python\n(.*?)```", DESIGN.read_text(), flags=re.S)
                 if "register_strategy" in b]
#: docs/pairing.md's example (not its excerpts of the code) names the project's models
#: by their path in the checkout
PAIRING_BLOCKS = [b for b in re.findall(r"```python\n(.*?)```",
                                        (ROOT / "docs" / "pairing.md").read_text(),
                                        flags=re.S) if "import Pair" in b]


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


def test_the_design_doc_has_its_strategy_example() -> None:
    assert len(DESIGN_BLOCKS) == 1


@pytest.mark.parametrize("index", range(len(BLOCKS) + len(DESIGN_BLOCKS)))
def test_readme_example_runs(index: int, tmp_path: Path) -> None:
    script = tmp_path / f"readme_example_{index}.py"
    script.write_text((BLOCKS + DESIGN_BLOCKS)[index])
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_pairing_doc_example_runs(tmp_path: Path) -> None:
    assert len(PAIRING_BLOCKS) == 1
    script = tmp_path / "pairing_example.py"
    script.write_text(PAIRING_BLOCKS[0])
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
