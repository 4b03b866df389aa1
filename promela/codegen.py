"""Generates and loads the Python module that computes a model's successor states.

For every location of every process type the module has one function
``L<type>_<pc>(s, i, p, out, to)`` that appends the successors produced by process
``i`` (whose tuple is ``p``) to ``out``; ``D[type][pc]`` finds it.  ``R[type][pc]`` holds
the variants with only rendezvous receives (used while a rendezvous offer is pending),
``C[pc]`` the never claim's locations (returning ``(step, target)`` pairs),
``NEW<type>`` starts a process and ``INIT`` sets up the globals.

The source is assembled from the syntax tree only: it contains numbers, fixed
templates and calls of runtime helpers; names and texts of the model stay in tables
(``MSG``, the helpers' ``names``).  It is compiled with ``compile``/``exec`` once per
model and option set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import ast, runtime
from .claimgen import CLAIM_END, ClaimGen
from .exprgen import Ctx, ExprGen, Layout
from .flow import Flow, Location, build_flow
from .stmtgen import Emit, StmtGen, _ind
from .symbols import Model, ProcType, Var
from .unparse import stmt as stmt_text


@dataclass(frozen=True)
class StepRecord:
    """What step number ``n`` is: its statement, where it is written, its location."""

    text: str                       # the statement as Promela text ("-end-": terminate)
    pos: tuple[int, int]
    at: str                         # the source label of the location, if any
    stmt: ast.Stmt | None = None    # None for a process terminating


@dataclass
class Compiled:
    model: Model
    layout: Layout
    flows: list[Flow]
    claim_flow: Flow | None
    steps: list[StepRecord]
    source: str
    ns: dict[str, Any] = field(default_factory=dict)
    has_rv: bool = False
    has_atomic: bool = False
    has_timeout: bool = False


def layout_of(model: Model, claim_runs: bool) -> Layout:
    """The state layout; ``claim_runs``: a never claim (the model's, or SPIN's own in
    non-progress mode) is running, which SPIN counts in ``_nr_pr``."""
    g = 3 if model.claim is not None else 2
    last = g if model.has_last else -1
    g += model.has_last
    stutter = -1
    if model.claim is not None and ast.contains(model.claim.body, ast.NonProgress):
        stutter, g = g, g + 1
    ct = g + model.nglobals
    return Layout(G=g, CT=ct, CH=ct + 1, P0=ct + 2, NR=ct + 2 - int(claim_runs), LAST=last,
                  STUTTER=stutter)


class CodeGen:
    def __init__(self, model: Model, claim_runs: bool) -> None:
        self.m = model
        self.lay = layout_of(model, claim_runs)
        self.x = ExprGen(model, self.lay)
        bodies = [p.body for p in model.proctypes]
        self.has_rv = any(c.capacity == 0 for c in model.chan_types)
        self.has_atomic = ast.contains(bodies, ast.Atomic)
        self.has_timeout = ast.contains(bodies, ast.Timeout) or (
            model.claim is not None and ast.contains(model.claim.body, ast.Timeout))
        self.g = StmtGen(self.x, self.has_rv, self.has_atomic)
        self.steps: list[StepRecord] = []
        self.out: list[str] = []
        self.prints: list[int] = []           # steps that print (see print_args)

    def new_step(self, loc: Location, s: ast.Stmt | None) -> int:
        """Number a step: statement ``s`` at ``loc``, or (``s`` None) the process's end."""
        text = "-end-" if s is None else stmt_text(s)
        pos = loc.pos if s is None else s.pos
        # an implementation operation label ("func__step" is "func.step") if there is one
        named = sorted(loc.labels, key=lambda lab: "__" not in lab)
        at = named[0].replace("__", ".") if named else ""
        self.steps.append(StepRecord(text, pos, at, s))
        return len(self.steps) - 1

    # ---- processes ----

    def location(self, proc: ProcType, loc: Location, prefix: str, rv_only: bool = False
                 ) -> str | None:
        name = f"{prefix}{proc.index}_{loc.pc}"
        lines: list[str] = []
        if loc.terminal and not self.g.in_dstep:
            if rv_only:
                return None
            step = self.new_step(loc, None)
            lines = ["if i == len(s) - 1:", "    l = list(s[:i])"]
            nchans = sum(v.size for v in proc.created if v.chan_type is not None)
            if nchans:
                lines += [f"    l[{self.lay.CT}] = l[{self.lay.CT}][:-{nchans}]",
                          f"    l[{self.lay.CH}] = l[{self.lay.CH}][:-{nchans}]"]
            if self.has_atomic:
                lines.append("    l[0] = 0")
            if self.lay.LAST >= 0:
                lines.append(f"    l[{self.lay.LAST}] = i - {self.lay.P0}")
            lines.append(f"    out.append((i - {self.lay.P0}, {step}, tuple(l)))")
        else:
            has_else = any(isinstance(t.stmt, ast.Else) for t in loc.transitions)
            if has_else and not rv_only:
                lines.append("mv = False")
            if loc.transitions and loc.transitions[0].escape:
                lines.append("n0 = len(out)")
            group = 0
            for t in loc.transitions:
                if rv_only and not isinstance(t.stmt, ast.Receive):
                    continue
                if group and t.escape != group:     # an escape moved: nothing else does
                    lines += ["if len(out) > n0:", "    return"]
                group = t.escape
                t.step = self.new_step(loc, t.stmt) if t.step < 0 else t.step
                e = Emit(t.step, t.dest, t.keeps, proc.index, proc.nslots, t.dstep)
                if rv_only:
                    lines += self.g.receive(t.stmt, e, [], rendezvous=True)
                elif isinstance(t.stmt, ast.Else):
                    lines += ["if not mv:"] + _ind(self.g.transition(t.stmt, e, False))
                else:
                    lines += self.g.transition(t.stmt, e, has_else)
                if isinstance(t.stmt, ast.Printf | ast.Printm) and not self.g.in_dstep:
                    self.print_args(t.stmt, t.step)
            if rv_only and not lines:
                return None
        self.out.append(f"def {name}(s, i, p, out, to):")
        self.out += _ind(lines or ["pass"])
        return name

    def print_args(self, s: ast.Printf | ast.Printm, step: int) -> None:
        """``PF<step>(s, i, p)``: the values a printf/printm step prints (for trails)."""
        args = s.args if isinstance(s, ast.Printf) else [s.expr]
        ctx = self.g.guard_ctx()
        values = "".join(self.x.value(a, ctx) + ", " for a in args)
        self.prints.append(step)
        self.out += [f"def PF{step}(s, i, p):", f"    return ({values})"]

    def dstep(self, proc: ProcType, number: int, flow: Flow) -> None:
        saved, self.g.in_dstep = self.g.in_dstep, True
        names = [self.location(proc, loc, f"X{number}_") for loc in flow.locations]
        self.g.in_dstep = saved
        self.out.append(f"X{number} = ({', '.join(names)},)")
        self.out += [f"def DS{number}(s, i, p, to):",
                     f"    pc = {flow.entry}",
                     "    first = True",
                     f"    while pc != {flow.terminal}:",
                     "        out = []",
                     f"        X{number}[pc](s, i, p, out, to)",
                     "        if not out:",
                     "            if first:",
                     "                return None",
                     "            raise Fault('a d_step blocked after its first statement')",
                     "        pc, _, s = out[0]",
                     "        p = s[i]",
                     "        first = False",
                     "    return s"]

    def new_function(self, proc: ProcType, flow: Flow) -> None:
        ctx = Ctx("l", "q", "pid", f"(len(l) - {self.lay.NR})")
        lines = [f"pid = len(l) - {self.lay.P0}",
                 f"q = [{proc.index}, {flow.entry}] + [0] * {proc.nslots}"]
        for k, var in enumerate(proc.params):
            lines.append(f"q[{2 + var.slot}] = {self.x.store(var, f'args[{k}]')}")
        for var in proc.created:
            lines += self.init_var(var, ctx, "q", 2)
        lines += ["l.append(tuple(q))", "return pid"]
        self.out.append(f"def NEW{proc.index}(l, args):")
        self.out += _ind(lines)

    def init_var(self, var: Var, ctx: Ctx, cont: str, base: int) -> list[str]:
        first = base + var.slot
        if var.chan_type is not None:
            return [f"{cont}[{first + k}] = newchan(l, {var.chan_type})"
                    for k in range(var.size)]
        if isinstance(var.init, list):
            return [f"{cont}[{first + k}] = {self.x.store(var, self.x.value(e, ctx))}"
                    for k, e in enumerate(var.init)]
        if var.init is not None:
            value = self.x.store(var, self.x.value(var.init, ctx))
            return [f"{cont}[{first + k}] = {value}" for k in range(var.size)]
        return []

    def globals_function(self) -> None:
        ctx = Ctx("l", None, "0", f"(len(l) - {self.lay.NR})")
        lines: list[str] = []
        for var in self.m.globals:
            lines += self.init_var(var, ctx, "l", self.lay.G)
        self.out.append("def INIT(l):")
        self.out += _ind(lines or ["pass"])

    # ---- scheduling ----

    def scheduler(self) -> None:
        """``MOVES(s, out)``: the system's moves into ``out``; 0 if a never claim may not
        move in ``s`` (an atomic sequence or a rendezvous is under way), 2 if the moves
        were looked for with ``timeout`` true, else 1.  ``SUCC(s)``: the moves as a list,
        for models without a claim (the checker calls it directly).  See system.py for
        the rules."""
        for name, head, done in (("MOVES", "def MOVES(s, out):", ("return 0", "return 1")),
                                 ("SUCC", "def SUCC(s):", ("return out", "return out"))):
            body = [] if name == "MOVES" else ["out = []"]
            if self.has_atomic:
                body += ["ex = s[0]", "if ex:", "    p = s[ex]",
                         "    D[p[0]][p[1]](s, ex, p, out, False)",
                         "    if out:", f"        {done[0]}"]
            if self.has_rv:
                body += ["if s[1]:", f"    for i in range({self.lay.P0}, len(s)):",
                         "        p = s[i]", "        f = R[p[0]][p[1]]",
                         "        if f is not None:", "            f(s, i, p, out, False)",
                         f"    {done[0]}"]
            body += [f"for i in range({self.lay.P0}, len(s)):", "    p = s[i]",
                     "    D[p[0]][p[1]](s, i, p, out, False)"]
            if self.has_timeout:
                body += ["if not out:", f"    for i in range({self.lay.P0}, len(s)):",
                         "        p = s[i]", "        D[p[0]][p[1]](s, i, p, out, True)"]
                if name == "MOVES":
                    body.append("    return 2")
            body.append(done[1])
            self.out.append(head)
            self.out += _ind(["try:"] + _ind(body) + [
                "except Fault as exc:", "    raise FAULT(s, exc) from None"])

    # ---- assembly ----

    def build(self) -> Compiled:
        flows = [build_flow(self.m, p) for p in self.m.proctypes]
        claim_flow = build_flow(self.m, self.m.claim) if self.m.claim is not None else None
        for proc, flow in zip(self.m.proctypes, flows, strict=True):
            for loc in flow.locations:
                for label in loc.labels:
                    key = (proc.index, label)
                    self.x.label_pcs[key] = self.x.label_pcs.get(key, ()) + (loc.pc,)
        self.out.append(f"# successor functions for {len(flows)} process type(s)")
        dispatch, rv_dispatch = [], []
        for proc, flow in zip(self.m.proctypes, flows, strict=True):
            names = [self.location(proc, loc, "L") for loc in flow.locations]
            dispatch.append(f"({', '.join(names)},)")
            if self.has_rv:
                rv = [self.location(proc, loc, "R", rv_only=True) or "None"
                      for loc in flow.locations]
                rv_dispatch.append(f"({', '.join(rv)},)")
            self.new_function(proc, flow)
        done = 0
        while done < len(self.g.dsteps):
            number, flow = self.g.dsteps[done]
            owner = next(p for p, f in zip(self.m.proctypes, flows, strict=True)
                         if _owns(f, flow))
            self.dstep(owner, number, flow)
            done += 1
        self.globals_function()
        self.out.append(f"D = ({', '.join(dispatch)},)")
        self.out.append(f"R = ({', '.join(rv_dispatch)},)" if self.has_rv else "R = None")
        if self.has_rv:
            self.out += ["def TAKERS(t):",
                         "    tmp = []",
                         f"    for i in range({self.lay.P0}, len(t)):",
                         "        p = t[i]",
                         "        f = R[p[0]][p[1]]",
                         "        if f is not None:",
                         "            f(t, i, p, tmp, False)",
                         "            if tmp:",
                         "                return True",
                         "    return False"]
        self.out.append(f"NEW = ({''.join(f'NEW{p.index}, ' for p in self.m.proctypes)})")
        self.scheduler()
        self.out.append("PRINTS = {" + "".join(f"{k}: PF{k}, " for k in self.prints) + "}")
        self.helpers(flows)
        if claim_flow is not None:
            progress = [tuple(loc.progress for loc in f.locations) for f in flows]
            ClaimGen(self, claim_flow).build(progress)
            self.out.append(f"NSTEPS = {len(self.steps)}")
        else:
            self.out.append("C = None")
        source = "\n".join(self.out) + "\n"
        return Compiled(self.m, self.lay, flows, claim_flow, self.steps, source,
                        has_rv=self.has_rv, has_atomic=self.has_atomic,
                        has_timeout=self.has_timeout)


    def helpers(self, flows: list[Flow]) -> None:
        """``EN`` (``enabled(pid)``) and ``PCV`` (``pc_value(pid)``).  A pid that no
        process has is not enabled and at state 0 (pan reads zeroed memory); a process
        asking whether it is enabled itself is a run-time error, as in pan."""
        P0 = self.lay.P0
        numbers = ", ".join("(" + "".join(f"{loc.number}, " for loc in f.locations) + ")"
                            for f in flows)
        self.out += [f"SEQNO = ({numbers},)",
                     "def EN(s, pid, to, me):",
                     "    if pid == me:",
                     "        raise Fault('enabled() of the process itself')",
                     f"    i = {P0} + pid",
                     "    if pid < 0 or i >= len(s):",
                     "        return 0",
                     "    p = s[i]",
                     "    tmp = []",
                     "    try:",
                     "        D[p[0]][p[1]](s, i, p, tmp, to)",
                     "    except AV:",
                     "        return 1",
                     "    return 1 if tmp else 0",
                     "def PCV(s, pid):",
                     f"    i = {P0} + pid",
                     "    if pid < 0 or i >= len(s):",
                     "        return 0",
                     "    p = s[i]",
                     "    return SEQNO[p[0]][p[1]]"]


def _owns(flow: Flow, sub: Flow) -> bool:
    for loc in flow.locations:
        for t in loc.transitions:
            if t.dstep is sub or (t.dstep is not None and _owns(t.dstep, sub)):
                return True
    return False


def compile_model(model: Model, assertion_violation: type, claim_runs: bool) -> Compiled:
    """Generate, compile and load the successor module of ``model``."""
    gen = CodeGen(model, claim_runs)
    compiled = gen.build()
    caps = [c.capacity for c in model.chan_types]
    fields = [[(b, s) for b, s, _ in c.fields] for c in model.chan_types]
    ns: dict[str, Any] = runtime.make_helpers(gen.lay.CT, gen.lay.CH, caps, fields,
                                              gen.x.names)
    ns.update(runtime.remote_helpers(gen.lay.P0, [p.name for p in model.proctypes],
                                     gen.x.refs))
    ns["AV"] = assertion_violation
    ns["MSG"] = gen.g.messages
    ns["CLAIM_END"] = CLAIM_END
    ns["__builtins__"] = {"len": len, "list": list, "tuple": tuple, "enumerate": enumerate,
                          "str": str,
                          "range": range, "True": True, "False": False, "None": None}
    code = compile(compiled.source, f"<promela:{model.file}>", "exec")
    exec(code, ns)      # the source was generated from the syntax tree, never model text
    compiled.ns = ns
    return compiled
