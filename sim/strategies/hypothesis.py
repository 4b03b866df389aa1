"""Hypothesis as a search strategy: schedules are drawn choice by choice, so failing
ones shrink the Hypothesis way (towards choice 0, which is the default policy: no
preemption), and ``schedules()`` is a strategy for users' own ``@given`` tests.

Hypothesis itself is imported when one of them is used: it takes longer to import than
the rest of ``aioctx.sim`` together, and most explorations do not need it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..decider import Decider, default_choice
from ..result import Result
from ..strategy import Found, SearchJob, register_strategy

if TYPE_CHECKING:
    from hypothesis import strategies as st

    from ..execution import Execution, SimThread


class DrawnDecider(Decider):
    """Follows a list of choice indices: at the k-th choice, index 0 is the default
    policy and i > 0 the i-th other enabled thread (wrapping); past the list, default."""

    def __init__(self, choices: list[int]) -> None:
        self.choices = choices
        self.k = 0

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        default = default_choice(enabled, cur)
        k = self.k
        if k >= len(self.choices):
            return default
        self.k = k + 1
        i = self.choices[k] % len(enabled)
        if i == 0:
            return default
        others = [t for t in enabled if t is not default]
        return others[i - 1]


def schedules(max_choices: int = 400, max_threads: int = 8) -> st.SearchStrategy[DrawnDecider]:
    """A Hypothesis strategy of deciders (for ``Runner.run`` in a ``@given`` test).
    Shrinking shortens the list and lowers its entries: towards no preemption."""
    from hypothesis import strategies as st
    return st.lists(st.integers(0, max_threads - 1), max_size=max_choices).map(DrawnDecider)


class _Found(Exception):
    pass


class _Capped(Exception):
    """The search reached ``max_executions``: ends Hypothesis's generation or shrinking."""


@dataclass(frozen=True)
class HypothesisSearch:
    """Let Hypothesis generate and shrink schedules (``runs`` = max examples; no more
    than ``max_executions`` executions in all, shrinking included)."""

    name = "hypothesis"

    def search(self, job: SearchJob) -> Found:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        runner = job.runner
        result = Result("hypothesis", 0)
        last_failing: list[list[int]] = []

        @hypothesis_seed(job.seed)
        @settings(max_examples=job.runs, database=None, deadline=None, derandomize=False,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False)
        @given(schedules())
        def check(decider: DrawnDecider) -> None:
            if result.executions >= job.max_executions:
                raise _Capped
            ex = runner.run(decider)
            result.executions += 1
            if ex.failure is not None:
                last_failing.append(list(ex.decisions))
                raise _Found(ex.failure.kind)

        try:
            check()
        except (_Found, _Capped):
            if last_failing:
                result.found_at = result.executions
                return Found(result, last_failing[-1])
        return Found(result, None)


register_strategy("hypothesis", HypothesisSearch)
