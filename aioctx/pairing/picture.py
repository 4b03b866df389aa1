"""The model's run and the code's run side by side, aligned on their shared labels.

Left, the model's counterexample as a swimlane (a column per process); right, the
code's failing run (a column per thread).  Each operation of the transferred order is
an *anchor*: its model step and its code step sit on one row, joined across the gutter
and numbered.  Between two anchors each side shows what it did on its own, quiet runs
folded ("... n steps") and long stretches cut to their last rows, so the picture stays
readable however long the code's trace is.  The thread stuck at the end (red) closes
both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..pictures import Drawable
from ..swimlane import (
    MARK_COLOURS,
    PALETTE,
    QUIET_COLOUR,
    LaneRow,
    canvas,
    fold_quiet,
    from_model,
    from_sim,
)

if TYPE_CHECKING:
    from .transfer import Transfer

#: rows each side keeps between two anchors (the last ones: what leads to the anchor)
GAP_ROWS = 5
ANCHOR_FACE = "#fff1c1"


@dataclass
class Block:
    """One stretch of both runs: the model's rows, the code's rows, and the anchor
    (its number) that ends it, 0 for the stretch after the last anchor."""

    model: list[LaneRow]
    code: list[LaneRow]
    anchor: int


class AlignedLanes(Drawable):
    """Two swimlanes, one per side, their shared labelled operations on common rows."""

    def __init__(self, title: str, model_columns: list[str], code_columns: list[str],
                 blocks: list[Block], footer: str = "") -> None:
        self.title = title
        self.model_columns = model_columns
        self.code_columns = code_columns
        self.blocks = blocks
        self.footer = footer

    def rows(self) -> int:
        return sum(max(len(b.model), len(b.code)) for b in self.blocks)

    def make_figure(self) -> Any:
        col_w, gutter, row_h, num_w = 2.5, 0.7, 0.28, 0.1
        left = num_w
        mid = left + len(self.model_columns) * col_w
        right = mid + gutter
        width = right + len(self.code_columns) * col_w + 0.1
        height = 1.4 + row_h * (self.rows() + 1) + (0.35 if self.footer else 0)
        fig, ax = canvas(width, height)
        ax.text(0.1, 0.3, self.title, fontsize=10, weight="bold", va="center")
        ax.text(left + 0.05, 0.62, "model (left) and code (right), aligned on their shared "
                "labelled operations (numbered)", fontsize=8, style="italic",
                color="#555555")
        top = 0.8
        for side, names in ((left, self.model_columns), (right, self.code_columns)):
            for i, name in enumerate(names):
                x = side + i * col_w
                ax.text(x + col_w / 2, top + row_h / 2, name, ha="center", va="center",
                        fontsize=8.5, weight="bold")
                ax.plot([x + col_w / 2] * 2, [top + row_h, height - 0.45], color="#dddddd",
                        linewidth=0.8, zorder=0)
        y = top + row_h * 1.3
        for block in self.blocks:
            n = max(len(block.model), len(block.code))
            pad_m, pad_c = n - len(block.model), n - len(block.code)
            for k in range(n):
                last = block.anchor and k == n - 1
                if last:
                    ax.add_patch(_band(0.02, y, width - 0.04, row_h))
                    ax.text(mid + gutter / 2, y + row_h / 2, str(block.anchor), ha="center",
                            va="center", fontsize=7.5, weight="bold", color="#8a6d00")
                if k >= pad_m:
                    _cell(ax, left, col_w, y, row_h, block.model[k - pad_m])
                if k >= pad_c:
                    _cell(ax, right, col_w, y, row_h, block.code[k - pad_c])
                y += row_h
        if self.footer:
            ax.text(0.1, y + 0.3, self.footer[:170], fontsize=7.5, va="center",
                    color="#c0392b")
        return fig


def _band(x: float, y: float, w: float, h: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=ANCHOR_FACE, edgecolor="#e0c060",
                     linewidth=0.8, zorder=-1)


def _cell(ax: Any, side: float, col_w: float, y: float, row_h: float, row: LaneRow) -> None:
    from matplotlib.patches import FancyBboxPatch

    x = side + row.column * col_w
    if row.folded:
        ax.text(x + col_w / 2, y + row_h / 2, row.text, ha="center", va="center",
                fontsize=6.5, style="italic", color=QUIET_COLOUR)
        return
    edge = MARK_COLOURS.get(row.mark, "none")
    ax.add_patch(FancyBboxPatch((x + 0.05, y + 0.03), col_w - 0.1, row_h - 0.06,
                                boxstyle="round,pad=0.01",
                                facecolor=PALETTE[row.column % len(PALETTE)],
                                edgecolor=edge, linewidth=1.4 if row.mark else 0))
    text = row.text if len(row.text) <= 40 else row.text[:39] + "~"
    ax.text(x + 0.1, y + row_h / 2, text, va="center", fontsize=6.2, family="monospace",
            color=MARK_COLOURS.get(row.mark, "#111111"))


def _trim(rows: list[LaneRow]) -> list[LaneRow]:
    """A stretch between anchors: quiet runs folded, cut to its last GAP_ROWS rows."""
    rows = fold_quiet(rows)
    if len(rows) <= GAP_ROWS:
        return rows
    cut = len(rows) - GAP_ROWS + 1
    hidden = sum(r.folded or 1 for r in rows[:cut])
    return [LaneRow(rows[0].step, rows[cut].column, f"... {hidden} steps", folded=hidden)
            ] + rows[cut:]


def _split(rows: list[LaneRow], anchors: list[int]) -> list[list[LaneRow]]:
    """``rows`` cut after each anchor step (1-based step numbers, in order); the last
    piece is what follows the last anchor."""
    pieces: list[list[LaneRow]] = [[] for _ in range(len(anchors) + 1)]
    k = 0
    for row in rows:
        pieces[k].append(row)
        if k < len(anchors) and row.step == anchors[k] and not row.mark:
            k += 1
    return pieces


def aligned(transfer: Transfer) -> AlignedLanes:
    """The picture of a transfer that reproduced its failure."""
    trail, cx = transfer.trail, transfer.counterexample
    if trail is None or cx is None:
        raise ValueError("nothing to draw: the transfer did not reproduce a failure")
    model = from_model(trail.counterexample, trail.system, max_rows=None, fold=False)
    code = from_sim(cx, max_rows=None, fold=False)
    model_pieces = _split(model.rows, [mi + 1 for mi, _ in transfer.aligned])
    code_pieces = _split(code.rows, [ti + 1 for _, ti in transfer.aligned])
    blocks = []
    for k, (m, c) in enumerate(zip(model_pieces, code_pieces, strict=True)):
        anchor = k + 1 if k < len(transfer.aligned) else 0
        m_rows = _trim(m[:-1]) + m[-1:] if anchor else _trim_end(m)
        c_rows = _trim(c[:-1]) + c[-1:] if anchor else _trim_end(c)
        blocks.append(Block(m_rows, c_rows, anchor))
    title = (f"{transfer.corr.describe()}: the model's {trail.counterexample.kind} on the "
             f"code ({cx.failure.kind}, execution {transfer.executions})")
    return AlignedLanes(title, model.columns, code.columns, blocks,
                        f"code: {code.footer}")


def _trim_end(rows: list[LaneRow]) -> list[LaneRow]:
    """After the last anchor: quiet runs folded, marked rows (who is stuck) kept."""
    rows = fold_quiet(rows)
    marked = [r for r in rows if r.mark]
    rest = [r for r in rows if not r.mark][-GAP_ROWS:]
    return rest + marked
