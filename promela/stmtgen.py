"""One transition -> the Python lines that test it and build its successor state.

A transition's code tests its guard on the current state ``s`` (and the process tuple
``p``), then copies ``s`` into a list ``l`` (and ``p`` into ``q`` when it writes a local),
applies the statement's effects in order on the copies, sets the process's new program
counter and the atomic holder, and appends ``(pid, step, tuple(l))`` to ``out``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .exprgen import Ctx, ExprGen
from .symbols import Var
from .unparse import stmt as stmt_text

RV_SHIFT = 1024         # s[1] = channel * RV_SHIFT + index of the sending process


@dataclass
class Emit:
    """What the location being generated needs to know about one transition."""

    step: int
    dest: int
    keeps: bool
    ptype: int
    nslots: int
    dstep: object = None        # flow.Flow of a d_step transition


class StmtGen:
    def __init__(self, gen: ExprGen, has_rv: bool, has_atomic: bool) -> None:
        self.x = gen
        self.P0 = gen.lay.P0
        self.NR = gen.lay.NR
        self.full = f"len(s) < {gen.lay.NR + 255}"     # room for one more process
        self.has_rv = has_rv
        self.has_atomic = has_atomic
        self.messages: dict[int, str] = {}      # step -> assertion text
        self.in_dstep = False                   # generating the inside of a d_step
        self.dsteps: list[tuple[int, object]] = []      # (number, flow) to generate
        self._dstep_numbers: dict[int, int] = {}

    # contexts: guards read the current state, effects read and write the copies
    def guard_ctx(self) -> Ctx:
        return Ctx("s", "p", f"(i - {self.P0})", f"(len(s) - {self.NR})")

    def effect_ctx(self, local: str) -> Ctx:
        return Ctx("l", local, f"(i - {self.P0})", f"(len(l) - {self.NR})")

    # ---- the last lines of every transition ----

    def finish(self, e: Emit, with_q: bool, excl: str | None = None) -> list[str]:
        if with_q:
            lines = [f"q[1] = {e.dest}", "l[i] = tuple(q)"]
        elif e.nslots:
            lines = [f"l[i] = ({e.ptype}, {e.dest}) + p[2:]"]
        else:
            lines = [f"l[i] = ({e.ptype}, {e.dest})"]
        if self.in_dstep:           # inside a d_step: report the target, not a pid
            return lines + [f"out.append(({e.dest}, {e.step}, tuple(l)))"]
        if self.x.lay.LAST >= 0:
            lines.append(f"l[{self.x.lay.LAST}] = i - {self.P0}")
        if self.has_atomic or excl is not None:
            lines.append(f"l[0] = {excl if excl is not None else ('i' if e.keeps else 0)}")
        lines.append(f"out.append((i - {self.P0}, {e.step}, tuple(l)))")
        return lines

    # ---- statements ----

    def transition(self, s: ast.Stmt, e: Emit, mark: bool) -> list[str]:
        """Lines for transition ``s``; ``mark`` sets ``mv`` (for a later ``else``)."""
        mv = ["mv = True"] if mark else []
        g = self.guard_ctx()
        if isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.Run):
            body = ["l = list(s)", self.spawn(s.expr, "p")]
            return [f"if {self.full}:"] + _ind(mv + body + self.finish(e, False))
        if isinstance(s, ast.ExprStmt):
            return [f"if {self.x.cond(s.expr, g)}:"] + _ind(mv + ["l = list(s)"]
                                                             + self.finish(e, False))
        if isinstance(s, ast.Assign | ast.IncDec):
            return self.assign(s, e, mv)
        if isinstance(s, ast.Assert):
            self.messages[e.step] = stmt_text(s)
            return ([f"if not {self.x.cond(s.expr, g)}:",
                     f"    raise AV(i - {self.P0}, {e.step}, MSG[{e.step}])"]
                    + mv + ["l = list(s)"] + self.finish(e, False))
        if isinstance(s, ast.Printf | ast.Printm | ast.Goto | ast.Break | ast.Else):
            return mv + ["l = list(s)"] + self.finish(e, False)
        if isinstance(s, ast.Send):
            return self.send(s, e, mv)
        if isinstance(s, ast.Receive):
            return self.receive(s, e, mv, rendezvous=False)
        if isinstance(s, ast.DStep):
            key = id(e.dstep)
            if key not in self._dstep_numbers:
                self._dstep_numbers[key] = len(self.dsteps)
                self.dsteps.append((len(self.dsteps), e.dstep))
            k = self._dstep_numbers[key]
            return [f"r = DS{k}(s, i, p, to)", "if r is not None:"] + _ind(
                mv + ["l = list(r)", "q = list(r[i])"] + self.finish(e, True))
        raise self.x.error(s.pos, f"unexpected {type(s).__name__}")

    def assign(self, s: ast.Assign | ast.IncDec, e: Emit, mv: list[str]) -> list[str]:
        target = s.target
        local = isinstance(target.sym, Var) and target.sym.scope == "local"
        ctx = self.effect_ctx("q" if local else "p")
        lines = ["l = list(s)"] + (["q = list(p)"] if local else [])
        head: list[str] = []
        if isinstance(s, ast.IncDec):
            value = f"{self.x.name(target, ctx)} + {s.delta}"
        elif isinstance(s.value, ast.Run):
            head = [f"if {self.full}:"]
            lines.append("v = " + self.spawn(s.value, "q" if local else "p"))
            value = "v"
        else:
            lines.append(f"v = {self.x.value(s.value, ctx)}")
            value = "v"
        if target.name != "_":
            cont, index = self.x.slot(target, ctx)
            lines.append(f"{cont}[{index}] = {self.x.store(target.sym, value)}")
        body = mv + lines + self.finish(e, local)
        return head + _ind(body) if head else body

    def spawn(self, run: ast.Run, local: str) -> str:
        ctx = self.effect_ctx(local)
        args = "".join(self.x.value(a, ctx) + ", " for a in run.args)
        return f"NEW{run.target.index}(l, ({args}))"

    # ---- channels ----

    def send(self, s: ast.Send, e: Emit, mv: list[str]) -> list[str]:
        g = self.guard_ctx()
        values = "".join(self.x.value(a, g) + ", " for a in s.args)
        put = "sorted_insert(q0, m)" if s.sorted else "q0 + (m,)"
        buffered = ["if len(q0) < CAP[ct]:"] + _ind(
            mv + [f"m = msg(ct, ({values}))", "l = list(s)", f"qput(l, c, {put})"]
            + self.finish(e, False))
        lines = [f"c = {self.x.chan(s.chan, g)}", "ct, q0 = qget(s, c)"]
        if not self.has_rv:
            return lines + buffered
        if self.in_dstep:
            offer = ["raise Fault('a rendezvous send inside a d_step')"]
        else:
            # an offer is a move only if some other process can take it (SPIN undoes
            # the others); only then does it also rule out the process's 'else'
            done = self.finish(e, False, excl="0")
            offer = [f"m = msg(ct, ({values}))", "l = list(s)", "qput(l, c, (m,))",
                     f"l[1] = c * {RV_SHIFT} + i"] + done[:-1] + [
                "t = tuple(l)", "if TAKERS(t):"] + _ind(
                mv + [done[-1].replace("tuple(l)", "t")])
        return lines + ["if CAP[ct]:"] + _ind(buffered) + ["elif not s[1]:"] + _ind(offer)

    def receive(self, s: ast.Receive, e: Emit, mv: list[str], rendezvous: bool
                ) -> list[str]:
        g = self.guard_ctx()
        stores_local = any(isinstance(a, ast.Name) and isinstance(a.sym, Var)
                           and a.sym.scope == "local" for a in s.args)
        ctx = self.effect_ctx("q" if stores_local else "p")
        match = []
        stores = []
        for k, a in enumerate(s.args):
            if isinstance(a, ast.Eval):
                match.append(f"m[{k}] == {self.x.value(a.arg, g)}")
            elif isinstance(a, ast.Name) and a.const is None:
                if a.name != "_":
                    cont, index = self.x.slot(a, ctx)
                    stores.append(f"{cont}[{index}] = {self.x.store(a.sym, f'm[{k}]')}")
            else:
                match.append(f"m[{k}] == {self.x.value(a, g)}")
        if s.chan.sym.chan_type is None:
            match.insert(0, f"len(m) == {len(s.args)}")
        test = " and ".join(match) or "True"
        effect = ["l = list(s)"] + (["q = list(p)"] if stores_local else []) + stores
        lines = [f"c = {self.x.chan(s.chan, g)}", "ct, q0 = qget(s, c)"]
        if rendezvous:
            effect += ["qput(l, c, ())", "l[1] = 0"]
            return lines + ["rv = s[1]",
                            f"if q0 and rv // {RV_SHIFT} == c and rv % {RV_SHIFT} != i:",
                            "    m = q0[0]",
                            f"    if {test}:"] + _ind(mv + effect + self.finish(e, stores_local),
                                                     2)
        ready = "q0 and CAP[ct]" if self.has_rv else "q0"
        if s.random:
            taken = [] if s.keep else ["qput(l, c, q0[:k] + q0[k + 1:])"]
            return lines + [f"if {ready}:", "    for k, m in enumerate(q0):",
                            f"        if {test}:"] + _ind(
                mv + effect + taken + self.finish(e, stores_local) + ["break"], 3)
        taken = [] if s.keep else ["qput(l, c, q0[1:])"]
        return lines + [f"if {ready}:", "    m = q0[0]", f"    if {test}:"] + _ind(
            mv + effect + taken + self.finish(e, stores_local), 2)


def _ind(lines: list[str], depth: int = 1) -> list[str]:
    pad = "    " * depth
    return [pad + x for x in lines]
