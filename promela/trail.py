"""Counterexamples of Promela models: variable views, ``spin -t -p`` text, JSON.

The checker's counterexample gives, per step, the process, the state after the step
and what changed.  To print it the way ``spin -t -p`` does (step number, process,
source line, the process's state number, the statement, then the changed variables)
each step is matched again against the successors of the state before it, which gives
its step number, hence its statement and the never claim's move if there is one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..model.system import STUTTER, AssertionViolation
from .layout import Layout, read

if TYPE_CHECKING:
    from ..model.result import Counterexample, Result
    from .system import PromelaSystem


def _value(model, var, value: int) -> Any:
    if var.type == "mtype":
        name = model.mtype_name(value)
        return name if name is not None else value
    return value


def _queue(state: bytes, lay: Layout, cid: int) -> str:
    messages = lay.messages(state, cid)
    if messages is None:
        return "-"
    return "".join("[" + ",".join(str(v) for v in m) + "]" for m in messages)


def state_variables(system: PromelaSystem, state: bytes) -> dict[str, Any]:
    """Globals, channel contents and ``proc(pid):local`` values of ``state``."""
    m = system.c.model
    lay = system.c.layout
    out: dict[str, Any] = {}

    def put(prefix: str, var, base: int) -> None:
        place = lay.place(var)
        for k in range(var.size):
            key = f"{prefix}{var.name}[{k}]" if var.is_array else prefix + var.name
            v = read(state, base + place.offset + k * place.width, place)
            out[key] = (f"queue {v} ({_queue(state, lay, v)})" if var.type == "chan"
                        else _value(m, var, v))

    for var in m.globals:
        put("", var, 0)
    for pid, (o, ptype, _pc) in enumerate(lay.processes(state)):
        proc = m.proctypes[ptype]
        for var in proc.locals:
            put(f"{proc.name}({pid}):", var, o)
    return out


_CONVERSION = re.compile(r"%([-+ #0]*\d*(?:\.\d+)?)([a-zA-Z%])")


def printed(system: PromelaSystem, step: int, before: bytes, pid: int) -> str | None:
    """What a printf/printm step prints (C conversions; %e prints an mtype name)."""
    from . import ast

    fn = system.c.ns["PRINTS"].get(step)
    rec = system.c.steps[step]
    procs = system.layout.processes(before)
    if fn is None or not 0 <= pid < len(procs):
        return None
    try:
        values = list(fn(before, pid, procs[pid][0]))
    except Exception:       # a bad index or channel: the step itself reports it
        return None
    model = system.c.model
    if isinstance(rec.stmt, ast.Printm):
        return str(model.mtype_name(values[0]) or values[0])

    def convert(m: re.Match) -> str:
        flags, conv = m.groups()
        if conv == "%":
            return "%"
        value = values.pop(0) if values else 0
        if conv == "e":
            return str(model.mtype_name(value) or value)
        if conv == "c":
            return chr(value & 255)
        code = conv if conv in "dxXo" else "d"
        return f"%{flags}{code}" % value

    return _CONVERSION.sub(convert, rec.stmt.fmt)


def _step_of(system: PromelaSystem, before: bytes, pid: int, after: bytes) -> int | None:
    try:
        moves = system.successors(before)
    except AssertionViolation as exc:
        return exc.step if exc.pid == pid else None
    for p, step, t in moves:
        if p == pid and t == after:
            return step
    return None


def trail_records(system: PromelaSystem, cx: Counterexample) -> list[dict[str, Any]]:
    """One dict per step: number, pid, process, statement, location, state, changes."""
    records = []
    states = cx.states
    for n, st in enumerate(cx.steps):
        before = states[n]
        step = _step_of(system, before, st.pid, st.state) if not st.note else \
            _step_of(system, before, st.pid, before)
        claim = None
        if step is not None:
            step, claim = system.pair_parts(step)
            if st.pid == STUTTER and claim is None:     # the claim moved on its own
                step, claim = None, step
        rec = system.c.steps[step] if step is not None and step >= 0 else None
        output = printed(system, step, before, st.pid) if rec is not None else None
        pc = None
        procs = system.processes(before)
        if 0 <= st.pid < len(procs):
            pc = procs[st.pid][1]
        records.append({
            "step": n + 1, "pid": st.pid, "process": st.process,
            "statement": rec.text if rec else st.label, "location": st.location,
            "label": st.at, "state": pc, "cycle": n >= len(cx.prefix),
            "changes": {k: [a, b] for k, (a, b) in st.changes.items()},
            "claim": _claim_text(system, claim), "note": st.note, "output": output})
    return records


def _claim_text(system: PromelaSystem, claim: int | None) -> str | None:
    if claim is None:
        return None
    rec = system.c.steps[claim]
    return f"{rec.text} ({system.c.model.where(rec.pos)})"


def format_trail(system: PromelaSystem, result: Result) -> str:
    """The counterexample of ``result`` in the style of ``spin -t -p``."""
    cx = result.counterexample
    if cx is None:
        return ""
    lines = []
    cycle_marked = False
    for r in trail_records(system, cx):
        if r["cycle"] and not cycle_marked:
            lines.append("  <<<<<START OF CYCLE>>>>>")
            cycle_marked = True
        file_line = r["location"].rsplit(":", 1)[0]
        if r["claim"]:
            lines.append(f"{r['step']:>3}:\tproc  - (never claim) [{r['claim']}]")
        if r["pid"] == STUTTER:
            if r["note"]:
                lines.append(f"spin: {file_line}, Error: {r['note']}")
            continue
        if r["statement"] == "-end-":
            lines.append(f"{r['step']:>3}: proc {r['pid']} terminates")
            continue
        state = f" (state {r['state']})" if r["state"] is not None else ""
        at = f" <{r['label']}>" if r["label"] else ""
        if r["output"] is not None:
            lines += ["          " + x for x in r["output"].split("\n") if x]
        lines.append(f"{r['step']:>3}:\tproc {r['pid']:>2} ({r['process']}) "
                     f"{file_line}{state}{at}\t[{r['statement']}]")
        for name, (_old, new) in r["changes"].items():
            lines.append(f"\t\t{name} = {new}")
        if r["note"]:
            lines.append(f"spin: {file_line}, Error: {r['note']}")
    if cx.liveness and not cx.cycle:
        lines.append("  <<<<<no process can move: the last state repeats forever>>>>>")
    lines.append(f"spin: trail ends after {len(cx)} steps")
    return "\n".join(lines)
