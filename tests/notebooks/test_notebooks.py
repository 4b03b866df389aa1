"""Every notebook in notebooks/ runs top to bottom in a fresh kernel (nbclient): a
broken notebook fails the suite.  Each must finish within a minute of cell time on an
idle machine; the timeout leaves room for a loaded one."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.timeout(400)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(book, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for cell in book.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    images = [o for cell in book.cells if cell.cell_type == "code"
              for o in cell.get("outputs", [])
              if o.get("output_type") in ("display_data", "execute_result")
              and ({"image/svg+xml", "image/png"} & set(o.get("data", {})))]
    assert images, "every notebook shows at least one picture"
