"""One transition -> the Python lines that test it and build its successor state.

A transition's code tests its guard on the current state ``s`` (the process's record
starts at offset ``o``, its pid is ``i``), then copies ``s`` into a ``bytearray`` ``l``,
applies the statement's effects in order on the copy, sets the process's new program
counter and the atomic holder, and appends the frozen copy to ``out``: as the move
``(pid, step, state)``, or, in the states-only variant the safety search runs, as the
state alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .eventgen import receive_hooks, send_hooks
from .exprgen import Ctx, ExprGen
from .layout import EX, NPR, RVC, RVP
from .semantics import MAX_PROCESSES
from .unparse import stmt as stmt_text


@dataclass
class Emit:
    """What the location being generated needs to know about one transition."""

    step: int
    dest: int
    keeps: bool
    ptype: int
    dstep: object = None        # flow.Flow of a d_step transition
    extra: list[str] | None = None  # lines of statements merged after it (reduce.py)


class StmtGen:
    def __init__(self, gen: ExprGen, has_rv: bool, has_atomic: bool,
                 moves: bool = True) -> None:
        self.x = gen
        self.lay = gen.lay
        self.full = f"s[{NPR}] < {MAX_PROCESSES - gen.lay.nr_extra}"   # room for one more
        self.has_rv = has_rv
        self.has_atomic = has_atomic
        self.moves = moves                      # False: append states, not moves
        self.messages: dict = {}     # step (or (step, k): k-th merged) -> assertion text
        self.in_dstep = False                   # generating the inside of a d_step
        self.dsteps: list[tuple[int, object]] = []      # (number, flow) to generate
        self.xu = False                         # xr/xs declarations to check
        self.events = False                     # a trace/notrace to follow
        self._dstep_numbers: dict[int, int] = {}

    # contexts: guards read the current state, effects read and write the copy
    def guard_ctx(self) -> Ctx:
        return Ctx("s", "s", "o", "i", self.nr("s"))

    def effect_ctx(self) -> Ctx:
        return Ctx("l", "l", "o", "i", self.nr("l"))

    def nr(self, buf: str) -> str:
        extra = self.lay.nr_extra
        return f"({buf}[{NPR}] + {extra})" if extra else f"{buf}[{NPR}]"

    def set_pc(self, buf: str, base: str, dest: int) -> list[str]:
        """Lines setting the program counter of the record at ``base`` to ``dest``."""
        if self.lay.pc_width == 1:
            return [f"{buf}[{base} + 1] = {dest}"]
        return [f"{buf}[{base} + 1] = {dest & 255}", f"{buf}[{base} + 2] = {dest >> 8}"]

    def emit(self, step: int, state: str) -> str:
        """The line reporting successor ``state`` of step ``step``."""
        if self.moves:
            return f"out.append((i, {step}, {state}))"
        return f"out.append({state})"

    # ---- the last lines of every transition ----

    def finish(self, e: Emit, excl: str | None = None) -> list[str]:
        lines = (e.extra or []) + self.set_pc("l", "o", e.dest)
        if self.in_dstep:           # inside a d_step: report the target, not a pid
            return lines + [f"out.append(({e.dest}, {e.step}, bytes(l)))"]
        if self.lay.last is not None:
            lines.append(f"l[{self.lay.last}] = i")
        if self.has_atomic or excl is not None:
            lines.append(f"l[{EX}] = {excl if excl is not None else ('i + 1' if e.keeps else 0)}")
        lines.append(self.emit(e.step, "bytes(l)"))
        return lines

    # ---- statements ----

    def transition(self, s: ast.Stmt, e: Emit, mark: bool) -> list[str]:
        """Lines for transition ``s``; ``mark`` sets ``mv`` (for a later ``else``)."""
        mv = ["mv = True"] if mark else []
        g = self.guard_ctx()
        if isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.Run):
            body = ["l = bytearray(s)", self.spawn(s.expr)]
            return [f"if {self.full}:"] + _ind(mv + body + self.finish(e))
        if isinstance(s, ast.ExprStmt):
            return [f"if {self.x.cond(s.expr, g)}:"] + _ind(mv + ["l = bytearray(s)"]
                                                             + self.finish(e))
        if isinstance(s, ast.Assign | ast.IncDec):
            return self.assign(s, e, mv)
        if isinstance(s, ast.Assert):
            self.messages[e.step] = stmt_text(s)
            return ([f"if not {self.x.cond(s.expr, g)}:",
                     f"    raise AV(i, {e.step}, MSG[{e.step}])"]
                    + mv + ["l = bytearray(s)"] + self.finish(e))
        if isinstance(s, ast.Printf | ast.Printm | ast.Goto | ast.Break | ast.Else | ast.Nop):
            return mv + ["l = bytearray(s)"] + self.finish(e)
        if isinstance(s, ast.SetPriority):
            ctx = self.effect_ctx()
            return mv + ["l = bytearray(s)", f"SETP(l, {self.x.value(s.pid, ctx)}, "
                         f"{self.x.value(s.priority, ctx)})"] + self.finish(e)
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
            return [f"r = DS{k}(s, i, o, to)", "if r is not None:"] + _ind(
                mv + ["l = bytearray(r)"] + self.finish(e))
        raise self.x.error(s.pos, f"unexpected {type(s).__name__}")

    def merged(self, chain: list, step: int) -> list[str]:
        """Lines running the statements of ``chain`` (transitions merged into step
        ``step``: assignments, asserts, skips and jumps, see reduce.py) on the copy."""
        ctx = self.effect_ctx()
        lines: list[str] = []
        for k, t in enumerate(chain):
            s = t.stmt
            if isinstance(s, ast.IncDec):
                lines.append(self.x.write(s.target, ctx,
                                          f"{self.x.name(s.target, ctx)} + {s.delta}"))
            elif isinstance(s, ast.Assign):
                lines.append(f"v = {self.x.value(s.value, ctx)}")
                if s.target.name != "_":
                    lines.append(self.x.write(s.target, ctx, "v"))
            elif isinstance(s, ast.Assert):
                self.messages[(step, k)] = stmt_text(s)
                lines += [f"if not {self.x.cond(s.expr, ctx)}:",
                          f"    raise AV(i, {step}, MSG[({step}, {k})])"]
        return lines

    def assign(self, s: ast.Assign | ast.IncDec, e: Emit, mv: list[str]) -> list[str]:
        target = s.target
        ctx = self.effect_ctx()
        lines = ["l = bytearray(s)"]
        head: list[str] = []
        if isinstance(s, ast.IncDec):
            value = f"{self.x.name(target, ctx)} + {s.delta}"
        elif isinstance(s.value, ast.Run):
            head = [f"if {self.full}:"]
            lines.append("v = " + self.spawn(s.value))
            value = "v"
        else:
            lines.append(f"v = {self.x.value(s.value, ctx)}")
            value = "v"
        if target.name != "_":
            lines.append(self.x.write(target, ctx, value))
        body = mv + lines + self.finish(e)
        return head + _ind(body) if head else body

    def spawn(self, run: ast.Run) -> str:
        ctx = self.effect_ctx()
        args = "".join(self.x.value(a, ctx) + ", " for a in run.args)
        prio = self.x.value(run.priority, ctx) if run.priority is not None else "1"
        return f"NEW{run.target.index}(l, ({args}), {prio})"

    # ---- channels ----

    def send(self, s: ast.Send, e: Emit, mv: list[str]) -> list[str]:
        g = self.guard_ctx()
        values = "".join(self.x.value(a, g) + ", " for a in s.args)
        put = "qsorted" if s.sorted else "qsend"
        before, after = send_hooks(self, e.step)
        buffered = ["if n < CAP[ct]:"] + _ind(
            mv + ["l = bytearray(s)", f"{put}(l, ct, qo, n, ({values}))"] + after
            + self.finish(e))
        lines = [f"c = {self.x.chan(s.chan, g)}", "ct, qo, n = qget(s, c)"] + before
        if not self.has_rv:
            return lines + buffered
        if self.in_dstep:
            offer = ["raise Fault('a rendezvous send inside a d_step')"]
        else:
            # an offer is a move only if some other process can take it (SPIN undoes
            # the others); only then does it also rule out the process's 'else'
            done = self.finish(e, excl="0")
            offer = ["l = bytearray(s)", f"qsend(l, ct, qo, 0, ({values}))",
                     f"l[{RVC}] = c", f"l[{RVP}] = i"] + after + done[:-1] + [
                "t = bytes(l)", "if TAKERS(t):"] + _ind(mv + [self.emit(e.step, "t")])
        return lines + ["if CAP[ct]:"] + _ind(buffered) + [
            f"elif qo >= 0 and not s[{RVC}]:"] + _ind(offer)

    def receive(self, s: ast.Receive, e: Emit, mv: list[str], rendezvous: bool
                ) -> list[str]:
        g = self.guard_ctx()
        ctx = self.effect_ctx()
        match = []
        stores = []
        for k, a in enumerate(s.args):
            if isinstance(a, ast.Eval):
                match.append(f"m[{k}] == {self.x.value(a.arg, g)}")
            elif isinstance(a, ast.Name) and a.const is None:
                if a.name != "_":
                    stores.append(self.x.write(a, ctx, f"m[{k}]"))
            else:
                match.append(f"m[{k}] == {self.x.value(a, g)}")
        if s.chan.sym.chan_type is None:
            match.insert(0, f"len(m) == {len(s.args)}")
        test = " and ".join(match) or "True"
        before, taken = receive_hooks(self, e.step)
        if s.keep:
            taken = []
        effect = ["l = bytearray(s)"] + stores + taken
        lines = [f"c = {self.x.chan(s.chan, g)}", "ct, qo, n = qget(s, c)"] + before
        if s.keep and self.has_rv:
            # as pan: an error wherever it is tried, taker of an offer or not
            lines += ["if not CAP[ct]:",
                      "    raise Fault('a copy receive c?<...> from a rendezvous channel')"]
        if rendezvous:
            effect += ["qtake(l, ct, qo, 1, 0)", f"l[{RVC}] = 0", f"l[{RVP}] = 0"]
            return lines + [f"if n and s[{RVC}] == c and s[{RVP}] != i:",
                            "    m = qmsg(s, ct, qo, 0)",
                            f"    if {test}:"] + _ind(mv + effect + self.finish(e), 2)
        ready = "n and CAP[ct]" if self.has_rv else "n"
        if s.random:
            taken = [] if s.keep else ["qtake(l, ct, qo, n, k)"]
            return lines + [f"if {ready}:", "    for k in range(n):",
                            "        m = qmsg(s, ct, qo, k)",
                            f"        if {test}:"] + _ind(
                mv + effect + taken + self.finish(e) + ["break"], 3)
        taken = [] if s.keep else ["qtake(l, ct, qo, n, 0)"]
        return lines + [f"if {ready}:", "    m = qmsg(s, ct, qo, 0)", f"    if {test}:"] + _ind(
            mv + effect + taken + self.finish(e), 2)


def _ind(lines: list[str], depth: int = 1) -> list[str]:
    pad = "    " * depth
    return [pad + x for x in lines]
