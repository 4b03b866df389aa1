"""aioctx.sim: run impl code one step at a time under a search strategy, replay races.

    result = sim.explore(program, strategy=sim.PCT(depth=3), runs=1000, seed=1)
    result.failed, result.counterexample.schedule, print(result.counterexample)
    sim.replay(program, result.counterexample.schedule)

Strategies: ``RandomWalk``, ``PCT``, ``DFS`` (preemption-bounded, exhaustive within
the bound), ``DPOR``, ``HypothesisSearch``, or any object with a ``name`` and a
``search(job)`` (``sim.strategy``); ``register_strategy`` makes one known by name to
``explore``, ``aioctx hunt --strategy`` and the pytest plugin.  ``replay`` follows a
schedule document.  Programs report outstanding work and end-state invariants with
``sim.pending`` and ``sim.invariant``, and mark event-loop threads with ``sim.daemon``.
Scenarios of the race catalogue live in ``sim.scenarios``.  docs/design.md describes
the layers and the contracts.
"""

from . import strategies  # noqa: F401  (registers the built-in strategies)
from .decider import Decider
from .explore import explore, replay
from .failures import Failure
from .hooks import daemon, in_simulation, invariant, pending
from .result import Counterexample, ReplayResult, Result
from .schedule import ScheduleError
from .strategies.dfs import DFS
from .strategies.dpor import DPOR
from .strategies.hypothesis import HypothesisSearch, schedules
from .strategies.sampling import PCT, RandomWalk, SamplingStrategy
from .strategy import Found, SearchJob, Strategy, make_strategy, register_strategy, strategy_names
from .trace import Step

__all__ = [
    "DFS", "DPOR", "PCT", "Counterexample", "Decider", "Failure", "Found",
    "HypothesisSearch", "RandomWalk", "ReplayResult", "Result", "SamplingStrategy",
    "ScheduleError", "SearchJob", "Step", "Strategy", "daemon", "explore",
    "in_simulation", "invariant", "make_strategy", "pending", "register_strategy",
    "replay", "schedules", "strategy_names",
]
