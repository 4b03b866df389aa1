"""aioctx.model: explicit-state model checking of transition systems.

    from aioctx.model import Model, Claim, check

    m = Model("peterson")            # or any TransitionSystem (aioctx.promela builds them)
    ...
    result = m.check()                                   # safety, depth-first
    result = check(system, mode="acceptance", fair=True) # liveness, weakly fair
    print(result)                                        # verdict, statistics, trail

The pieces: ``system`` (the interface), ``checker.check`` (safety / acceptance /
non-progress, BFS or DFS, fairness, budgets), ``store`` (exact, hash-compact and
bitstate storage), ``nested`` (SPIN's nested depth-first search, for liveness with
lossy storage), ``claim`` (never claims and products),
``ltl``/``buchi`` (LTL formulas and their Büchi automata, for never claims),
``builder``/``modelling`` (the Python modelling API), ``graph`` (networkx export and
drawing), ``result`` (verdicts and counterexamples).
"""

from .checker import MODES, check
from .claim import Claim, ProductSystem, product
from .graph import draw, state_graph
from .modelling import Model
from .result import Counterexample, Result, Step
from .system import (
    STUTTER,
    AssertionViolation,
    ModelError,
    State,
    StepInfo,
    Transition,
    TransitionSystem,
)

__all__ = [
    "MODES", "STUTTER", "AssertionViolation", "Claim", "Counterexample", "Model",
    "ModelError", "ProductSystem", "Result", "State", "Step", "StepInfo", "Transition",
    "TransitionSystem", "check", "draw", "product", "state_graph",
]
