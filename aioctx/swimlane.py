"""A counterexample as a swimlane diagram: one column per thread or process, one row per
step, the shared variables each step changed on the right, and the moment it goes wrong
marked.

``from_sim(cx)`` takes an ``aioctx.sim`` counterexample, ``from_model(cx, system)`` an
``aioctx.model`` one (Promela models included); both give a ``Swimlane``, which draws
itself with matplotlib (``make_figure()``, ``save(path)`` for .svg/.png, ``save_all(stem)``
for both) and shows itself in Jupyter (``_repr_svg_``).

Marks.  A thread that sleeps for ever (a lost wake-up or a deadlock) gets a row of its
own right after its last step: the blocking call it never returned from, in red when it
is a poll (the waiter whose wake-up was lost).  An exception marks the step that raised
it.  In a liveness counterexample the steps of the cycle are shaded.

Reads.  A load shows the value it read in its cell.  A load that sees what another
thread wrote since this one last looked (``ctx.dispatching`` set by the poller, read by
the worker that then skips its notify) is how threads decide on each other's state: the
right column names the value and its writer, in a colour of its own.

Long traces.  When there are more than ``max_rows`` rows, a thread's run of steps that
neither change shared state nor read news folds into one "... n steps" row; then, if
still too long, the marked rows and the last ``max_rows`` are kept and the rows left
out are counted in a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pictures import Drawable

#: operations that change shared state (their traced value is what was written,
#: or (old, new) for read-modify-writes)
WRITES = {"store", "xchg", "cmpxchg", "fetch_add", "fetch_sub", "fetch_or", "fetch_and",
          "fetch_xor", "notifier_set", "notifier_clear", "lock", "unlock", "trylock"}
#: trace noise: fences change nothing, cpu_relax is a busy-wait tick
SKIP = ("fence.", "cpu_relax")

SLEEP, FAIL, WAIT = "sleep", "fail", "wait"
PALETTE = ["#dbe9f6", "#e2f0d9", "#fde9d9", "#ece1f5", "#fff2cc", "#ddf3f3", "#f2dcdb"]
MARK_COLOURS = {SLEEP: "#c0392b", FAIL: "#c0392b", WAIT: "#7f8c8d"}
CHANGE_COLOUR, READ_COLOUR, QUIET_COLOUR = "#1f4e79", "#9a5b00", "#777777"


@dataclass
class LaneRow:
    step: int                   # step number in the whole counterexample (1-based)
    column: int
    text: str
    changes: str = ""
    mark: str = ""              # "", SLEEP, FAIL or WAIT
    note: str = ""
    cycle: bool = False
    reads: str = ""             # a value another thread wrote, read here first
    folded: int = 0             # > 0: this row stands for that many quiet steps

    @property
    def quiet(self) -> bool:
        """Changes nothing shared, reads no news, marks nothing: foldable."""
        return not (self.changes or self.reads or self.mark or self.note or self.cycle)


def canvas(width: float, height: float) -> tuple[Any, Any]:
    """A ``Figure`` of ``width`` x ``height`` inches and its one ``Axes`` in inch
    coordinates, y growing downwards (rows are laid out from the top), no axis lines."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    return fig, ax


@dataclass
class Swimlane(Drawable):
    title: str
    columns: list[str]
    rows: list[LaneRow]
    footer: str = ""
    omitted: dict[int, int] = field(default_factory=dict)   # row index -> rows left out

    # ------------------------------------------------------------------ drawing

    def make_figure(self) -> Any:
        """The diagram as a matplotlib ``Figure`` (no pyplot state involved)."""
        from matplotlib.patches import FancyBboxPatch

        ncol = len(self.columns)
        col_w, num_w, chg_w, row_h = 2.7, 0.45, 2.9, 0.3
        lines = len(self.rows) + sum(1 for _ in self.omitted)
        width = num_w + ncol * col_w + chg_w
        height = 1.1 + row_h * (lines + 1) + (0.35 if self.footer else 0)
        fig, ax = canvas(width, height)
        ax.text(0.1, 0.35, self.title, fontsize=10, weight="bold", va="center")
        top = 0.75
        for i, name in enumerate(self.columns):
            x = num_w + i * col_w
            ax.add_patch(FancyBboxPatch((x + 0.05, top), col_w - 0.1, row_h * 0.9,
                                        boxstyle="round,pad=0.02", linewidth=0,
                                        facecolor=_shade(PALETTE[i % len(PALETTE)])))
            ax.text(x + col_w / 2, top + row_h * 0.45, name, ha="center", va="center",
                    fontsize=8.5, weight="bold")
            ax.plot([x + col_w / 2] * 2, [top + row_h, height - 0.4], color="#cccccc",
                    linewidth=0.8, zorder=0)
        ax.text(num_w + ncol * col_w + 0.1, top + row_h * 0.45, "shared state written",
                va="center", fontsize=8.5, weight="bold", color=CHANGE_COLOUR)
        ax.text(num_w + ncol * col_w + 1.55, top + row_h * 0.45, "/ read",
                va="center", fontsize=8.5, weight="bold", color=READ_COLOUR)
        y = top + row_h * 1.2
        cycle_top = None
        for index, row in enumerate(self.rows):
            if index in self.omitted:
                ax.text(num_w + ncol * col_w / 2, y + row_h / 2,
                        f"... {self.omitted[index]} steps not shown ...", ha="center",
                        va="center", fontsize=7, style="italic", color="#666666")
                y += row_h
            if row.cycle and cycle_top is None:
                cycle_top = y
            x = num_w + row.column * col_w
            ax.text(0.38, y + row_h / 2, str(row.step), ha="right", va="center",
                    fontsize=6.5, color="#888888")
            if row.folded:
                ax.text(x + col_w / 2, y + row_h / 2, row.text, ha="center", va="center",
                        fontsize=6.5, style="italic", color=QUIET_COLOUR)
                y += row_h
                continue
            face = PALETTE[row.column % len(PALETTE)]
            edge = MARK_COLOURS.get(row.mark, "none")
            ax.add_patch(FancyBboxPatch((x + 0.06, y + 0.03), col_w - 0.12, row_h - 0.06,
                                        boxstyle="round,pad=0.01", facecolor=face,
                                        edgecolor=edge, linewidth=1.6 if row.mark else 0))
            ax.text(x + 0.12, y + row_h / 2, _fit(row.text, 44), va="center", fontsize=6.5,
                    family="monospace",
                    color=MARK_COLOURS.get(row.mark, "#111111"),
                    weight="bold" if row.mark in (SLEEP, FAIL) else "normal")
            right, colour = _right_column(row)
            if right:
                ax.text(num_w + ncol * col_w + 0.1, y + row_h / 2, _fit(right, 50),
                        va="center", fontsize=6.5, family="monospace", color=colour,
                        weight="bold" if row.reads and not row.changes else "normal")
            y += row_h
        if cycle_top is not None:
            ax.add_patch(FancyBboxPatch((0.02, cycle_top), width - 0.04, y - cycle_top,
                                        boxstyle="round,pad=0.01", facecolor="#fff4d6",
                                        edgecolor="#e0a800", linewidth=1, zorder=-1))
            ax.text(width - 0.1, cycle_top + 0.02, "cycle: repeats for ever", ha="right",
                    va="top", fontsize=7, color="#b07d00", style="italic")
        if self.footer:
            ax.text(0.1, y + 0.3, _fit(self.footer, 160), fontsize=7.5, va="center",
                    color="#c0392b")
        return fig


def _right_column(row: LaneRow) -> tuple[str, str]:
    """What the right column says for ``row``, and in which colour."""
    if row.changes:
        return row.changes, CHANGE_COLOUR
    if row.reads:
        return row.reads, READ_COLOUR
    return row.note, MARK_COLOURS.get(row.mark, CHANGE_COLOUR)


def _shade(colour: str) -> str:
    """A darker version of a palette colour, for column headers."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * .85):02x}{int(g * .85):02x}{int(b * .85):02x}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "~"


def _value(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return f"{_value(value[0])} -> {_value(value[1])}"
    try:
        text = repr(value)
    except Exception:           # a freed impl object may refuse to be read
        text = f"<{type(value).__name__}>"
    return _fit(text, 28)


def _fold_loops(rows: list[LaneRow], longest: int = 8) -> list[LaneRow]:
    """Drop the repeats of a block of steps that a thread runs again and again (a
    busy-wait, a retry loop): the first pass stays, labelled with the repeat count."""
    drop: set[int] = set()
    for col in sorted({r.column for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.column == col]
        seq = [(rows[i].text, rows[i].changes, rows[i].mark) for i in idx]
        i = 0
        while i < len(seq):
            for k in range(1, longest + 1):
                block = seq[i:i + k]
                reps = 1
                while seq[i + reps * k:i + (reps + 1) * k] == block and len(block) == k:
                    reps += 1
                if reps > 1 and not any(m for _, _, m in block):
                    last = rows[idx[i + k - 1]]
                    again = f"(x{reps})" if k == 1 else f"(last {k} steps x{reps})"
                    last.changes = (last.changes + "  " if last.changes else "") + again
                    drop.update(idx[i + k:i + reps * k])
                    i += reps * k
                    break
            else:
                i += 1
    return [r for i, r in enumerate(rows) if i not in drop]


def fold_quiet(rows: list[LaneRow], least: int = 2) -> list[LaneRow]:
    """Each run of at least ``least`` consecutive quiet rows of one thread becomes one
    row counting them."""
    out: list[LaneRow] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].quiet and rows[j].column == rows[i].column:
            j += 1
        if j - i >= least:
            n = j - i
            out.append(LaneRow(rows[i].step, rows[i].column, f"... {n} steps", folded=n))
            i = j
        else:
            out.append(rows[i])
            i += 1
    return out


def _condense(rows: list[LaneRow], max_rows: int | None) -> tuple[list[LaneRow],
                                                                   dict[int, int]]:
    """Fold loops; if that is not enough, fold quiet runs, then keep marked rows, their
    neighbours and the last ``max_rows``, counting the gaps."""
    rows = _fold_loops(rows)
    if max_rows is None or len(rows) <= max_rows:
        return rows, {}
    rows = fold_quiet(rows)
    if len(rows) <= max_rows:
        return rows, {}
    keep = set(range(len(rows) - max_rows, len(rows)))
    for i, r in enumerate(rows):
        if r.mark or r.cycle:
            keep.update(range(max(0, i - 3), min(len(rows), i + 2)))
    out: list[LaneRow] = []
    omitted: dict[int, int] = {}
    gap = 0
    for i, r in enumerate(rows):
        if i in keep:
            if gap:
                omitted[len(out)] = gap
                gap = 0
            out.append(r)
        else:
            gap += 1
    return out, omitted


# ---------------------------------------------------------------------- sim

class _News:
    """Who wrote each object last, and which write each thread has already seen."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[int, int]] = {}            # object -> (thread, step)
        self.seen: dict[tuple[int, str], int] = {}            # (thread, object) -> step

    def wrote(self, obj: str, tid: int, step: int) -> None:
        self.last[obj] = (tid, step)
        self.seen[(tid, obj)] = step

    def read(self, obj: str, tid: int) -> tuple[int, int] | None:
        """The (writer, step) of the value ``tid`` reads, if another thread wrote it
        since ``tid`` last read or wrote ``obj``."""
        writer = self.last.get(obj)
        if writer is None or writer[0] == tid or self.seen.get((tid, obj)) == writer[1]:
            return None
        self.seen[(tid, obj)] = writer[1]
        return writer


def from_sim(cx: Any, title: str = "", max_rows: int | None = 90,
             fold: bool = True) -> Swimlane:
    """A swimlane of an ``aioctx.sim`` counterexample (``sim.Counterexample``); with
    ``fold`` False, one row per step (loops not folded either)."""
    failure = cx.failure
    threads = list(cx.threads)
    blocked = {b.thread: b for b in failure.blocked}
    rows: list[LaneRow] = []
    last_row: dict[int, int] = {}
    news = _News()
    for n, step in enumerate(cx.trace, 1):
        tid, op, obj, label, value = step.tid, step.op, step.obj, step.label, step.value
        if op.startswith(SKIP) or not 0 <= tid < len(threads):
            continue
        text = label or f"{op} {obj}".strip()
        if step.note:                       # why the value is what it is
            text += f" ({step.note})"
        changes = reads = ""
        if op in WRITES and obj:
            changes = f"{obj}: {_value(value)}" if value is not None else f"{op} {obj}"
            news.wrote(obj, tid, n)
        elif op == "load":                  # a load always records what it read
            text += f" = {_value(value)}"
            writer = news.read(obj, tid)
            if writer is not None:
                reads = f"reads {threads[writer[0]]}'s {obj} = {_value(value)}"
        last_row[tid] = len(rows)
        rows.append(LaneRow(n, tid, text, changes, reads=reads))
    if failure.kind == "exception" and failure.thread in threads:
        tid = threads.index(failure.thread)
        if tid in last_row:
            r = rows[last_row[tid]]
            r.mark, r.note = FAIL, failure.message.split("\n")[0]
    # a thread blocked for ever: its blocking call never returned, so it is not in the
    # trace; it starts right after the thread's last recorded step
    for name in threads:
        b = blocked.get(name)
        if b is None:
            continue
        tid = threads.index(name)
        poll = b.waits_on.startswith("poll")
        mark = SLEEP if poll else WAIT
        note = ("asleep for good: the wake-up was lost" if poll and
                failure.kind == "lost-wakeup" else "blocked for ever")
        at = last_row.get(tid, -1) + 1
        rows.insert(at, LaneRow(rows[at - 1].step if at else 0, tid, b.waits_on, "",
                                mark, note))
        for t, i in last_row.items():
            if i >= at:
                last_row[t] = i + 1
    kept, omitted = _condense(rows, max_rows) if fold else (rows, {})
    footer = f"{failure.kind}: {failure.message.splitlines()[0]}"
    return Swimlane(title or f"sim counterexample: {failure.kind}", threads, kept, footer,
                    omitted)


# ---------------------------------------------------------------------- model

def from_model(cx: Any, system: Any = None, title: str = "",
               max_rows: int | None = 90, fold: bool = True) -> Swimlane:
    """A swimlane of an ``aioctx.model`` counterexample (prefix, then cycle).

    With the Promela ``system`` it came from, processes stuck at the end of a run
    (an invalid end state, or a dead end in a liveness search) get a row naming the
    statement they wait at.  With ``fold`` False, one row per step."""
    pids: dict[str, int] = {}
    for st in cx.steps:
        pids.setdefault(st.process, st.pid if st.pid >= 0 else 1 << 30)
    columns = sorted(pids, key=lambda name: pids[name])     # by pid, never claim last
    rows: list[LaneRow] = []
    nprefix = len(cx.prefix)

    def column(name: str) -> int:
        if name not in columns:
            columns.append(name)
        return columns.index(name)

    for n, st in enumerate(cx.steps, 1):
        text = st.label + (f"  [{st.at}]" if st.at else "")
        changes = ", ".join(f"{k}: {_value(a)} -> {_value(b)}"
                            for k, (a, b) in st.changes.items())
        row = LaneRow(n, column(st.process), text, changes, cycle=n > nprefix)
        if st.note:
            row.mark, row.note = FAIL, st.note
        rows.append(row)
    stuck = _stuck_processes(system, cx) if system is not None else []
    for process, statement in stuck:        # right after the process's last move
        col = column(process)
        at = max((i + 1 for i, r in enumerate(rows) if r.column == col), default=0)
        rows.insert(at, LaneRow(rows[at - 1].step if at else 0, col, statement, "",
                                SLEEP, "waits here for ever"))
    kept, omitted = _condense(rows, max_rows) if fold else (rows, {})
    footer = f"{cx.kind}: {cx.message}"
    if cx.liveness and not cx.cycle:
        footer += " (no process can move: the last state repeats for ever)"
    return Swimlane(title or f"model counterexample: {cx.kind}", columns, kept, footer,
                    omitted)


def _stuck_processes(system: Any, cx: Any) -> list[tuple[str, str]]:
    """(process, statement it waits at) for each Promela process not at a valid end in
    the last state of a run that stops (no cycle)."""
    from .promela.system import PromelaSystem

    if not isinstance(system, PromelaSystem) or cx.cycle or cx.kind not in (
            "invalid end state", "acceptance cycle"):
        return []
    state = cx.states[-1]
    out = []
    for pid, (ptype, pc) in enumerate(system.processes(state)):
        loc = system.c.flows[ptype].locations[pc]
        if loc.end:
            continue
        statement = "?"
        if loc.transitions:
            info = system.step_info(loc.transitions[0].step)
            statement = info.label
        where = f"  [{loc.labels[0]}]" if loc.labels else ""
        out.append((system.process_name(state, pid), statement + where))
    return out
