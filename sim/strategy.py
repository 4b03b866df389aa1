"""The strategy interface and the registry that maps names to strategies.

A *strategy* is an object with a ``name`` and one entry point, ``search(job)``: run the
program through ``job.runner`` (one ``runner.run(decider)`` per execution, with any
``sim.decider.Decider``) until a failure, the budget or the end of its space, and return
a ``Found``: the ``Result`` so far and the decisions of the first failing execution.
``explore`` does the rest (counterexample, shrinking, replayable schedule), whatever
the strategy.  ``SearchJob`` carries the budgets and, for strategies that can split
their work, an executor (``sim.parallel``).

The registry is how ``explore(program, "name")``, ``aioctx hunt --strategy``, the
pytest plugin and the scenarios find a strategy by name.  ``register_strategy(name,
factory)`` adds one; ``make_strategy(name, **options)`` builds it, passing the factory
only the options its signature names (the command line offers ``depth`` and ``bound``
to every strategy).  The built-in strategies register themselves in their own modules
(``sim.strategies``); installed packages may add theirs through the ``aioctx.strategies``
entry-point group (a name mapped to a factory).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from .decider import Decision
from .result import Result

if TYPE_CHECKING:
    from .runner import Runner, RunSpec

ENTRY_POINTS = "aioctx.strategies"


@dataclass
class SearchJob:
    """What one search may use: the runner and the budgets ``explore`` was given."""

    runner: Runner
    runs: int                     # sampled runs (random walk, PCT, Hypothesis)
    seed: int
    max_executions: int           # systematic searches stop here (not exhaustive then)
    executor: Executor | None = None
    stall_timeout: float = 5.0

    @property
    def spec(self) -> RunSpec:
        """The picklable recipe of the runner, for work sent to other processes."""
        return self.runner.spec


class Found(NamedTuple):
    """A search's outcome: its ``Result`` and the decisions of the first failing run."""

    result: Result
    failing: list[Decision] | None
    # True when no failure at all needs fewer preemptions than this one (a search that
    # went level by level found it): the shrinker need not look for fewer
    fewest_preemptions: bool = False


@runtime_checkable
class Strategy(Protocol):
    """Anything with a name and a ``search``; the built-ins are frozen dataclasses, so
    they compare by value and pickle to worker processes."""

    name: str

    def search(self, job: SearchJob) -> Found: ...


Factory = Callable[..., Strategy]
_registry: dict[str, Factory] = {}
_entry_points_loaded = False


def register_strategy(name: str, factory: Factory) -> None:
    """Make ``factory`` (a class or function returning a strategy) known as ``name``;
    registering a name again replaces it."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"strategy name {name!r}: use letters, digits, '-' and '_'")
    _registry[name] = factory


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points
    for ep in entry_points(group=ENTRY_POINTS):
        if ep.name not in _registry:
            _registry[ep.name] = ep.load()


def strategy_names() -> list[str]:
    """Every registered name, in registration order (the built-ins first)."""
    _load_entry_points()
    return list(_registry)


def make_strategy(name: str, **options: Any) -> Strategy:
    """The strategy registered as ``name``, built with the ``options`` its factory takes
    (the others are ignored).  An unknown name is a ``ValueError`` listing the known."""
    _load_entry_points()
    factory = _registry.get(name)
    if factory is None:
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(_registry)}")
    options = {k: v for k, v in options.items() if v is not None}
    params = inspect.signature(factory).parameters.values()
    if not any(p.kind is p.VAR_KEYWORD for p in params):
        names = {p.name for p in params}
        options = {k: v for k, v in options.items() if k in names}
    return factory(**options)


def as_strategy(strategy: Strategy | str) -> Strategy:
    """A strategy given by object or by registered name (``explore`` takes both)."""
    if isinstance(strategy, str):
        return make_strategy(strategy)
    if not isinstance(strategy, Strategy):
        raise TypeError(f"not a strategy: {strategy!r} (it needs a name and search(job))")
    return strategy
