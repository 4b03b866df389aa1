"""aioctx.sim: run impl code one step at a time under a search strategy, replay races.

    result = sim.explore(program, strategy=sim.PCT(depth=3), runs=1000, seed=1)
    result.failed, result.counterexample.schedule, print(result.counterexample)
    sim.replay(program, result.counterexample.schedule)

Strategies: ``RandomWalk``, ``PCT``, ``DFS`` (preemption-bounded, exhaustive within
the bound), ``DPOR``, ``HypothesisSearch``; ``replay`` follows a schedule document.
Programs report outstanding work and end-state invariants with ``sim.pending`` and
``sim.invariant``, and mark event-loop threads with ``sim.daemon``.  Scenarios of the
race catalogue live in ``sim.scenarios``.
"""

from .explore import ReplayResult, explore, replay
from .failures import Failure
from .hooks import daemon, in_simulation, invariant, pending
from .report import Counterexample, Result
from .schedule import ScheduleError
from .strategies.dfs import DFS
from .strategies.dpor import DPOR
from .strategies.hypothesis import HypothesisSearch, schedules
from .strategies.sampling import PCT, RandomWalk

__all__ = [
    "DFS", "DPOR", "PCT", "Counterexample", "Failure", "HypothesisSearch", "RandomWalk",
    "ReplayResult", "Result", "ScheduleError", "daemon", "explore", "in_simulation",
    "invariant",
    "pending", "replay", "schedules",
]
