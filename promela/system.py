"""A compiled Promela model as a ``TransitionSystem``, with SPIN's scheduling rules.

* Atomic sequences: ``s[0]`` holds the index of the process whose last step ended
  inside an ``atomic``; while it can move, only it moves.  When it blocks, every process
  may move (the atomic sequence loses control), as in SPIN.
* Rendezvous: a send on a zero-capacity channel leaves the message in the channel and
  records the offer in ``s[1]``; the only moves then are matching receives by other
  processes.  An offer nobody can take is not a move (SPIN undoes it), neither for
  deadlocks and ``timeout`` nor against the sender's ``else``.
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
from .claimgen import PAIR_BASE
from .codegen import Compiled, compile_model
from .runtime import Fault
from .stmtgen import RV_SHIFT
from .symbols import Model
from .trail import state_variables


class PromelaSystem(TransitionSystem):
    """The transition system of one Promela model in one verification mode."""

    def __init__(self, compiled: Compiled, mode: str = "safety", fair: bool = False) -> None:
        self.c = compiled
        m = compiled.model
        self.name = os.path.basename(m.file)
        self.mode = mode
        ns = compiled.ns
        self._D, self._R = ns["D"], ns["R"]
        self._C = ns["C"] if mode != "non-progress" else None
        lay = compiled.layout
        self.P0 = lay.P0
        flows = compiled.flows
        self._end = [tuple(loc.end for loc in f.locations) for f in flows]
        self._accept = [tuple(loc.accept for loc in f.locations) for f in flows]
        self._prog = [tuple(loc.progress for loc in f.locations) for f in flows]
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
            self.accepting = self._accepting
            self.extend_dead_ends = not claim
            # the claim of an ltl formula is ours, not SPIN's: judge its stuttering by
            # the runs (see TransitionSystem.spin_stutter_fairness)
            self.spin_stutter_fairness = m.property is None or m.property.kind != "ltl"
        if mode == "non-progress":
            self.progress = self._progress
        if compiled.has_atomic or compiled.has_rv or any(self._claim_inside):
            self.exclusive = self._exclusive
        ns["FAULT"] = self._fault
        ns["NPMODE"] = mode == "acceptance"
        # pan -f moves a blocked system's claim by its fairness rule, which does not
        # mark the move as a stutter: np_ keeps its value there
        ns["NPFAIR"] = fair
        ns["S0"] = self.initial_states()[0]
        self._succ = ns["PROD"] if claim else ns["SUCC"]
        self.successors = self._succ            # type: ignore[method-assign]

    # ---- the interface ----

    def initial_states(self) -> list[tuple]:
        m = self.c.model
        lay = self.c.layout
        state: list[Any] = [0] * lay.G + [0] * m.nglobals + [(), ()]
        if m.claim is not None:
            state[2] = self.c.claim_flow.entry
        assert len(state) == lay.P0
        ns = self.c.ns
        try:
            ns["INIT"](state)
            for proc in m.initial:
                ns["NEW"][proc.index](state, (0,) * len(proc.params))
        except Fault as exc:
            raise ModelError(f"{self.name}: initial state: {exc}") from None
        return [tuple(state)]

    def successors(self, s: tuple) -> list:
        """The generated ``SUCC`` (no never claim) or ``PROD`` (the product with the
        claim); ``__init__`` also stores it on the instance, so the checkers call the
        generated function directly."""
        return self._succ(s)

    def step_info(self, step: int) -> StepInfo:
        if 0 <= step < len(self._infos):
            return self._infos[step]
        if step >= PAIR_BASE:
            return self._infos[self.pair_parts(step)[0]]
        return StepInfo("-stutter-", self.name)

    def process_name(self, state: tuple, pid: int) -> str:
        i = self.P0 + pid
        if pid < 0 or i >= len(state):
            return "never claim" if pid == STUTTER else f"pid {pid}"
        return f"{self.c.model.proctypes[state[i][0]].name}({pid})"

    def variables(self, state: tuple) -> dict[str, Any]:
        return state_variables(self, state)

    # ---- scheduling ----

    def _transient(self, s: tuple) -> bool:
        """True inside an atomic sequence that can go on (the system's or the never
        claim's), or with an offer pending."""
        if s[1]:
            return True
        if self._C is not None and self._claim_inside[s[2]]:
            return True
        ex = s[0]
        if ex:
            p, tmp = s[ex], []
            try:
                self._D[p[0]][p[1]](s, ex, p, tmp, False)
            except (Fault, AssertionViolation):
                return True         # it can move (into an error that successors reports)
            return bool(tmp)
        return False

    def _fault(self, s: tuple, exc: Fault) -> AssertionViolation:
        for i in range(self.P0, len(s)):        # find the process whose step faults
            p, tmp = s[i], []
            try:
                self._D[p[0]][p[1]](s, i, p, tmp, False)
            except Fault:
                return AssertionViolation(i - self.P0, self._first[p[0]][p[1]],
                                          f"run-time error: {exc}")
        return AssertionViolation(STUTTER, -1, f"run-time error: {exc}")

    def pair_parts(self, step: int) -> tuple[int, int | None]:
        """(system step, claim step) of a product step; claim step None if none."""
        if step >= PAIR_BASE:
            return divmod(step - PAIR_BASE, self._nsteps)
        return step, None

    # ---- predicates ----

    def _valid_end(self, s: tuple) -> bool:
        end = self._end
        return all(end[p[0]][p[1]] for p in s[self.P0:])

    def _accepting(self, s: tuple) -> bool:
        if self._transient(s):
            return False
        acc = self._accept
        if any(acc[p[0]][p[1]] for p in s[self.P0:]):
            return True
        return self._C is not None and self._claim_accept[s[2]]

    def _progress(self, s: tuple) -> bool:
        if self._transient(s):
            return False
        prog = self._prog
        return any(prog[p[0]][p[1]] for p in s[self.P0:])

    def _exclusive(self, s: tuple) -> int | None:
        if s[1]:
            return s[1] % RV_SHIFT - self.P0
        if self._C is not None and self._claim_inside[s[2]]:
            return STUTTER          # the claim runs its atomic sequence: nobody else
        return s[0] - self.P0 if self._transient(s) else None

    def _info(self, k: int) -> StepInfo:
        rec = self.c.steps[k]
        where = self.c.model.where(rec.pos)
        return StepInfo(rec.text, str(where), rec.at)

    # ---- modes ----

    @property
    def has_accept(self) -> bool:
        """Whether any process or the never claim has an ``accept`` label."""
        return any(any(acc) for acc in self._accept) or any(self._claim_accept)


def _first_step(loc) -> int:
    return loc.transitions[0].step if loc.transitions else -1


def build_system(model: Model, mode: str = "safety", fair: bool = False) -> PromelaSystem:
    """Compile a resolved ``model`` into a ``PromelaSystem`` for ``mode``."""
    claim_runs = mode == "non-progress" or model.claim is not None
    return PromelaSystem(compile_model(model, AssertionViolation, claim_runs), mode, fair)
