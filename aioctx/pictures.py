"""Pictures of models: the state graph of a model with a counterexample's path
highlighted, as a ``Picture`` that saves itself (SVG/PNG) and shows itself in Jupyter.
A graph of more than a few dozen states is drawn grouped (its strongly connected
components, or where the processes are: ``aioctx.model.graph.condense``).

The graph and its drawing are ``aioctx.model.graph``'s (``state_graph``, ``draw``); this
module puts them on a matplotlib ``Figure`` of its own (no pyplot state), adds a legend
and a title, and refuses graphs too large to read.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import Any

#: the formats a picture is saved in (``Drawable.save_all`` writes one file of each)
SUFFIXES = (".svg", ".png")


def svg_text() -> Any:
    """SVG text stays text (not glyph outlines): files a tenth the size, searchable."""
    import matplotlib

    return matplotlib.rc_context({"svg.fonttype": "none"})


class Drawable(ABC):
    """Saving and Jupyter display for anything that can make a matplotlib ``Figure``."""

    @abstractmethod
    def make_figure(self) -> Any:
        """The picture as a matplotlib ``Figure``."""

    def save(self, path: str, dpi: int = 110) -> str:
        """Write the picture (format from the suffix: .svg or .png); returns ``path``."""
        with svg_text():
            self.make_figure().savefig(path, dpi=dpi)
        return path

    def save_all(self, stem: str) -> list[str]:
        """``stem.svg`` and ``stem.png``."""
        return [self.save(stem + suffix) for suffix in SUFFIXES]

    def svg(self) -> str:
        buf = io.StringIO()
        with svg_text():
            self.make_figure().savefig(buf, format="svg")
        return buf.getvalue()

    def _repr_svg_(self) -> str:
        return self.svg()


class Picture(Drawable):
    """A ready matplotlib ``Figure`` (a notebook's plot, a state graph)."""

    def __init__(self, figure: Any) -> None:
        self.figure = figure

    def make_figure(self) -> Any:
        return self.figure


def state_graph(system: Any, counterexample: Any = None, *, title: str = "",
                max_states: int = 400, labels: bool | None = None) -> Picture:
    """The reachable states of ``system`` (a ``TransitionSystem`` or an
    ``aioctx.model.Model``) layered by depth, ``counterexample``'s path in red; each
    state names where every process is and the variables (small graphs), each edge its
    statement; a larger graph is drawn as groups of states with their counts."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .model.graph import COLLAPSE_ABOVE, draw
    from .model.graph import state_graph as build
    from .model.modelling import Model

    if isinstance(system, Model):
        system = system.system()
    graph = build(system, max_states=max_states)
    n = graph.number_of_nodes()
    size = min(18.0, 5 + n ** 0.5 * 0.9)
    fig = Figure(figsize=(size, size * 0.7))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.92))
    draw(graph, counterexample=counterexample, ax=ax, labels=labels, max_nodes=max_states)
    path_len = len(counterexample) if counterexample is not None else 0
    ax.set_title("")
    grouped = " (grouped: ringed groups contain a cycle)" if n > COLLAPSE_ABOVE else ""
    fig.suptitle(title or f"{graph.graph.get('name', 'model')}: {n} states, "
                 f"{graph.number_of_edges()} transitions{grouped}"
                 + (f"; counterexample of {path_len} steps in red" if path_len else ""),
                 fontsize=11)
    legend = [("initial", "#2ca02c"), ("on the counterexample", "#ff9f40"),
              ("where it ends", "#d62728"), ("no successor", "#7f7f7f"),
              ("other", "#c6dbef")]
    ax.legend(handles=[Line2D([], [], marker="o", linestyle="", color=c, label=t)
                       for t, c in legend], loc="lower right", fontsize=8)
    return Picture(fig)
