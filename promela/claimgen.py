"""The never claim as generated code, and its product with the system (SPIN's rules).

SPIN runs a never claim in lockstep with the system: in each round the claim makes one
move, judged on the current state, and then the system makes one move.  The generated
``PROD(s)`` follows pan's search exactly where it can be observed:

* the claim moves first; a claim move into its end is a violation, a failed ``assert``
  in the claim is an assertion violation (``spin -f`` writes safety formulas as
  ``atomic { !p -> assert(!p) }``);
* an ``atomic`` sequence of the claim runs without the system moving: every claim move
  that ends inside it is a successor of its own (the system state unchanged), and the
  move that leaves it is paired with the next system move; a claim ``d_step`` is one
  move;
* while the system is inside an atomic sequence or a rendezvous, the claim does not
  move;
* when the system cannot move, the claim moves alone (stutter); after such a move
  ``np_`` reads false (pan marks stutter moves; with weak fairness pan moves the claim
  by a rule that does not, and ``np_`` keeps its value), so a claim that reads ``np_``
  keeps a flag for it in the state; when the system can only move by ``timeout``, the claim's
  move before it is judged with ``timeout`` true (pan asks the claim again);
* so a claim tests the system only on the rounds where it evaluates a condition:
  ``do :: 1 -> assert(p) od`` checks ``p`` on every other state, not on every state.

``np_`` is true in a state where no process is at a progress label, and only in
acceptance mode (pan computes it only while it looks for cycles; in safety mode it
reads true).  In the initial state it reads true as well (pan has not looked yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .exprgen import Ctx
from .flow import Flow, Location
from .stmtgen import _ind
from .unparse import stmt as stmt_text

if TYPE_CHECKING:
    from .codegen import CodeGen

#: product steps (claim + system) are numbered from here
PAIR_BASE = 1 << 40

CLAIM_END = "the never claim reached its end (the property is violated)"


class ClaimGen:
    """Generates ``C`` (the claim's locations), ``CIN`` (inside an atomic sequence),
    the claim's d_steps and ``PROD`` for one model."""

    def __init__(self, gen: CodeGen, flow: Flow) -> None:
        self.gen = gen
        self.x = gen.x
        self.flow = flow
        self.ctx = Ctx("s", None, "0", "0", gen.g.nr("s"), np="np", claim=True)
        self.dsteps: list[Flow] = []
        body = gen.m.claim.body
        #: the claim reads timeout or np_: its moves depend on more than the state
        self.context = ast.contains(body, (ast.Timeout, ast.NonProgress))
        self.reads_np = ast.contains(body, ast.NonProgress)

    def location(self, loc: Location, prefix: str) -> str:
        """``<prefix><pc>(s, to, np)``: the claim's moves from ``loc`` as (step, target)."""
        lines = ["r = []"]
        group = 0
        for t in loc.transitions:
            if group and t.escape != group:         # an escape moved: nothing else does
                lines += ["if r:", "    return r"]
            group = t.escape
            t.step = self.gen.new_step(loc, t.stmt) if t.step < 0 else t.step
            lines += self.transition(t.stmt, t.step, t.dest, t.dstep)
        name = f"{prefix}{loc.pc}"
        self.gen.out.append(f"def {name}(s, to, np):")
        self.gen.out += _ind(lines + ["return r"])
        return name

    def transition(self, s: ast.Stmt, step: int, dest: int, dstep: Flow | None
                   ) -> list[str]:
        move = f"r.append(({step}, {dest}))"
        if isinstance(s, ast.Else):
            return ["if not r:", "    " + move]
        if isinstance(s, ast.ExprStmt):
            return [f"if {self.x.cond(s.expr, self.ctx)}:", "    " + move]
        if isinstance(s, ast.Assert):
            self.gen.g.messages[step] = stmt_text(s)
            return [f"if not {self.x.cond(s.expr, self.ctx)}:",
                    f"    raise AV(-1, {step}, MSG[{step}])", move]
        if isinstance(s, ast.Goto | ast.Break | ast.Printf | ast.Printm):
            return [move]
        if isinstance(s, ast.DStep):
            k = len(self.dsteps)
            self.dsteps.append(dstep)
            return [f"if CDS{k}(s, to, np):", "    " + move]
        raise self.x.error(s.pos, "a never claim can only test conditions, assert, "
                           "jump and print")

    def dstep(self, k: int, flow: Flow) -> None:
        """``CDS<k>``: runs a claim d_step to its end; False if its first statement
        blocks (then the d_step is not executable)."""
        names = [self.location(loc, f"CX{k}_") for loc in flow.locations]
        self.gen.out.append(f"CX{k} = ({', '.join(names)},)")
        self.gen.out += [f"def CDS{k}(s, to, np):",
                         f"    pc = {flow.entry}",
                         "    first = True",
                         f"    while pc != {flow.terminal}:",
                         f"        r = CX{k}[pc](s, to, np)",
                         "        if not r:",
                         "            if first:",
                         "                return False",
                         "            raise Fault('a d_step of the never claim blocked after "
                         "its first statement')",
                         "        pc = r[0][1]",
                         "        first = False",
                         "    return True"]

    def build(self, progress: list[tuple[bool, ...]]) -> None:
        names = [self.location(loc, "C_") for loc in self.flow.locations]
        done = 0
        while done < len(self.dsteps):
            self.dstep(done, self.dsteps[done])
            done += 1
        out = self.gen.out
        out.append(f"C = ({', '.join(names)},)")
        out.append("CIN = (" + "".join(f"{loc.inside}, " for loc in self.flow.locations)
                   + ")")
        out.append("PROG = (" + "".join(f"{p!r}, " for p in progress) + ")")
        self.npv()
        self.product()

    def npv(self) -> None:
        """``NPV(s)``: the value of ``np_`` in ``s`` (``NPMODE`` is set per mode by the
        system; ``S0`` is the initial state, where pan has not looked yet)."""
        stutter = self.gen.lay.stutter
        flag = [f"    if s[{stutter}] and not NPFAIR:", "        return False"] \
            if stutter is not None else []
        self.gen.out += ["def NPV(s):", *flag,
                         "    if not NPMODE or s == S0:",
                         "        return True"] + _ind(self.gen.each_process(
                             f"if PROG[t][{self.gen.pc('s', 'o')}]:", "    return False")) + [
                         "    return True"]

    def product(self) -> None:
        """``PROD(s)``: the product moves of ``s`` (see the module docstring).  A product
        step is numbered ``PAIR + system step * NSTEPS + claim step``; a claim move on
        its own has pid -1 and the claim step's number.  In the states-only module
        (``MV`` false) the successors are the states alone."""
        end = self.flow.terminal
        pair = f"{PAIR_BASE} + step * NSTEPS + cstep"
        lay = self.gen.lay
        cl = lay.claim
        if lay.claim_width == 1:
            q, put = f"s[{cl}]", [f"    l[{cl}] = cdest"]
        else:
            q = f"(s[{cl}] | s[{cl + 1}] << 8)"
            put = [f"    l[{cl}] = cdest & 255", f"    l[{cl + 1}] = cdest >> 8"]
        if lay.stutter is not None:
            put.append(f"    l[{lay.stutter}] = flag")

        def move(pid: str, step: str, state: str, flag: int) -> str:
            return (f"res.append(({pid}, {step}, PUT({state}, cdest, {flag})) if MV else "
                    f"PUT({state}, cdest, {flag}))")

        retry = "True" if self.context else "False"
        np = "NPV(s)" if self.reads_np else "False"
        system_moves = (["        for pid, step, t in out:"] if self.gen.moves else
                        ["        for t in out:", "            pid = step = -1"])
        self.gen.out += [
            "def PUT(t, cdest, flag):",
            "    l = bytearray(t)", *put,
            "    return bytes(l)",
            "def CLAIM(s, q, to, np):",
            "    try:",
            "        cm = C[q](s, to, np)",
            "    except Fault as exc:",
            "        raise AV(-1, -1, 'run-time error in the never claim: ' + str(exc)) "
            "from None",
            "    for cstep, cdest in cm:",
            f"        if cdest == {end}:",
            "            raise AV(-1, cstep, CLAIM_END, 'claim')",
            "    return cm",
            "def PROD(s):",
            f"    q = {q}",
            "    out = []",
            "    failed = None",
            "    if CIN[q]:",
            "        code = -1",
            "    else:",
            "        try:",
            "            code = MOVES(s, out)",
            "        except AV as exc:",
            "            if not exc.phase:",
            "                raise",
            "            failed, code = exc, exc.phase",
            "        if not code:",
            "            return out",
            f"    np = {np}",
            "    cm = CLAIM(s, q, False, np)",
            "    res = []",
            "    leave = []",
            "    for cstep, cdest in cm:",
            "        if CIN[cdest]:",
            "            " + move("-1", "cstep", "s", 0),
            "        else:",
            "            leave.append((cstep, cdest))",
            "    if not leave:",
            "        return res",
            "    if code == -1:",
            "        code = MOVES(s, out)",
            "    if not out and failed is None:",
            f"        if {retry}:",
            "            leave = CLAIM(s, q, code == 2, np)",
            "        for cstep, cdest in leave:",
            "            " + move("-1", "cstep", "s", 1),
            "        return res",
            f"    if code == 2 and {retry}:",
            "        leave = []",
            "        for cstep, cdest in CLAIM(s, q, True, np):",
            "            if CIN[cdest]:",
            "                " + move("-1", "cstep", "s", 0),
            "            else:",
            "                leave.append((cstep, cdest))",
            "    if failed is not None:",
            "        if leave:",
            "            raise failed",
            "        return res",
            "    for cstep, cdest in leave:",
            *system_moves,
            "            " + move("pid", pair, "t", 0),
            "    return res"]
