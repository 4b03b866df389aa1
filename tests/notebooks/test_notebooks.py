"""Every notebook in notebooks/ runs top to bottom in a fresh kernel (nbclient): a
broken notebook fails the suite.  Each must finish within a minute of cell time on an
idle machine; the timeout leaves room for a loaded one.

The pictures are checked too: each is a well-formed SVG or PNG of a readable size with
something drawn in it, and each notebook shows the pictures its story needs (a swimlane,
a state graph, a plot), counted by what they say (SVG text stays text)."""

from __future__ import annotations

import base64
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

#: the pictures each notebook shows, by kind
EXPECTED = {
    # the model's, the impl's, and both aligned (the model's counterexample on the code)
    "01-dispatching-bug-2015": {"swimlane": 2, "aligned swimlanes": 1},
    "02-notify-me-notified": {"swimlane": 3, "state graph": 1},
    "03-graph-lock-counts": {"plot": 1},
    "04-bug-finding-power": {"plot": 1},
}
SVG = "{http://www.w3.org/2000/svg}"


def _svg_size(root: ET.Element) -> tuple[float, float]:
    """Width and height in points, from the width/height attributes ("432pt")."""
    def points(value: str) -> float:
        number = re.match(r"[\d.]+", value or "")
        return float(number.group()) if number else 0.0

    return points(root.get("width", "")), points(root.get("height", ""))


def picture_kind(mime: str, data: str) -> str:
    """Check one image output; say what it is ("swimlane", "aligned swimlanes", "state
    graph", "plot")."""
    if mime == "image/png":
        raw = base64.b64decode(data)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 5_000
        width, height = struct.unpack(">II", raw[16:24])
        assert width >= 200 and height >= 150, (width, height)
        return "plot"
    assert len(data) > 5_000, "an SVG this small has nothing in it"
    root = ET.fromstring(data.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    width, height = _svg_size(root)
    assert 200 <= width <= 5_000 and 150 <= height <= 20_000, (width, height)
    drawn = sum(1 for e in root.iter() if e.tag in (f"{SVG}path", f"{SVG}text",
                                                       f"{SVG}use", f"{SVG}rect"))
    assert drawn >= 20, f"only {drawn} shapes drawn"
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    if "aligned on their shared labelled operations" in text:
        return "aligned swimlanes"
    if "shared state written" in text:
        return "swimlane"
    if "transitions" in text and "on the counterexample" in text:
        return "state graph"
    return "plot"


def test_there_are_notebooks():
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(EXPECTED)


@pytest.mark.timeout(400)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(book, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = [o for cell in book.cells if cell.cell_type == "code"
               for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    kinds: dict[str, int] = {}
    for o in outputs:
        if o.get("output_type") not in ("display_data", "execute_result"):
            continue
        for mime in ("image/svg+xml", "image/png"):
            data = o.get("data", {}).get(mime)
            if data is not None:
                kind = picture_kind(mime, "".join(data) if isinstance(data, list) else data)
                kinds[kind] = kinds.get(kind, 0) + 1
                break
    assert kinds == EXPECTED[path.stem]


def test_an_empty_or_tiny_picture_is_refused():
    from matplotlib.figure import Figure

    from aioctx.pictures import Picture

    with pytest.raises(AssertionError):
        picture_kind("image/svg+xml", Picture(Figure(figsize=(4, 3))).svg())
    with pytest.raises(AssertionError):
        picture_kind("image/png", base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(100)).decode())
