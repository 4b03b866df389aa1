"""Generates and loads the Python module that computes a model's successor states.

For every location of every process type the module has one function
``L<type>_<pc>(s, i, o, out, to)`` that appends the successors produced by process
``i`` (whose record starts at byte ``o`` of the state ``s``, see layout.py) to ``out``;
``D[type][pc]`` finds it.  ``R[type][pc]`` holds the variants with only rendezvous
receives (used while a rendezvous offer is pending), ``C[pc]`` the never claim's
locations (returning ``(step, target)`` pairs), ``NEW<type>`` starts a process and
``INIT`` sets up the globals.  ``SUCC``/``PROD`` give a state's successors (without and
with the never claim).  In a model that creates no process, process ``k`` also has
copies ``S<k>_<pc>(s, out, to)`` with its pid and offset fixed (``F<k>[pc]``,
specialise.py), which ``SUCC``/``MOVES`` call while every initial process runs;
``ACC``/``PRG`` (predgen.py) tell accepting and progress states.

The module comes in two variants: with ``moves`` the successors are ``(pid, step,
state)`` moves (counterexamples, liveness, fairness), without it they are the states
alone, which is all a safety search needs and saves a tuple per transition.

The source is assembled from the syntax tree only: it contains numbers, fixed
templates and calls of runtime helpers; names and texts of the model stay in tables
(``MSG``, the helpers' ``names``).  It is compiled with ``compile``/``exec`` once per
model, mode and variant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import ast, runtime
from .claimgen import CLAIM_END, ClaimGen
from .deadvars import write_only
from .eventgen import event_helpers, trace_table, xclaim_lines, xu_source
from .exprgen import Ctx, ExprGen, write_src
from .flow import Flow, Location, build_flow
from .layout import EX, NPR, Layout, build_layout
from .predgen import PredGen
from .reduce import Reduction, reductions
from .schedgen import SchedGen
from .specialise import records, specialise
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
    trace_flow: Flow | None = None
    ns: dict[str, Any] = field(default_factory=dict)
    has_rv: bool = False
    has_atomic: bool = False
    has_timeout: bool = False
    #: the reductions the generated code applies (reduce.py)
    reduction: Reduction = field(default_factory=Reduction)
    #: the states-only module (safety searches), compiled on first use
    fast: dict[str, Any] | None = None


def layout_of(model: Model, claim_runs: bool, flows: list[Flow],
              claim_flow: Flow | None) -> Layout:
    """The state layout; ``claim_runs``: a never claim (the model's, or SPIN's own in
    non-progress mode) is running, which SPIN counts in ``_nr_pr``."""
    reads_np = model.claim is not None and ast.contains(model.claim.body, ast.NonProgress)
    return build_layout(model, claim_runs, [len(f.locations) for f in flows],
                        len(claim_flow.locations) if claim_flow is not None else 0,
                        reads_np)


class CodeGen:
    def __init__(self, model: Model, claim_runs: bool, moves: bool = True,
                 merge: bool = True, reduce: bool = True, dead: bool = True,
                 closure: bool = False, fair: bool = False) -> None:
        self.m = model
        self.flows = [build_flow(model, p) for p in model.proctypes]
        self.claim_flow = build_flow(model, model.claim) if model.claim is not None else None
        self.red = reductions(model, self.flows, self.claim_flow, merge, reduce, dead,
                              closure, fair)
        if self.red.claim_closure is not None:
            self.claim_flow = self.red.claim_closure
        self.lay = layout_of(model, claim_runs, self.flows, self.claim_flow)
        self.x = ExprGen(model, self.lay)
        if dead:
            self.x.hidden = write_only(model)
        bodies = [p.body for p in model.proctypes]
        self.has_rv = any(c.capacity == 0 for c in model.chan_types)
        self.has_atomic = ast.contains(bodies, ast.Atomic)
        self.has_timeout = ast.contains(bodies, ast.Timeout) or (
            model.claim is not None and ast.contains(model.claim.body, ast.Timeout))
        self.moves = moves
        #: the states inside atomic sequences are not stored (merging, reduce.py)
        self.collapse = self.has_atomic and merge
        self.g = StmtGen(self.x, self.has_rv, self.has_atomic, moves)
        self.g.xu = any(p.xu for p in model.proctypes)
        self.g.events = model.trace is not None
        self.steps: list[StepRecord] = []
        self.out: list[str] = []
        self.prints: list[int] = []           # steps that print (see print_args)
        #: (type, record offset) of each process, in pid order, when no process is ever
        #: created (specialise.py); ``copies``: their specialised functions were made
        self.static = None if ast.contains(bodies, ast.Run) else records(model, self.lay)
        self.copies = False

    def new_step(self, loc: Location, s: ast.Stmt | None, merged: tuple = ()) -> int:
        """Number a step: statement ``s`` at ``loc`` (followed by the transitions
        ``merged`` into it), or (``s`` None) the process's end."""
        text = "-end-" if s is None else "; ".join(
            stmt_text(x) for x in [s, *(t.stmt for t in merged)])
        pos = loc.pos if s is None else s.pos
        # an implementation operation label ("func__step" is "func.step") if there is one
        named = sorted(loc.labels, key=lambda lab: "__" not in lab)
        at = named[0].replace("__", ".") if named else ""
        self.steps.append(StepRecord(text, pos, at, s))
        return len(self.steps) - 1

    def pc(self, buf: str, base: str) -> str:
        """Source reading the program counter of the record at ``base``."""
        if self.lay.pc_width == 1:
            return f"{buf}[{base} + 1]"
        return f"({buf}[{base} + 1] | {buf}[{base} + 2] << 8)"

    # ---- processes ----

    def location(self, proc: ProcType, loc: Location, prefix: str, rv_only: bool = False
                 ) -> str | None:
        name = f"{prefix}{proc.index}_{loc.pc}"
        lines: list[str] = []
        if loc.terminal and not self.g.in_dstep:
            if rv_only:
                return None
            step = self.new_step(loc, None)
            size = self.lay.procs[proc.index].size
            lines = [f"if o + {size} == len(s):", "    l = bytearray(s[:o])",
                     f"    l[{NPR}] = s[{NPR}] - 1"]
            if self.has_atomic:
                lines.append(f"    l[{EX}] = 0")
            if self.lay.last is not None:
                lines.append(f"    l[{self.lay.last}] = i")
            lines.append("    " + self.g.emit(step, "bytes(l)"))
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
                chain = () if self.g.in_dstep else self.red.chains.get(id(t), ())
                t.step = self.new_step(loc, t.stmt, chain) if t.step < 0 else t.step
                e = Emit(t.step, t.dest, t.keeps, proc.index, t.dstep)
                if chain:
                    e.dest, e.keeps = chain[-1].dest, chain[-1].keeps
                    e.extra = self.g.merged(chain, t.step)
                if not self.g.in_dstep and id(t) in self.red.resets:
                    e.extra = (e.extra or []) + self.zero("l", "o + ", self.red.resets[id(t)])
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
        self.out.append(f"def {name}(s, i, o, out, to):")
        self.out += _ind(lines or ["pass"])
        return name

    def print_args(self, s: ast.Printf | ast.Printm, step: int) -> None:
        """``PF<step>(s, i, o)``: the values a printf/printm step prints (for trails)."""
        args = s.args if isinstance(s, ast.Printf) else [s.expr]
        ctx = self.g.guard_ctx()
        values = "".join(self.x.value(a, ctx) + ", " for a in args)
        self.prints.append(step)
        self.out += [f"def PF{step}(s, i, o):", f"    return ({values})"]

    def dstep(self, proc: ProcType, number: int, flow: Flow) -> None:
        saved, self.g.in_dstep = self.g.in_dstep, True
        names = [self.location(proc, loc, f"X{number}_") for loc in flow.locations]
        self.g.in_dstep = saved
        self.out.append(f"X{number} = ({', '.join(names)},)")
        self.out += [f"def DS{number}(s, i, o, to):",
                     f"    pc = {flow.entry}",
                     "    first = True",
                     f"    while pc != {flow.terminal}:",
                     "        out = []",
                     f"        X{number}[pc](s, i, o, out, to)",
                     "        if not out:",
                     "            if first:",
                     "                return None",
                     "            raise Fault('a d_step blocked after its first statement')",
                     "        pc, _, s = out[0]",
                     "        first = False",
                     "    return s"]

    def new_function(self, proc: ProcType, flow: Flow) -> None:
        """``NEW<type>(l, args)``: append a process record to the state being built in
        the bytearray ``l``; its pid."""
        pl = self.lay.procs[proc.index]
        ctx = Ctx("l", "q", "0", "pid", self.g.nr("l"))
        lines = [f"pid = l[{NPR}]", f"q = bytearray({pl.size})", f"q[0] = {proc.index}"]
        lines += self.g.set_pc("q", "0", flow.entry)
        for k, var in enumerate(proc.params):
            place = self.lay.place(var)
            lines.append(write_src("q", str(place.offset), place,
                                   self.x.store(var, f"args[{k}]")))
        if self.m.has_priority:         # _priority, the first local (semantics.py)
            place = self.lay.place(proc.locals[0])
            lines.append(write_src("q", str(place.offset), place, "prio"))
        if pl.chans:
            lines.append("c0 = nchans(l)")
        lines += self.init_vars(proc.created, ctx, "q", "c0 + ")
        lines += self.zero("q", "", self.red.dead_at_entry[proc.index])
        if proc.xu:
            lines.append("at = len(l)")
        lines += ["l.extend(q)", f"l[{NPR}] = pid + 1"] + xclaim_lines(proc) + ["return pid"]
        self.out.append(f"def NEW{proc.index}(l, args, prio=1):")
        self.out += _ind(lines)

    def zero(self, cont: str, base: str, variables: list[Var]) -> list[str]:
        """Lines setting the dead ``variables`` (deadvars.py) of the process record at
        ``base`` in ``cont`` to 0."""
        return [write_src(cont, f"{base}{self.lay.place(v).offset}", self.lay.place(v), "0")
                for v in variables]

    def init_vars(self, variables: list[Var], ctx: Ctx, cont: str, first_chan: str
                  ) -> list[str]:
        """Lines initialising ``variables`` in ``cont``; a channel variable gets the
        number of a channel made with it (``first_chan`` + 1, + 2, ...: SPIN numbers
        them in creation order)."""
        lines: list[str] = []
        chan = 0
        for var in variables:
            if var.chan_type is None:
                lines += self.init_var(var, ctx, cont)
                continue
            place = self.lay.place(var)
            for k in range(var.size):
                chan += 1
                lines.append(f"{cont}[{place.offset + k}] = {first_chan}{chan}")
        return lines

    def init_var(self, var: Var, ctx: Ctx, cont: str) -> list[str]:
        """Lines giving the non-channel variable ``var`` its initial value in ``cont``
        (the state for a global, the new record for a local)."""
        place = self.lay.place(var)
        first = place.offset
        if isinstance(var.init, list):
            return [write_src(cont, str(first + k * place.width), place,
                              self.x.store(var, self.x.value(e, ctx)))
                    for k, e in enumerate(var.init)]
        if var.init is not None:
            value = self.x.store(var, self.x.value(var.init, ctx))
            lines = [f"v = {value}"]
            return lines + [write_src(cont, str(first + k * place.width), place, "v")
                            for k in range(var.size)]
        return []

    def globals_function(self) -> None:
        ctx = Ctx("l", None, "0", "0", self.g.nr("l"))
        lines = self.init_vars(self.m.globals, ctx, "l", "")
        self.out.append("def INIT(l):")
        self.out += _ind(lines or ["pass"])

    def each_process(self, *body: str) -> list[str]:
        """A loop over the processes of ``s`` in pid order (``i`` pid, ``o`` offset,
        ``t`` proctype) running the lines ``body`` (schedgen.py, claimgen.py)."""
        return [f"o = {self.lay.P0}", f"for i in range(s[{NPR}]):", "    t = s[o]",
                *_ind(list(body)), "    o += SIZE[t]"]

    # ---- assembly ----

    def build(self) -> Compiled:
        flows, claim_flow = self.flows, self.claim_flow
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
        if self.static:
            copies = specialise("\n".join(self.out), self.static,
                                [len(f.locations) for f in flows])
            if copies is not None:
                self.copies = True
                self.out += copies
        self.out.append(f"R = ({', '.join(rv_dispatch)},)" if self.has_rv else "R = None")
        self.out.append(f"MV = {self.moves}")
        self.out.append(f"NEW = ({''.join(f'NEW{p.index}, ' for p in self.m.proctypes)})")
        if self.g.xu:
            self.out += xu_source(self)
        SchedGen(self).build(flows)
        self.out.append("PRINTS = {" + "".join(f"{k}: PF{k}, " for k in self.prints) + "}")
        if claim_flow is not None:
            progress = [tuple(loc.progress for loc in f.locations) for f in flows]
            ClaimGen(self, claim_flow).build(progress)
            self.out.append(f"NSTEPS = {len(self.steps)}")
        else:
            self.out.append("C = None")
        PredGen(self, flows, claim_flow).build()
        source = "\n".join(self.out) + "\n"
        trace = build_flow(self.m, self.m.trace) if self.m.trace is not None else None
        return Compiled(self.m, self.lay, flows, claim_flow, self.steps, source, trace,
                        has_rv=self.has_rv, has_atomic=self.has_atomic,
                        has_timeout=self.has_timeout, reduction=self.red)



def _owns(flow: Flow, sub: Flow) -> bool:
    for loc in flow.locations:
        for t in loc.transitions:
            if t.dstep is sub or (t.dstep is not None and _owns(t.dstep, sub)):
                return True
    return False



def compile_model(model: Model, assertion_violation: type, claim_runs: bool,
                  moves: bool = True, merge: bool = True, reduce: bool = True,
                  dead: bool = True, closure: bool = False, fair: bool = False) -> Compiled:
    """Generate, compile and load the successor module of ``model`` (``moves``: the
    variant whose successors are moves, else the states-only one; ``merge`` and
    ``reduce``: statement merging and partial-order reduction, see reduce.py; ``dead``:
    dead-variable elimination, deadvars.py; ``closure``: a claim that counts steps
    may be replaced by its stutter closure, closure.py; ``fair``: the reductions must
    hold under weak fairness, reduce.py)."""
    gen = CodeGen(model, claim_runs, moves, merge, reduce, dead, closure, fair)
    compiled = gen.build()
    ns: dict[str, Any] = runtime.make_helpers(gen.lay, gen.x.names)
    ns.update(runtime.remote_helpers(gen.lay, [p.name for p in model.proctypes],
                                     gen.x.refs))
    trace = compiled.trace_flow
    table = trace_table(trace, gen.lay, gen.x.error) if trace is not None else None
    ns.update(event_helpers(gen.lay.event if gen.lay.event is not None else -1, table,
                            model.trace is not None and model.trace.kind == "notrace",
                            trace.terminal if trace is not None else -1,
                            assertion_violation))
    ns["AV"] = assertion_violation
    ns["MSG"] = gen.g.messages
    ns["CLAIM_END"] = CLAIM_END
    ns["__builtins__"] = {"len": len, "bytes": bytes, "bytearray": bytearray, "str": str,
                          "range": range, "True": True, "False": False, "None": None}
    for piece in _pieces(compiled.source):
        # the source was generated from the syntax tree, never model text
        exec(compile(piece, f"<promela:{model.file}>", "exec"), ns)
    compiled.ns = ns
    return compiled


#: lines of generated source compiled at once (``_pieces``)
PIECE_LINES = 4000


def _pieces(source: str) -> Iterator[str]:
    """The generated module in pieces of whole top-level definitions, run in order (the
    same module: a function reads the module's names when it runs, not when defined).
    CPython's ``compile`` holds the whole syntax tree of its input, about 150 bytes for
    each byte of this source, and cannot be interrupted: in pieces, the memory of
    compiling is that of the largest piece, and ``--time-limit`` (an interrupt of the
    main thread) lands between two pieces."""
    lines = source.split("\n")
    start = 0
    for k in range(PIECE_LINES, len(lines)):
        if k - start >= PIECE_LINES and lines[k].startswith("def "):
            yield "\n".join(lines[start:k])
            start = k
    yield "\n".join(lines[start:])
