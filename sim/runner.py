"""Run a program once under a decider: the unit every strategy, worker and tool uses.

A ``Runner`` holds what stays fixed for an exploration (the program, the engine, the
step budget, line-level mode) and keeps one engine alive across executions so fibers
are reused.  ``Runner.spec`` is the picklable recipe a worker process rebuilds it from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .decider import Decider
from .engines import make_engine
from .execution import Execution


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to rebuild a Runner in another process."""

    program: Callable[[], None]
    engine: str = "fiber"
    max_steps: int = 20_000
    line_level: bool = False


class Runner:
    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.engine = make_engine(spec.engine)
        self.executions = 0
        self.current: Execution | None = None      # the execution running now

    def run(self, decider: Decider, trace: bool = False) -> Execution:
        """One execution to its end or first failure (``ex.failure``)."""
        ex = Execution(self.spec.program, decider, self.engine, self.spec.max_steps,
                       trace=trace, line_level=self.spec.line_level)
        self.executions += 1
        self.current = ex
        try:
            ex.run()
        finally:
            self.current = None
        return ex

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
