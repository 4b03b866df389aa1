"""Which process may move: SPIN's scheduling rules as generated code.

``MOVES(s, out)`` and ``SUCC(s)`` collect the system's moves in ``s`` (system.py says
what the rules mean):

* while a process holds an atomic sequence and can go on, only it moves;
* while a rendezvous offer is pending, only receives that take it move;
* with the partial-order reduction (reduce.py), a process at a location of ``AMPLE``
  that can move is expanded alone (the highest pid first); under weak fairness
  ``MOVERS(s, pid)`` then says which processes could have moved;
* otherwise every process moves, and when nobody can, every process again with
  ``timeout`` true;
* a process with a ``provided`` clause moves only while it holds, and with priorities
  a process moves only when no process of a higher priority (whose provided clause
  holds) can move, as pan's ``highest_priority()`` decides.

With statement merging, ``CL`` replaces a successor inside an atomic sequence by the
states where the sequence ends.  Also the helpers behind ``enabled(pid)``,
``pc_value(pid)``, ``get_priority(pid)`` and ``set_priority(pid, n)``, and ``TAKERS``
(can anybody take a rendezvous offer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exprgen import Ctx
from .layout import EX, NPR, RVC
from .specialise import unrolled
from .stmtgen import _ind

#: the states one closure of an atomic sequence passes before it stores one (``CLOSE``)
ATOMIC_CLOSURE_MAX = 64

if TYPE_CHECKING:
    from .codegen import CodeGen
    from .flow import Flow


def _phase(lines: list[str], phase: int) -> list[str]:
    """``lines`` that tag an assertion violation they raise with ``phase`` (the
    ``AssertionViolation.phase`` of model/system.py)."""
    return ["try:"] + _ind(lines) + ["except AV as exc:", f"    exc.phase = {phase}",
                                     "    raise"]


def _untagged(lines: list[str], _phase: int) -> list[str]:
    """``lines`` as they are (SUCC: no claim moves first, the round does not matter)."""
    return lines


class SchedGen:
    def __init__(self, gen: CodeGen) -> None:
        self.gen = gen
        self.out = gen.out
        self.lay = gen.lay
        m = gen.m
        self.provided = any(p.provided is not None for p in m.proctypes)
        self.priority = m.has_priority
        #: moves are filtered by MAY (provided clauses, priorities)
        self.filtered = self.provided or self.priority
        #: where ``_priority`` (the first local) sits in a process record
        self.prio_at = 1 + self.lay.pc_width

    def call(self, to: str, into: str = "out", table: str = "D") -> list[str]:
        """Lines that add the moves of process ``i`` (record at ``o``) to ``into``;
        ``table`` R: only its rendezvous receives."""
        pc = self.gen.pc("s", "o")
        may = [f"if MAY(s, i, o, {to}):"] if self.filtered else []
        if table == "R":
            inner = [f"f(s, i, o, {into}, {to})"]
            return [f"f = R[s[o]][{pc}]", "if f is not None:"] + _ind(
                may + (_ind(inner) if may else inner))
        inner = [f"D[s[o]][{pc}](s, i, o, {into}, {to})"]
        return may + (_ind(inner) if may else inner)

    def build(self, flows: list[Flow]) -> None:
        gen = self.gen
        if self.filtered:
            self.may()
        if gen.red.reduces:
            self.ample_table()
        close = "CL(out); " if gen.collapse else ""
        for name, head, done in (("MOVES", "def MOVES(s, out):",
                                  (close + "return 0", close + "return 1")),
                                 ("SUCC", "def SUCC(s):",
                                  (close + "return out", close + "return out"))):
            body = [] if name == "MOVES" else ["out = []"]
            # in MOVES, a failed assertion says in which round it failed (the claim
            # moves first in round 1 and 2, not in 0: claimgen.py)
            tag = _phase if name == "MOVES" else _untagged
            if gen.has_atomic:
                body += [f"ex = s[{EX}]", "if ex:", "    i = ex - 1", "    o = poff(s, i)"]
                body += _ind(tag(self.call("False"), 0))
                body += ["    if out:", f"        {done[0]}"]
            if gen.has_rv:
                body += [f"if s[{RVC}]:"] + _ind(tag(self.gen.each_process(
                    *self.call("False", table="R")), 0)) + [f"    {done[0]}"]
            expand = self.reduced(done[1]) if gen.red.reduces else []
            expand += self.gen.each_process(*self.call("False"))
            if gen.copies and not self.filtered:
                pcs = [gen.pc("s", str(o)) for _t, o in gen.static]
                body += [f"if s[{NPR}] == {len(gen.static)}:"] + _ind(unrolled(
                    gen.static, pcs, gen.red.reduces, done[1])) + ["else:"] + _ind(expand)
            else:
                body += expand
            if gen.has_timeout:
                body += ["if not out:"] + _ind(tag(self.gen.each_process(*self.call("True")),
                                                   2))
                if name == "MOVES":
                    body.append(f"    {close}return 2")
            body.append(done[1])
            self.out.append(head)
            self.out += _ind(["try:"] + _ind(body) + [
                "except Fault as exc:", "    raise FAULT(s, exc) from None"])
        if gen.collapse:
            self.atomic_closure()
        if gen.red.reduces and gen.red.fair:
            self.movers()
        if gen.has_rv:
            self.out += ["def TAKERS(s):", "    tmp = []"] + _ind(self.gen.each_process(
                *self.call("False", into="tmp", table="R"), "if tmp:", "    return True"
            )) + ["    return False"]
        self.helpers(flows)

    def ample_table(self) -> None:
        """``AMPLE[type][pc]``: 1 where a process may be expanded alone, 0 where not,
        and where it may be when its xr/xs statements are local in the state (reduce.py,
        exclusive.py), the function ``QC<type>_<pc>(s, i, o)`` testing that: each
        claimed channel it receives from holds a message, each it sends to has room."""
        red = self.gen.red
        ctx = Ctx("s", "s", "o", "i", self.gen.g.nr("s"))
        rows = []
        for k, row in enumerate(red.ample):
            items = []
            for pc, a in enumerate(row):
                if a != 2:
                    items.append(str(a))
                    continue
                tests = []
                for word, chan in red.conditional[k, pc]:
                    q = f"qget(s, {self.gen.x.chan(chan, ctx)})"
                    tests.append(f"{q}[2] > 0" if word == "xr" else
                                 f"{q}[2] < CAP[{q}[0]]")
                self.out += [f"def QC{k}_{pc}(s, i, o):",
                             f"    return {' and '.join(tests)}"]
                items.append(f"QC{k}_{pc}")
            rows.append("(" + "".join(x + ", " for x in items) + ")")
        self.out.append("AMPLE = (" + "".join(r + ", " for r in rows) + ")")
        if self.gen.copies:
            self.out += [f"A{t} = AMPLE[{t}]" for t in sorted({t for t, _o in
                                                               self.gen.static})]

    def reduced(self, done: str) -> list[str]:
        """Lines trying the partial-order reduction (reduce.py): the processes at a
        location of ``AMPLE``, the highest pid first; the first with a move is expanded
        alone.  ``cand`` links the candidates as nested tuples, the last found first."""
        pc = self.gen.pc("s", "o")
        return ["cand = None"] + self.gen.each_process(
            f"a = AMPLE[t][{pc}]", "if a == 1 or a and a(s, i, o):",
            "    cand = (i, o, cand)") + [
            "while cand is not None:",
            "    i, o, cand = cand"] + _ind(self.call("False")) + [
            "    if out:",
            f"        {done}"]

    def movers(self) -> None:
        """``MOVERS(s, pid)``: the pids of the processes with a move in ``s``, where the
        successors were ``pid``'s alone, for weak fairness: if the reduction expanded
        ``pid`` alone (it stands at a location of ``AMPLE``), the others are not blocked
        there, only postponed.  Only a state outside atomic sequences and rendezvous
        offers is reduced, so each process's own moves decide (with ``timeout`` false:
        ``pid`` can move); a move that fails an assertion is a move."""
        pc = self.gen.pc("s", "o")
        self.out += ["def MOVERS(s, pid):", "    o = poff(s, pid)",
                     f"    if not AMPLE[s[o]][{pc}]:", "        return (pid,)",
                     "    movers = []", "    try:"] + _ind(_ind(
            self.gen.each_process("tmp = []", "try:", *_ind(self.call("False", into="tmp")),
                                  "except AV:", "    tmp = True",
                                  "if tmp:", "    movers.append(i)"))) + [
            "    except Fault as exc:", "        raise FAULT(s, exc) from None",
            "    return movers"]

    def atomic_closure(self) -> None:
        """``CL(out)``: each successor in ``out`` that is inside an atomic sequence (no
        rendezvous offer pending) is replaced by the states where the sequence ends:
        left, or blocked inside (SPIN does not store the states in between either).
        ``CLOSE(t)`` finds them, running the sequence's process alone; a sequence that
        comes back to a state it passed keeps its states (None), so a loop inside an
        atomic sequence stays a cycle of the graph.  A sequence that passes more than
        ATOMIC_CLOSURE_MAX states (a loop counting an int up: 2^32 of them) ends its
        closure at the state it reached, which is stored and searched on from like any
        other: one closure is out of reach of the search's budgets (time, memory), a
        stored state is not."""
        pc = self.gen.pc("u", "o")
        may = ["        if MAY(u, i, o, False):"] if self.filtered else []
        run = f"D[u[o]][{pc}](u, i, o, tmp, False)"
        self.out += [
            "def CL(out):",
            "    k = 0",
            "    while k < len(out):",
            "        x = out[k]",
            "        t = x[2] if MV else x",
            f"        if t[{EX}] and not t[{RVC}]:",
            "            fin = CLOSE(t)",
            "            if fin is not None:",
            "                out[k:k + 1] = [(x[0], x[1], f) for f in fin] if MV else fin",
            "                k += len(fin)",
            "                continue",
            "        k += 1",
            "def CLOSE(t):",
            "    seen = {t}",
            "    todo = [t]",
            "    fin = []",
            "    while todo:",
            "        u = todo.pop()",
            f"        i = u[{EX}] - 1",
            "        o = poff(u, i)",
            "        tmp = []",
            *may, ("            " if may else "        ") + run,
            "        if not tmp:",
            "            fin.append(u)",
            "            continue",
            "        for v in tmp:",
            "            if MV:",
            "                v = v[2]",
            f"            if v[{EX}] and not v[{RVC}]:",
            "                if v in seen:",
            "                    return None",
            f"                if len(seen) > {ATOMIC_CLOSURE_MAX}:",
            "                    fin.append(v)",
            "                    continue",
            "                seen.add(v)",
            "                todo.append(v)",
            "            else:",
            "                fin.append(v)",
            "    return fin"]

    def may(self) -> None:
        """``MAY(s, i, o, to)``: may process ``i`` (record at ``o``) move at all
        (its provided clause, priorities)."""
        gen = self.gen
        names = []
        for proc in gen.m.proctypes:
            if proc.provided is None:
                names.append("None")
                continue
            ctx = Ctx("s", "s", "o", "i", gen.g.nr("s"))
            gen.out += [f"def PV{proc.index}(s, i, o):",
                        f"    return {gen.x.cond(proc.provided, ctx)}"]
            names.append(f"PV{proc.index}")
        gen.out.append(f"PV = ({''.join(n + ', ' for n in names)})")
        lines = ["def MAY(s, i, o, to):", "    f = PV[s[o]]",
                 "    if f is not None and not f(s, i, o):", "        return False"]
        if self.priority:       # pan's highest_priority(): nobody above can move
            pc = gen.pc("s", "r")
            lines += [f"    mine = s[o + {self.prio_at}]",
                      f"    r = {self.lay.P0}",
                      f"    for j in range(s[{NPR}]):",
                      "        u = s[r]",
                      f"        if j != i and s[r + {self.prio_at}] > mine:",
                      "            g = PV[u]",
                      "            if g is None or g(s, j, r):",
                      "                tmp = []",
                      "                try:",
                      f"                    D[u][{pc}](s, j, r, tmp, to)",
                      "                except AV:",
                      "                    return False",
                      "                if tmp:",
                      "                    return False",
                      "        r += SIZE[u]"]
        gen.out += lines + ["    return True"]

    def helpers(self, flows: list[Flow]) -> None:
        """``EN`` (``enabled(pid)``), ``PCV`` (``pc_value(pid)``), ``GETP``
        (``get_priority(pid)``) and ``SETP`` (``set_priority``).  A pid that no process
        has is not enabled, at state 0 and of priority 0 (pan reads zeroed memory), and
        setting its priority does nothing; a process asking whether it is enabled itself
        is a run-time error, and so is a priority outside 1..255, as in pan."""
        numbers = ", ".join("(" + "".join(f"{loc.number}, " for loc in f.locations) + ")"
                            for f in flows)
        pc = self.gen.pc("s", "o")
        self.out += [f"SEQNO = ({numbers},)",
                     "def EN(s, pid, to, me):",
                     "    if pid == me:",
                     "        raise Fault('enabled() of the process itself')",
                     f"    if pid < 0 or pid >= s[{NPR}]:",
                     "        return 0",
                     "    o = poff(s, pid)",
                     "    tmp = []",
                     "    try:",
                     f"        D[s[o]][{pc}](s, pid, o, tmp, to)",
                     "    except AV:",
                     "        return 1",
                     "    return 1 if tmp else 0",
                     "def PCV(s, pid):",
                     f"    if pid < 0 or pid >= s[{NPR}]:",
                     "        return 0",
                     "    o = poff(s, pid)",
                     f"    return SEQNO[s[o]][{pc}]"]
        if self.priority:
            self.out += ["def GETP(s, pid):",
                         f"    if pid < 0 or pid >= s[{NPR}]:",
                         "        return 0",
                         f"    return s[poff(s, pid) + {self.prio_at}]",
                         "def SETP(l, pid, n):",
                         "    if not 1 <= n <= 255:",
                         "        raise Fault('priority is out of range')",
                         f"    if 0 <= pid < l[{NPR}]:",
                         f"        l[poff(l, pid) + {self.prio_at}] = n"]
