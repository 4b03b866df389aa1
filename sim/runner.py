"""Run a program once under a decider: the unit every strategy, worker and tool uses.

A ``Runner`` holds what stays fixed for an exploration (the program, the engine, the
step budget, line-level mode, the memory model) and keeps one engine alive across
executions so fibers are reused.  It is also where the runtime gets its pieces: the
simulated primitive classes (``sim.devices.SIM_CLASSES``, with ``sim.weak``'s atomics
under a weak memory model) and, in line-level mode, the line tracer are handed to each
``Execution`` (a ``sim.weak.WeakExecution`` under "tso" or "arm") here, so the runtime
imports neither, and each execution
runs with the standard library's ``threading``, ``queue`` and ``time`` names swapped
for simulated ones (``sim.substitution``), put back when it ends.  ``Runner.spec`` is
the picklable recipe a worker process rebuilds it from.  ``guarded(spec,
stall_timeout)`` is a Runner whose executions the watchdog watches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .decider import Decider, Decision
from .devices import SIM_CLASSES
from .engines import make_engine
from .execution import Execution
from .failures import STALL, Failure
from .linemode import LineTracer, TracedFiberEngine
from .memory import SC, check_memory_model
from .substitution import Substitution
from .watchdog import watchdog
from .weak import WEAK_CLASS_OVERRIDES, WeakExecution

WEAK_CLASSES = {**SIM_CLASSES, **WEAK_CLASS_OVERRIDES}


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to rebuild a Runner in another process."""

    program: Callable[[], None]
    engine: str = "fiber"
    max_steps: int = 20_000
    line_level: bool = False
    memory_model: str = SC
    drop_fences: frozenset[str] = frozenset()       # labels (sim.barriers)


class Runner:
    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        # the memory model is chosen here, once: "sc" builds the plain runtime and
        # primitives, a weak model the store-buffer ones (sim.weak)
        self.memory_model = check_memory_model(spec.memory_model)
        self.classes = SIM_CLASSES if spec.memory_model == SC else WEAK_CLASSES
        self.thread_hook: LineTracer | None = None
        if spec.line_level:
            self.thread_hook = LineTracer(per_os_thread=spec.engine != "fiber")
        if spec.line_level and spec.engine == "fiber":
            self.engine = TracedFiberEngine(self.thread_hook)
        else:
            self.engine = make_engine(spec.engine)
        self.substitution = Substitution()
        self.executions = 0
        self.most_threads = 0            # controlled threads of the busiest execution
        self.most_decisions = 0          # choices with more than one option, likewise
        self.current: Execution | None = None      # the execution running now
        self.on_run: Callable[[int], None] | None = None   # sees the count after each run
        #: executions that stalled, by their decisions: re-running one to its stall
        #: would cost a stall timeout again (and an OS thread on the thread engine), so
        #: a counterexample re-runs it only up to the step where it stalled
        self.stalls: dict[tuple[Decision, ...], Failure] = {}
        #: the first execution whose main thread returned before other threads ended
        #: (their names), and how many did
        self.outlived: list[str] = []
        self.outlived_runs = 0

    def run(self, decider: Decider, trace: bool = False,
            stop_at: Failure | None = None) -> Execution:
        """One execution to its end or first failure (``ex.failure``).  ``stop_at``: a
        stall this run is known to reach (it follows a schedule in ``stalls``); a traced
        run ends with it once it has traced the stall's step (``Execution.stop_at``)."""
        if self.memory_model == SC:
            ex = Execution(self.spec.program, decider, self.engine, self.classes,
                           self.spec.max_steps, trace, self.thread_hook)
        else:
            ex = WeakExecution(self.spec.program, decider, self.engine, self.classes,
                               self.spec.max_steps, trace, self.thread_hook,
                               memory_model=self.memory_model,
                               drop_fences=self.spec.drop_fences)
        ex.stop_at = stop_at
        self.executions += 1
        self.current = ex
        try:
            with self.substitution:
                ex.run()
        finally:
            self.current = None
        if ex.failure is not None and ex.failure.kind == STALL and stop_at is None:
            self.stalls[tuple(ex.decisions)] = ex.failure
        if ex.outlived_main:
            self.outlived_runs += 1
            self.outlived = self.outlived or ex.outlived_main
        if len(ex.threads) > self.most_threads:
            self.most_threads = len(ex.threads)
        if len(ex.decisions) > self.most_decisions:
            self.most_decisions = len(ex.decisions)
        if self.on_run is not None:
            self.on_run(self.executions)
        return ex

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def guarded(spec: RunSpec, stall_timeout: float) -> Iterator[Runner]:
    """A Runner whose executions are watched for stalls (``sim.watchdog``)."""
    runner = Runner(spec)

    def progress() -> object:
        ex = runner.current              # None between executions: nothing to watch
        return None if ex is None else (runner.executions, ex.nsteps)

    def target() -> int | None:
        ex = runner.current
        return None if ex is None else runner.engine.carrier(ex)

    def on_stuck(message: str) -> None:
        ex = runner.current
        abandon = getattr(runner.engine, "abandon", None)
        if ex is not None and abandon is not None:
            abandon(ex, message)

    try:
        with watchdog(progress, target, stall_timeout, on_stuck):
            yield runner
    finally:
        runner.close()


def in_worker(spec: RunSpec, stall_timeout: float, work: Callable[..., object],
              *args: object) -> object:
    """``work(runner, *args)`` on a guarded runner of its own: what a worker process of
    a parallel search runs (``work`` is a module-level function, so it pickles)."""
    with guarded(spec, stall_timeout) as runner:
        return work(runner, *args)
