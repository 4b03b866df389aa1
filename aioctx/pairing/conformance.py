"""Conformance: every execution of a scenario, within a search bound, is a path of its
model.

A systematic strategy of the simulation (DFS with a preemption bound, or DPOR)
enumerates the executions; each one runs traced, its labelled operations are projected
onto the mapping's alphabet (``automaton.project``) and followed through the model's
automaton.  The first operation the model does not allow ends the check with a
``Departure``: the execution's trace up to there, the model states it could be in, and
the moves it would have allowed.  Executions that fail (the buggy variant's race) are
checked like any other and the search goes on past them: the strategy never sees the
failure, so it does not stop there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..sim.runner import RunSpec, guarded
from ..sim.strategy import SearchJob, make_strategy
from .automaton import Automaton, Event, project

if TYPE_CHECKING:
    from ..sim.decider import Decider
    from ..sim.execution import Execution
    from ..sim.runner import Runner
    from ..sim.trace import Step
    from .correspondence import Correspondence


@dataclass
class Departure:
    """Where an execution leaves the model."""

    execution: int                      # 1-based, in search order
    index: int                          # 0-based position among the projected events
    event: Event                        # the operation the model does not allow
    events: list[Event]                 # the projected events of the execution
    trace: list[Step]                   # the execution's trace, up to that operation
    threads: list[str]
    states: list[dict[str, Any]]        # a few model states it could be in: variables
    locations: list[dict[str, str]]     # ... and where each process is
    allowed: list[str]                  # the moves the model allows there

    def report(self) -> str:
        lines = [f"execution {self.execution}: labelled operation {self.index + 1} "
                 f"({self.event.describe()}) is not a move of the model"]
        lines.append("  the code's labelled operations so far:")
        for i, ev in enumerate(self.events[:self.index + 1], 1):
            mark = "  <== not allowed" if i == self.index + 1 else ""
            lines.append(f"    {i:>3}  {ev.describe()}{mark}")
        lines.append(f"  the model can be in {len(self.states)} state(s) here, e.g.:")
        for variables, where in list(zip(self.states, self.locations, strict=True))[:2]:
            lines.append("    at: " + ", ".join(f"{p} {loc}" for p, loc in where.items()))
            lines.append("    " + ", ".join(f"{k}={v}" for k, v in variables.items()
                                           if ":" not in k))
        lines.append("  the model allows next: " + ("; ".join(self.allowed) or
                                                    "nothing visible (it only stops)"))
        return "\n".join(lines)


@dataclass
class Conformance:
    """The outcome of a conformance check."""

    pairing: str                        # Correspondence.describe()
    search: str                         # "DFS <= 2 preemptions", "DPOR"
    executions: int = 0
    exhaustive: bool = False
    failed_runs: int = 0                # executions that failed (the race itself)
    events: int = 0                     # labelled operations checked, over all runs
    model_states: int = 0
    seconds: float = 0.0
    departure: Departure | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.departure is None and self.exhaustive

    def summary(self) -> str:
        if self.departure is not None:
            return (f"{self.pairing}: does NOT conform: execution {self.departure.execution} "
                    f"leaves the model ({self.search})")
        scope = "exhaustive" if self.exhaustive else "NOT exhaustive (stopped at its cap)"
        return (f"{self.pairing}: conforms: {self.executions:,} executions ({self.search}, "
                f"{scope}), {self.events:,} labelled operations checked against "
                f"the {self.model_states:,} model states they reach; "
                f"{self.failed_runs:,} executions failed on the way")

    def __str__(self) -> str:
        text = self.summary()
        if self.departure is not None:
            text += "\n" + self.departure.report()
        return "\n".join([text] + self.notes)


class _StopSearch(Exception):
    """The first departure ends the search."""


class _CheckingRunner:
    """A runner that traces every execution and checks it; it hides a failure from the
    strategy, so that a search that stops at failures explores on, and ends the search
    (``_StopSearch``) at the first execution that leaves the model."""

    def __init__(self, inner: Runner, check: Callable[[Execution], bool]) -> None:
        self.inner = inner
        self.check = check
        self.spec = inner.spec

    def run(self, decider: Decider, trace: bool = False) -> Execution:
        ex = self.inner.run(decider, trace=True)
        if not self.check(ex):
            raise _StopSearch
        ex.failure = None
        return ex


def conform(corr: Correspondence, program: Callable[[], None], *, search: str = "dfs",
            bound: int = 2, max_steps: int = 5_000, max_executions: int = 2_000_000,
            seed: int = 1, stall_timeout: float = 5.0,
            on_execution: Callable[[int], None] | None = None) -> Conformance:
    """Check every execution of ``program`` that ``search`` ("dfs" with ``bound``
    preemptions, or "dpor") enumerates against the automaton of ``corr``."""
    start = time.perf_counter()
    automaton = Automaton(corr)
    what = f"DFS <= {bound} preemptions" if search == "dfs" else search.upper()
    out = Conformance(corr.describe(), what)
    strategy = make_strategy(search, bound=bound)

    def check(ex: Execution) -> bool:
        out.executions += 1
        if ex.failure is not None:
            out.failed_runs += 1
        if on_execution is not None:
            on_execution(out.executions)
        threads = [t.name for t in ex.threads]
        projected = project(ex.trace or [], threads, corr.alphabet)
        events = [ev for _, ev in projected]
        out.events += len(events)
        done, nodes = automaton.run(events)
        if done == len(events):
            return True
        upto = projected[done][0] + 1
        out.departure = _departure(automaton, out.executions, done, events,
                                   (ex.trace or [])[:upto], threads, nodes)
        return False

    found = None
    with guarded(RunSpec(program, "fiber", max_steps), stall_timeout) as runner:
        job = SearchJob(_CheckingRunner(runner, check), 1, seed, max_executions, None,
                        stall_timeout)
        try:
            found = strategy.search(job)
        except _StopSearch:
            pass
    if found is not None:
        out.exhaustive = found.result.exhaustive
    out.model_states = len(automaton)
    out.seconds = time.perf_counter() - start
    return out


def _departure(automaton: Automaton, execution: int, index: int, events: list[Event],
               trace: list[Step], threads: list[str], nodes: frozenset[int]) -> Departure:
    system = automaton.system
    sample = sorted(nodes)[:3]
    states = [system.variables(automaton.states[n]) for n in sample]
    locations = [system.locations(automaton.states[n]) for n in sample]
    allowed = []
    for mv in automaton.allowed(nodes):
        values = ", ".join(f"{var}={automaton.value(mv.source, var)}"
                           for var in automaton.corr.variables)
        allowed.append(f"{mv.thread}: {mv.label}" + (f" (with {values})" if values else ""))
    return Departure(execution, index, events[index], events, trace, threads, states,
                     locations, allowed)
