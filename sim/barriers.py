"""Which barriers a program needs: drop each one it executes, one at a time, and search
for a failure under each weak memory model.

A *barrier* is an ``smp_mb``, ``smp_mb__after_rmw``, ``smp_wmb`` or ``smp_rmb`` with a
label, or a labelled read-modify-write (sequentially consistent: a full barrier on
x86, an acquire and a release on ARM).  ``barriers_executed`` lists those a program
runs (in the order first seen, over a few traced runs); ``audit`` drops each in turn
(``sim.explore(drop_fences=...)``: a dropped fence is not executed, a dropped RMW's
barrier makes it a relaxed RMW, still atomic) and searches the program under "tso",
then "arm": PCT first (quick to find a failure), then, if PCT found none, DFS up to a
preemption bound (so a "not needed" is an exhaustive result within that bound).

The verdict of each barrier is the smallest model that fails without it: "needed
under tso", "needed under arm only", or "not needed in this scenario" (neither
failed within the bound).  Some barriers cannot matter in a model and are not
searched there: under TSO only ``smp_mb`` orders anything (``smp_wmb``, ``smp_rmb``
and ``smp_mb__after_rmw`` compile to nothing on x86, and every locked RMW is a full
barrier); the ARM model performs loads in program order, so ``smp_rmb`` is "not
modelled" rather than "not needed" (ARMv8 does reorder loads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .explore import explore
from .memory import ARM, TSO
from .result import Result
from .runner import Runner, RunSpec
from .strategies.dfs import DFS
from .strategies.sampling import PCT

RMW_OPS = ("xchg", "cmpxchg", "fetch_add", "fetch_sub", "fetch_or", "fetch_and")
FENCES = {"fence.mb": "smp_mb", "fence.mb_after_rmw": "smp_mb__after_rmw",
          "fence.wmb": "smp_wmb", "fence.rmb": "smp_rmb"}

NEEDED_TSO = "needed under tso"
NEEDED_ARM = "needed under arm only"
NOT_NEEDED = "not needed in this scenario"
NOT_MODELLED = "not modelled (load->load reordering)"
UNKNOWN = "unknown (search budget ran out)"


@dataclass(frozen=True)
class Barrier:
    label: str
    kind: str                  # smp_mb, smp_wmb, ..., or the RMW's operation

    @property
    def is_rmw(self) -> bool:
        return self.kind in RMW_OPS

    def matters_under(self, model: str) -> bool:
        """Can dropping it change anything in ``model``?"""
        if model == TSO:
            return self.kind == "smp_mb"
        return self.kind != "smp_rmb"


@dataclass
class Finding:
    """What dropping one barrier did."""

    barrier: Barrier
    verdict: str
    model: str | None = None             # the model of the counterexample
    result: Result | None = None         # its search (``result.counterexample``)
    searched: list[tuple[str, Result]] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return self.verdict in (NEEDED_TSO, NEEDED_ARM)

    def evidence(self) -> str:
        """One line: how the verdict was reached."""
        parts = []
        for model, r in self.searched:
            if r.failed:
                cx = r.counterexample
                parts.append(f"{model}: {cx.failure.kind} after {r.executions:,} "
                             f"execution(s) of {r.strategy.split('(')[0]}, "
                             f"{cx.preemptions} preemption(s)")
            else:
                whole = "exhaustive" if r.exhaustive and not r.capped else "NOT exhaustive"
                parts.append(f"{model}: no failure ({r.strategy}, {r.executions:,} "
                             f"executions, {whole})")
        return "; ".join(parts) or "-"


def barriers_executed(program: Callable[[], None], max_steps: int, runs: int = 20,
                      seed: int = 0) -> list[Barrier]:
    """The labelled barriers ``program`` executes: the default schedule and ``runs``
    PCT runs, traced under the ARM model; in the order first seen."""
    seen: dict[str, Barrier] = {}
    pct = PCT(3)
    with Runner(RunSpec(program, max_steps=max_steps, memory_model=ARM)) as runner:
        first = runner.run(pct.decider(seed, 0, max_steps), trace=True)
        steps = max(first.nsteps, 1)
        traces = [first.trace or []]
        for i in range(1, runs):
            traces.append(runner.run(pct.decider(seed, i, steps), trace=True).trace or [])
    for trace in traces:
        for step in trace:
            kind = FENCES.get(step.op) or (step.op if step.op in RMW_OPS else None)
            if kind is not None and step.label and step.label not in seen:
                seen[step.label] = Barrier(step.label, kind)
    return list(seen.values())


def audit(program: Callable[[], None], barriers: list[Barrier], *, max_steps: int,
          bound: int = 1, pct_runs: int = 2_000, seed: int = 0,
          max_executions: int = 200_000,
          on_search: Callable[[Barrier, str], None] | None = None) -> list[Finding]:
    """Drop each barrier in turn; the smallest model that then fails, with its
    counterexample (``Finding.result.counterexample``)."""
    out = []
    for barrier in barriers:
        finding = Finding(barrier, NOT_NEEDED)
        for model in (TSO, ARM):
            if not barrier.matters_under(model):
                continue
            if on_search is not None:
                on_search(barrier, model)
            result = _search(program, barrier.label, model, max_steps, bound, pct_runs,
                             seed, max_executions)
            finding.searched.append((model, result))
            if result.failed:
                if model == TSO or finding.verdict != UNKNOWN:
                    finding.verdict = NEEDED_TSO if model == TSO else NEEDED_ARM
                finding.model, finding.result = model, result
                break
            if result.capped or not result.exhaustive:
                finding.verdict = UNKNOWN
        if finding.verdict == NOT_NEEDED and barrier.kind == "smp_rmb":
            finding.verdict = NOT_MODELLED
        out.append(finding)
    return out


def _search(program: Callable[[], None], label: str, model: str, max_steps: int,
            bound: int, pct_runs: int, seed: int, max_executions: int) -> Result:
    drop = frozenset({label})
    quick = explore(program, PCT(3), runs=pct_runs, seed=seed, max_steps=max_steps,
                    memory_model=model, drop_fences=drop)
    if quick.failed:
        return quick
    return explore(program, DFS(bound), seed=seed, max_steps=max_steps,
                   memory_model=model, drop_fences=drop, max_executions=max_executions)
