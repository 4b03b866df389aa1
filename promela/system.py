"""A compiled Promela model as a ``TransitionSystem``, with SPIN's scheduling rules.

* Atomic sequences: the state's ``EX`` byte holds 1 + the pid of the process whose last
  step ended inside an ``atomic``; while it can move, only it moves.  When it blocks, every process
  may move (the atomic sequence loses control), as in SPIN.
* Rendezvous: a send on a zero-capacity channel leaves the message in the channel and
  records the offer (channel and sender) in the state's ``RVC``/``RVP`` bytes; the
  only moves then are matching receives by other processes.  An offer nobody can take
  is not a move (SPIN undoes it), neither for deadlocks and ``timeout`` nor against the
  sender's ``else``.
* ``timeout`` is true only when no process can move otherwise.
* A process that reached the end of its body is removed by an extra step, only when it
  is the most recently created one (SPIN's rule; pids are reused after that).
* The never claim (acceptance and safety modes) moves before each system step, on the
  state the system step starts from, but not in the middle of an atomic sequence or a
  rendezvous; when the system cannot move the claim moves alone (stutter).  Its end is
  a violation.  In non-progress mode the claim is ignored, as SPIN's ``-DNP`` does.
"""

from __future__ import annotations

import os
from typing import Any

from ..model.system import STUTTER, AssertionViolation, ModelError, StepInfo, TransitionSystem
from . import ast
from .claimgen import PAIR_BASE
from .codegen import Compiled, compile_model
from .layout import EX, NPR, RVC, RVP
from .runtime import Fault
from .symbols import Model
from .trail import state_variables


class PromelaSystem(TransitionSystem):
    """The transition system of one Promela model in one verification mode.

    States are ``bytes`` (see layout.py).  ``successors`` gives moves; ``next_states``
    gives the states alone, from a second generated module compiled on first use.
    """

    def __init__(self, compiled: Compiled, mode: str = "safety", fair: bool = False) -> None:
        self.c = compiled
        m = compiled.model
        self.name = os.path.basename(m.file)
        self.mode = mode
        ns = compiled.ns
        self._D, self._R = ns["D"], ns["R"]
        self._C = ns["C"] if mode != "non-progress" else None
        lay = compiled.layout
        self.layout = lay
        self.P0 = lay.P0
        flows = compiled.flows
        self._end = [tuple(loc.end for loc in f.locations) for f in flows]
        self._accept = [tuple(loc.accept for loc in f.locations) for f in flows]
        self._first = [tuple(_first_step(loc) for loc in f.locations) for f in flows]
        cf = compiled.claim_flow
        self._claim_accept = tuple(loc.accept for loc in cf.locations) if cf else ()
        self._claim_inside = tuple(loc.inside for loc in cf.locations) if cf else ()
        self._infos = [self._info(k) for k in range(len(compiled.steps))]
        self._nsteps = len(compiled.steps)
        claim = self._C is not None
        if mode == "safety" and not claim:
            self.valid_end = self._valid_end
        if mode == "acceptance":
            self.accepting = ns["ACC"]     # generated, predgen.py
            self.extend_dead_ends = not claim
            # the claim of an ltl formula is ours, not SPIN's: judge its stuttering by
            # the runs (see TransitionSystem.spin_stutter_fairness)
            self.spin_stutter_fairness = m.property is None or m.property.kind != "ltl"
        if mode == "non-progress":
            self.progress = ns["PRG"]
        if compiled.has_atomic or compiled.has_rv or any(self._claim_inside):
            self.exclusive = self._exclusive
        self._fair = fair
        if fair and compiled.reduction.reduces:
            self.movers = ns["MOVERS"]      # generated, schedgen.py
        self._context(ns)
        self._succ = ns["PROD"] if claim else ns["SUCC"]
        self.successors = self._succ            # type: ignore[method-assign]
        self._next: Any = None

    def _context(self, ns: dict[str, Any]) -> None:
        """What a generated module needs from the system: its fault reports, the mode
        (``np_`` is computed only in acceptance mode), fairness (pan -f moves a blocked
        system's claim by its fairness rule, which does not mark the move as a stutter:
        ``np_`` keeps its value there) and the initial state."""
        ns["FAULT"] = self._fault
        ns["NPMODE"] = self.mode == "acceptance"
        ns["NPFAIR"] = self._fair
        ns["S0"] = self.initial_states()[0]

    # ---- the interface ----

    def initial_states(self) -> list[bytes]:
        m = self.c.model
        lay = self.layout
        state = bytearray(lay.P0)
        if lay.claim is not None:
            entry = self.c.claim_flow.entry
            state[lay.claim:lay.claim + lay.claim_width] = entry.to_bytes(lay.claim_width,
                                                                          "little")
        if lay.event is not None:
            state[lay.event] = self.c.trace_flow.entry
        ns = self.c.ns
        try:
            ns["INIT"](state)
            for proc in m.initial:
                ns["NEW"][proc.index](state, (0,) * len(proc.params), proc.priority)
        except Fault as exc:
            raise ModelError(f"{self.name}: initial state: {exc}") from None
        return [bytes(state)]

    def successors(self, s: bytes) -> list:
        """The generated ``SUCC`` (no never claim) or ``PROD`` (the product with the
        claim); ``__init__`` also stores it on the instance, so the checkers call the
        generated function directly."""
        return self._succ(s)

    @property
    def next_states(self) -> Any:
        """``state -> list of successor states`` (no moves): the generated states-only
        module, compiled on first use (the safety searches call it)."""
        if self._next is None:
            red = self.c.reduction
            fast = compile_model(self.c.model, AssertionViolation,
                                 bool(self.layout.nr_extra), moves=False,
                                 merge=red.merge, reduce=red.reduce, dead=red.dead,
                                 closure=red.claim_closure is not None, fair=red.fair)
            if len(fast.steps) != len(self.c.steps):
                raise ModelError(f"{self.name}: the two successor modules disagree")
            self._context(fast.ns)
            self._next = fast.ns["PROD"] if self._C is not None else fast.ns["SUCC"]
        return self._next

    def step_info(self, step: int) -> StepInfo:
        if 0 <= step < len(self._infos):
            return self._infos[step]
        if step >= PAIR_BASE:
            return self._infos[self.pair_parts(step)[0]]
        return StepInfo("-stutter-", self.name)

    def process_name(self, state: bytes, pid: int) -> str:
        if pid < 0 or pid >= state[NPR]:
            return "never claim" if pid == STUTTER else f"pid {pid}"
        ptype = self.layout.processes(state)[pid][1]
        return f"{self.c.model.proctypes[ptype].name}({pid})"

    def variables(self, state: bytes) -> dict[str, Any]:
        return state_variables(self, state)

    def processes(self, state: bytes) -> list[tuple[int, int]]:
        """(proctype index, location) of each running process, in pid order."""
        return [(t, pc) for _o, t, pc in self.layout.processes(state)]

    def locations(self, state: bytes) -> dict[str, str]:
        """Where each process is: its location's label (an operation label first),
        else the statement it runs next, else ``-end-``."""
        out = {}
        for pid, (ptype, pc) in enumerate(self.processes(state)):
            loc = self.c.flows[ptype].locations[pc]
            named = sorted(loc.labels, key=lambda lab: "__" not in lab)
            if named:
                where = named[0]
            elif loc.transitions:
                where = self.step_info(loc.transitions[0].step).label
            else:
                where = "-end-"
            out[self.process_name(state, pid)] = where
        return out

    # ---- scheduling ----

    def _transient(self, s: bytes) -> bool:
        """True inside an atomic sequence that can go on (the system's or the never
        claim's), or with an offer pending."""
        if s[RVC]:
            return True
        if self._C is not None and self._claim_inside[self.layout.claim_pc(s)]:
            return True
        ex = s[EX]
        if ex:
            o, t, pc = self.layout.processes(s)[ex - 1]
            tmp: list = []
            try:
                self._D[t][pc](s, ex - 1, o, tmp, False)
            except (Fault, AssertionViolation):
                return True         # it can move (into an error that successors reports)
            return bool(tmp)
        return False

    def _fault(self, s: bytes, exc: Fault) -> AssertionViolation:
        for pid, (o, t, pc) in enumerate(self.layout.processes(s)):
            tmp: list = []                  # find the process whose step faults
            try:
                self._D[t][pc](s, pid, o, tmp, False)
            except Fault:
                return AssertionViolation(pid, self._first[t][pc],
                                          f"run-time error: {exc}")
        return AssertionViolation(STUTTER, -1, f"run-time error: {exc}")

    def pair_parts(self, step: int) -> tuple[int, int | None]:
        """(system step, claim step) of a product step; claim step None if none."""
        if step >= PAIR_BASE:
            return divmod(step - PAIR_BASE, self._nsteps)
        return step, None

    # ---- predicates ----

    def _valid_end(self, s: bytes) -> bool:
        end = self._end
        return all(end[t][pc] for _o, t, pc in self.layout.processes(s))

    def _exclusive(self, s: bytes) -> int | None:
        if s[RVC]:
            return s[RVP]
        if self._C is not None and self._claim_inside[self.layout.claim_pc(s)]:
            return STUTTER          # the claim runs its atomic sequence: nobody else
        return s[EX] - 1 if self._transient(s) else None

    def _info(self, k: int) -> StepInfo:
        rec = self.c.steps[k]
        where = self.c.model.where(rec.pos)
        return StepInfo(rec.text, str(where), rec.at)

    # ---- modes ----

    @property
    def has_accept(self) -> bool:
        """Whether any process or the never claim has an ``accept`` label, reachable or
        not: pan decides by its labels whether -a looks for cycles, so a model whose
        only accept label can never be reached still gets an acceptance search (in
        which an invalid end state is no error)."""
        m = self.c.model
        roots = [p.body for p in m.proctypes] + ([m.claim.body] if m.claim else [])
        return any(any(acc) for acc in self._accept) or any(self._claim_accept) or any(
            isinstance(n, ast.Labeled) and n.label.startswith("accept")
            for n in ast.walk(roots))


def _first_step(loc) -> int:
    return loc.transitions[0].step if loc.transitions else -1


def build_system(model: Model, mode: str = "safety", fair: bool = False,
                 merge: bool = True, reduce: bool = True, dead: bool = True,
                 closure: bool = False) -> PromelaSystem:
    """Compile a resolved ``model`` into a ``PromelaSystem`` for ``mode``, with
    statement merging, partial-order reduction and dead-variable elimination as asked
    (reduce.py, deadvars.py; under weak fairness, no partial-order reduction for a
    model with rendezvous channels), and
    ``closure``: a never claim that counts steps replaced by its stutter closure where
    that keeps the reductions (closure.py; not in non-progress mode, which checks no
    never claim)."""
    claim_runs = mode == "non-progress" or model.claim is not None
    compiled = compile_model(model, AssertionViolation, claim_runs, merge=merge,
                             reduce=reduce, dead=dead,
                             closure=closure and mode != "non-progress", fair=fair)
    return PromelaSystem(compiled, mode, fair)
