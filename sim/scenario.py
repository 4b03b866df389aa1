"""A race of the catalogue as a runnable program, with what is expected of it.

A ``Scenario`` names the catalogue slug it reproduces, the bug switch it turns on, a
``body(bugs)`` that runs as the first controlled thread (it builds the impl objects,
starts the other threads, registers ``sim.pending``/``sim.invariant`` checks and
asserts what must hold), the memory model the catalogue names for it ("sc", or "tso"
or "arm" for a memory-ordering bug: ``sim.memory``), and the search budgets.
``program(buggy)`` gives the zero-argument program ``sim.explore`` takes; it pickles
(a ``functools.partial`` of a module-level function), so parallel exploration works.

``check(scenario, buggy, strategy)`` runs one registered strategy (the standard
verdicts are "pct" and "dfs") with the scenario's budgets and says whether the outcome
is the expected one: the buggy variant fails with one of ``expect`` (the failure kinds
it should show), the fixed one survives: ``pct_runs`` sampled runs, or a systematic
search (DFS at ``dfs_bound``, DPOR) to its end.  It runs under the scenario's memory
model unless told another (a weak-memory bug's buggy variant must survive under "sc":
that is what shows it is a memory-ordering bug).  The regression command and the test
suite drive scenarios through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from .explore import explore
from .result import Result
from .strategy import make_strategy


@dataclass(frozen=True)
class Scenario:
    slug: str                                   # catalogue slug (docs/catalogue.md)
    summary: str
    body: Callable[[frozenset[str]], None]      # module-level: body(bugs) runs as "main"
    expect: tuple[str, ...]                     # failure kinds the buggy variant shows
    checks: tuple[str, ...]                     # the invariants it checks, in words
    bug: str = ""                               # switch to turn on; defaults to slug
    memory_model: str = "sc"                    # the weakest model that shows the bug
    also_clean_under: tuple[str, ...] = ()      # other models the fix must survive
    # barriers of the fixed code that the historical fix added, by label, with the
    # model in which dropping one alone fails ("tso", or "arm": ARM only)
    needed_barriers: tuple[tuple[str, str], ...] = ()
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
    """One strategy's run on one variant under one memory model, and whether it is what
    the catalogue says: the buggy variant is caught under the scenario's model (or a
    weaker one) and survives under a stronger one; the fixed variant survives."""

    scenario: str
    buggy: bool
    strategy: str
    result: Result
    expect: tuple[str, ...]
    memory_model: str = "sc"
    must_fail: bool | None = None           # None: when buggy

    @property
    def as_expected(self) -> bool:
        r = self.result
        if self.buggy if self.must_fail is None else self.must_fail:
            return r.counterexample is not None and r.counterexample.failure.kind in self.expect
        return not r.failed and not r.capped


def check(scenario: Scenario, buggy: bool, strategy: str, *, runs: int | None = None,
          workers: int | None = None, shrink: bool = True,
          memory_model: str | None = None) -> Verdict:
    """Run the strategy registered as ``strategy`` (PCT at ``pct_depth``, DFS at
    ``dfs_bound``) with the scenario's budgets on one variant, under the scenario's
    memory model or ``memory_model``.  An unknown name is a ``ValueError`` listing the
    known ones."""
    chosen = make_strategy(strategy, depth=scenario.pct_depth, bound=scenario.dfs_bound)
    result = explore(scenario.program(buggy), chosen,
                     runs=runs if runs is not None else scenario.pct_runs,
                     seed=scenario.seed, max_steps=scenario.max_steps,
                     workers=workers, shrink=shrink,
                     memory_model=memory_model or scenario.memory_model)
    model = memory_model or scenario.memory_model
    return Verdict(scenario.slug, buggy, strategy, result, scenario.expect, model,
                   buggy and shows(model, scenario.memory_model))


#: the memory models from strongest to weakest: an outcome of one is one of the next
STRENGTH = ("sc", "tso", "arm")


def shows(model: str, needed: str) -> bool:
    """Can ``model`` show a bug that needs ``needed``?"""
    return STRENGTH.index(model) >= STRENGTH.index(needed)
