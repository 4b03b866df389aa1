"""Counterexample transfer: a model's counterexample drives the real code.

The model variant's counterexample (the shortest safety one, else a liveness one: its
stem, then its cycle once) is read through the mapping into an *order*: the labelled
operations of the mapped threads in the model's order, each with the values of the
mapped variables before and after it.  The processes it leaves stuck at a labelled
statement (an invalid end state, a run that stops) become threads that must end stuck
at that operation.  The simulation's ``ordered`` strategy then searches only the
schedules of the scenario that follow the order (filling in the unlabelled steps),
until one fails as the scenario's bug does.  When none does, the furthest any
execution followed the order says at which labelled step the code could not follow
the model, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..sim.explore import explore
from ..sim.strategies.ordered import LabelledOp, Ordered, Progress
from .automaton import project

if TYPE_CHECKING:
    from ..model.result import Counterexample as ModelCounterexample
    from ..model.result import Result as ModelResult
    from ..promela.system import PromelaSystem
    from ..sim.result import Counterexample, Result
    from .correspondence import Correspondence

#: executions the transfer tries by default (the catalogue's needs at most 20)
RUNS = 100


@dataclass
class ModelTrail:
    """The model's counterexample and what it says to the code."""

    result: ModelResult
    system: PromelaSystem
    order: tuple[LabelledOp, ...]
    blocked: tuple[LabelledOp, ...]
    steps: list[int]                    # index in cx.steps of each operation of order

    @property
    def counterexample(self) -> ModelCounterexample:
        assert self.result.counterexample is not None
        return self.result.counterexample


@dataclass
class Transfer:
    """What carrying one model counterexample onto the code gave."""

    corr: Correspondence
    trail: ModelTrail | None            # None: the model variant has no counterexample
    result: Result | None = None        # the ordered search
    progress: list[Progress] = field(default_factory=list)
    aligned: list[tuple[int, int]] = field(default_factory=list)  # (model step, trace i)

    @property
    def reproduced(self) -> bool:
        return self.result is not None and self.result.failed

    @property
    def executions(self) -> int:
        return self.result.executions if self.result is not None else 0

    @property
    def counterexample(self) -> Counterexample | None:
        return self.result.counterexample if self.result is not None else None

    def furthest(self) -> Progress | None:
        return max(self.progress, key=lambda p: p.matched, default=None)

    def summary(self) -> str:
        what = self.corr.describe()
        if self.trail is None:
            return f"{what}: the model variant has no counterexample: nothing to transfer"
        cx = self.trail.counterexample
        n = len(self.trail.order)
        head = (f"{what}: the model's {cx.kind} ({len(cx)} steps, {n} labelled "
                f"operations of mapped threads")
        head += f", {len(self.trail.blocked)} stuck at the end)" if self.trail.blocked else ")"
        if self.reproduced:
            kind = self.counterexample.failure.kind if self.counterexample else "?"
            return (f"{head}\n  reproduced on the code: {kind} at execution "
                    f"{self.executions} of the ordered search")
        best = self.furthest()
        why = (f"\n  the code could not follow the model: the furthest execution "
               f"({best.execution}) followed {best.matched} of {n} operations; "
               f"{best.reason}" if best is not None else "")
        return f"{head}\n  NOT reproduced in {self.executions} executions{why}"

    def alignment_text(self) -> str:
        """The matched operations side by side: model statement | code operation."""
        if self.trail is None or self.counterexample is None:
            return ""
        cx, trace = self.trail.counterexample, self.counterexample.trace
        lines = [f"{'#':>3}  {'model':44} {'code':44}"]
        for k, (mi, ti) in enumerate(self.aligned, 1):
            ms = cx.steps[mi]
            step = trace[ti]
            thread = self.counterexample.threads[step.tid]
            model = f"{ms.process}: {ms.label}"
            code = f"{thread}: {step.describe()}"
            lines.append(f"{k:>3}  {model[:44]:44} {code[:60]}")
        for op in self.trail.blocked:
            lines.append(f"end  {op.thread} stuck at {op.label} (both sides)")
        return "\n".join(lines)

    def picture(self) -> Any:
        """Both runs as swimlanes, aligned on the order (``pairing.picture``)."""
        from .picture import aligned
        return aligned(self)

    def _repr_svg_(self) -> str | None:
        return self.picture().svg() if self.counterexample is not None else None

    def __str__(self) -> str:
        text = self.summary()
        table = self.alignment_text()
        if table:
            text += "\n\n" + table
        if self.counterexample is not None:
            text += "\n\nreplayable schedule: " + self.counterexample.to_json()
        return text


def model_counterexample(corr: Correspondence, mode: str | None = None
                         ) -> tuple[ModelResult, PromelaSystem] | None:
    """The model variant's counterexample: in ``mode`` if given, else the shortest
    safety one, else a weakly fair acceptance one; None if there is none."""
    from .. import promela

    defines = list(corr.defines)
    tries = [(mode, mode == "acceptance")] if mode else [("safety", False),
                                                         ("acceptance", True)]
    for m, fair in tries:
        result, system = promela.check(corr.model_path, m, fair=fair, defines=defines,
                                       search="bfs")
        if result.counterexample is not None:
            return result, system
    return None


def trail_of(corr: Correspondence, result: ModelResult, system: PromelaSystem) -> ModelTrail:
    """Read the counterexample of ``result`` through the mapping."""
    cx = result.counterexample
    assert cx is not None
    labels = corr.mapping.model_labels()
    states = cx.states
    order: list[LabelledOp] = []
    steps: list[int] = []
    for i, st in enumerate(cx.steps):
        if st.pid < 0:
            continue
        label, thread = _labelled(corr, system, states[i], st.pid, labels)
        if label is None:
            continue
        before, after = system.variables(states[i]), system.variables(states[i + 1])
        values = tuple((obj, before.get(var), after.get(var))
                       for var, obj in corr.variables.items())
        order.append(LabelledOp(thread, label, values))
        steps.append(i)
    blocked: list[LabelledOp] = []
    if not cx.cycle:
        last = states[-1]
        for pid in range(len(system.processes(last))):
            label, thread = _labelled(corr, system, last, pid, labels)
            if label is not None and _stuck(system, last, pid):
                blocked.append(LabelledOp(thread, label))
    return ModelTrail(result, system, tuple(order), tuple(blocked), steps)


def _labelled(corr: Correspondence, system: PromelaSystem, state: Any, pid: int,
              labels: dict[str, str]) -> tuple[str | None, str]:
    """(impl label of process ``pid``'s location in ``state``, its thread), or None."""
    proc = system.process_name(state, pid).split("(", 1)[0]
    thread = corr.threads.get(proc)
    if thread is None:
        return None, ""
    ptype, pc = system.processes(state)[pid]
    loc = system.c.flows[ptype].locations[pc]
    for lab in loc.labels:
        if lab in labels:
            return labels[lab], thread
    return None, thread


def _stuck(system: PromelaSystem, state: Any, pid: int) -> bool:
    """Process ``pid`` cannot move in ``state`` (and is not at its end)."""
    try:
        moves = system.successors(state)
    except Exception:       # an assertion in a move out of here: it could move into it
        return False
    return all(p != pid for p, _, _ in moves)


def transfer(corr: Correspondence, program: Callable[[], None], *,
             expect: tuple[str, ...] = (), runs: int = RUNS, seed: int = 1,
             max_steps: int = 5_000, mode: str | None = None) -> Transfer:
    """Carry the model variant's counterexample onto ``program`` (the scenario with the
    matching variant of the code)."""
    found = model_counterexample(corr, mode)
    if found is None:
        return Transfer(corr, None)
    trail = trail_of(corr, *found)
    strategy = Ordered(trail.order, expect, trail.blocked, dict(corr.alphabet))
    result = explore(program, strategy, runs=runs, seed=seed, max_steps=max_steps,
                     shrink=False)
    out = Transfer(corr, trail, result, list(strategy.progress))
    if result.failed and result.counterexample is not None:
        out.aligned = align(corr, trail, result.counterexample)
    return out


def align(corr: Correspondence, trail: ModelTrail, cx: Counterexample
          ) -> list[tuple[int, int]]:
    """(model step index, trace index) of each operation of the order, as the ordered
    search matched them (the first operation of the right thread and label, in turn)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for i, ev in project(cx.trace, list(cx.threads), corr.alphabet):
        if pos < len(trail.order):
            want = trail.order[pos]
            if ev.thread == want.thread and ev.label == want.label:
                out.append((trail.steps[pos], i))
                pos += 1
    return out
