"""Counterexamples of Promela models: variable views, ``spin -t -p`` text, JSON.

The checker's counterexample gives, per step, the process, the state after the step
and what changed.  To print it the way ``spin -t -p`` does (step number, process,
source line, the process's state number, the statement, then the changed variables)
each step is matched again against the successors of the state before it, which gives
its step number, hence its statement and the never claim's move if there is one.
After the steps comes SPIN's final-state block: the processes alive, every global
variable and buffered channel, where each process stopped (``<valid end state>``
where it may stop), and how many processes were created.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..model.system import STUTTER, AssertionViolation
from . import ast
from .layout import read
from .structs import elements

if TYPE_CHECKING:
    from ..model.result import Counterexample, Result
    from .system import PromelaSystem


def _value(model, var, value: int) -> Any:
    if var.type == "mtype":
        name = model.mtype_name(value, var.mtype_set)
        return name if name is not None else value
    return value


def _messages(system: PromelaSystem, state: bytes, cid: int) -> str | None:
    """The contents of channel ``cid`` as SPIN prints them (``[1,a][2,b]``), None for
    a channel that does not exist."""
    lay = system.c.layout
    where = lay.channel(state, cid)
    if where is None:
        return None
    m = system.c.model
    fields = m.chan_types[where[1]].fields
    out = []
    for msg in lay.messages(state, cid) or []:
        shown = [m.mtype_name(v) or v if f[2] == "mtype" else v
                 for v, f in zip(msg, fields, strict=False)]
        out.append("[" + ",".join(str(v) for v in shown) + "]")
    return "".join(out)


def _processes(system: PromelaSystem, state: bytes) -> list[tuple[int, int, int]]:
    """(proctype, location, offset of the process's record) of each process, by pid."""
    return [(t, pc, o) for o, t, pc in system.c.layout.processes(state)]


def _variables(system: PromelaSystem, state: bytes):
    """(name, variable, value) of every basic global element and of every process's
    locals (named ``proc(pid):x``), in declaration order."""
    m = system.c.model
    lay = system.c.layout
    for var in m.declared:
        for name, leaf, k in elements(var):
            place = lay.place(leaf)
            yield name, leaf, read(state, place.offset + k * place.width, place)
    for pid, (ptype, _pc, o) in enumerate(_processes(system, state)):
        proc = m.proctypes[ptype]
        for var in proc.declared:
            for name, leaf, k in elements(var):
                place = lay.place(leaf)
                yield (f"{proc.name}({pid}):{name}", leaf,
                       read(state, o + place.offset + k * place.width, place))


def state_variables(system: PromelaSystem, state: bytes) -> dict[str, Any]:
    """Globals, channel contents and ``proc(pid):local`` values of ``state``."""
    out: dict[str, Any] = {}
    for name, var, v in _variables(system, state):
        if var.type == "chan":
            out[name] = f"queue {v} ({_messages(system, state, v) or '-'})"
        else:
            out[name] = _value(system.c.model, var, v)
    return out


def spin_process_name(system: PromelaSystem, state: bytes, pid: int) -> str:
    """A process as ``spin -t -p`` names it: its proctype and its priority
    (``Node:1``, ``:init::1``)."""
    procs = _processes(system, state)
    if not 0 <= pid < len(procs):
        return f"pid {pid}"
    ptype, _pc, o = procs[pid]
    m = system.c.model
    priority = 1
    if m.has_priority:          # the first local (semantics.py)
        place = system.c.layout.place(m.proctypes[ptype].locals[0])
        priority = read(state, o + place.offset, place)
    return f"{system.c.model.proctypes[ptype].name}:{priority}"


def final_state(system: PromelaSystem, cx: Counterexample) -> list[str]:
    """SPIN's block after ``spin: trail ends after N steps``, for the last state."""
    state = cx.states[-1]
    m = system.c.model
    procs = _processes(system, state)
    lines = [f"#processes: {len(procs)}"]
    for name, var, v in _variables(system, state):
        if "(" in name:         # a process's local (spin -t -p shows globals only)
            continue
        if var.type != "chan":
            lines.append(f"\t\t{name} = {_value(m, var, v)}")
            continue
        messages = _messages(system, state, v)
        where = system.c.layout.channel(state, v)
        if messages is not None and where is not None and \
                m.chan_types[where[1]].capacity:
            lines.append(f"\t\tqueue {v} ({name}): {messages}")
    depth = len(cx)
    moved = _past_failed_assert(system, cx)
    for pid in range(len(procs) - 1, -1, -1):
        ptype, pc, _o = procs[pid]
        if moved is not None and moved[0] == pid:
            pc = moved[1]
        loc = system.c.flows[ptype].locations[pc]
        where = m.where(loc.pos)
        valid = " <valid end state>" if loc.end else ""
        lines.append(f"{depth:>3}:\tproc {pid:>2} ({spin_process_name(system, state, pid)}) "
                     f"{where.file}:{where.line} (state {loc.number}){valid}")
    claim = system.c.claim_flow
    if claim is not None:
        loc = claim.locations[system.c.layout.claim_pc(state)]
        where = m.where(loc.pos)
        lines.append(f"{depth:>3}:\tproc  - ({m.claim.name}:1) {where.file}:{where.line} "
                     f"(state {loc.number})")
    lines.append(f"{_created(system, cx)} processes created")
    return lines


def _past_failed_assert(system: PromelaSystem, cx: Counterexample) -> tuple[int, int] | None:
    """(pid, location after it) if the run ends in an ``assert`` that fails: SPIN's
    trail takes that step, so its last state has the process past the assert."""
    last = cx.steps[-1] if len(cx) else None
    if last is None or not last.note or last.pid < 0:
        return None
    before = cx.states[-2] if len(cx.states) > 1 else cx.states[-1]
    step = _step_of(system, before, last.pid, before)
    procs = _processes(system, before)
    if step is None or not 0 <= last.pid < len(procs):
        return None
    ptype, pc, _o = procs[last.pid]
    for t in system.c.flows[ptype].locations[pc].transitions:
        if t.step == system.pair_parts(step)[0] and isinstance(t.stmt, ast.Assert):
            return last.pid, t.dest
    return None


def _created(system: PromelaSystem, cx: Counterexample) -> int:
    """How many processes the run started: those of the initial state and one for
    each step that adds one."""
    states = cx.states
    count = len(_processes(system, states[0]))
    for before, after in zip(states, states[1:], strict=False):
        count += max(0, len(_processes(system, after)) - len(_processes(system, before)))
    return count


_CONVERSION = re.compile(r"%([-+ #0]*\d*(?:\.\d+)?)([a-zA-Z%])")


def printed(system: PromelaSystem, step: int, before: bytes, pid: int) -> str | None:
    """What a printf/printm step prints (C conversions; %e prints an mtype name)."""

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
        number = process = None
        procs = _processes(system, before)
        if 0 <= st.pid < len(procs):
            ptype, pc, _o = procs[st.pid]
            number = system.c.flows[ptype].locations[pc].number
            process = spin_process_name(system, before, st.pid)
        records.append({
            "step": n + 1, "pid": st.pid, "process": process or st.process,
            "statement": rec.text if rec else st.label, "location": st.location,
            "label": st.at, "state": number, "cycle": n >= len(cx.prefix),
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
    lines += final_state(system, cx)
    return "\n".join(lines)
