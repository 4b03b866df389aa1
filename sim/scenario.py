"""A race of the catalogue as a runnable program, with what is expected of it.

A ``Scenario`` names the catalogue slug it reproduces, the bug switch it turns on, a
``body(bugs)`` that runs as the first controlled thread (it builds the impl objects,
starts the other threads, registers ``sim.pending``/``sim.invariant`` checks and
asserts what must hold), and the search budgets.  ``program(buggy)`` gives the
zero-argument program ``sim.explore`` takes; it pickles (a ``functools.partial`` of a
module-level function), so parallel exploration works.

``check(scenario, buggy)`` runs the standard verdicts — PCT and bounded DFS — and says
whether the outcome is the expected one: the buggy variant fails with one of
``expect`` (the failure kinds it should show), the fixed one survives bounded DFS
exhaustively at ``dfs_bound`` and ``pct_runs`` PCT runs.  The regression command and
the test suite drive scenarios through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from .explore import explore
from .report import Result
from .strategies.dfs import DFS
from .strategies.sampling import PCT


@dataclass(frozen=True)
class Scenario:
    slug: str                                   # catalogue slug (spec/bugs.md)
    summary: str
    body: Callable[[frozenset[str]], None]      # module-level: body(bugs) runs as "main"
    expect: tuple[str, ...]                     # failure kinds the buggy variant shows
    checks: tuple[str, ...]                     # the invariants it checks, in words
    bug: str = ""                               # switch to turn on; defaults to slug
    max_steps: int = 5_000
    pct_depth: int = 3
    pct_runs: int = 10_000
    dfs_bound: int = 2
    seed: int = 1

    @property
    def switch(self) -> str:
        return self.bug or self.slug

    def program(self, buggy: bool) -> Callable[[], None]:
        """The zero-argument program for ``sim.explore``/``sim.replay``."""
        bugs = frozenset({self.switch}) if buggy else frozenset()
        return functools.partial(self.body, bugs)


@dataclass(frozen=True)
class Verdict:
    """One strategy's run on one variant, and whether it is what the catalogue says."""

    scenario: str
    buggy: bool
    strategy: str
    result: Result
    expect: tuple[str, ...]

    @property
    def as_expected(self) -> bool:
        r = self.result
        if self.buggy:
            return r.counterexample is not None and r.counterexample.failure.kind in self.expect
        return not r.failed and (r.exhaustive or self.strategy == "pct")


def check(scenario: Scenario, buggy: bool, strategy: str, *, runs: int | None = None,
          workers: int | None = None, shrink: bool = True) -> Verdict:
    """Run ``strategy`` ("pct" or "dfs") with the scenario's budgets on one variant."""
    program = scenario.program(buggy)
    if strategy == "pct":
        result = explore(program, PCT(scenario.pct_depth),
                         runs=runs if runs is not None else scenario.pct_runs,
                         seed=scenario.seed, max_steps=scenario.max_steps,
                         workers=workers, shrink=shrink)
    elif strategy == "dfs":
        result = explore(program, DFS(scenario.dfs_bound), seed=scenario.seed,
                         max_steps=scenario.max_steps, workers=workers, shrink=shrink)
    else:
        raise ValueError(f"unknown strategy {strategy!r}: use 'pct' or 'dfs'")
    return Verdict(scenario.slug, buggy, strategy, result, scenario.expect)
