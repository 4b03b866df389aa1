"""``Pair``: a model variant and a scenario variant, checked against each other.

    from aioctx.pairing import Pair

    p = Pair("promela/models/aio-dispatching-flag.pml", "aio-dispatching-flag",
             defines=["AIO_DISPATCHING_FLAG"])
    t = p.transfer()          # the model's counterexample, carried onto the code
    c = p.conform(bound=2)    # every execution within DFS bound 2 is a path of the model

The scenario is a catalogue slug (``aioctx.sim.scenarios``) or ``module:attribute``
naming a ``sim.scenario.Scenario`` or a zero-argument program.  The model's ``-D``
options choose the variant of both sides: those of the mapping's ``buggy`` line pair
with the scenario's bug switch on, those of its ``fixed`` line (none by default) with
the fixed code.  ``code_buggy`` overrides the code's variant (a mutation test: the bug
switched on without the model's option).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from . import mapping as mapping_file
from .conformance import Conformance, conform
from .correspondence import Correspondence, correspond, scenario_source
from .transfer import RUNS, Transfer, transfer


def find_scenario(name: str) -> Any:
    """A catalogue ``Scenario`` by slug, or the object ``module:attribute`` names."""
    if ":" not in name:
        from ..hunting import scenario
        return scenario(name)
    module_name, attr = name.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"scenario {name}: cannot import {module_name!r}: {exc}") from None
    found = getattr(module, attr, None)
    if found is None:
        raise UsageError(f"scenario {name}: module {module_name!r} has no {attr!r}")
    return found


class Pair:
    """One model variant paired with one variant of the code."""

    def __init__(self, model: str | Path, scenario: str, defines: list[str] | None = None,
                 *, mapping: str | Path | None = None, code_buggy: bool | None = None
                 ) -> None:
        self.model = str(model)
        self.scenario_name = scenario
        self.mapping_path = str(mapping or mapping_file.default_path(model))
        loaded = mapping_file.load(self.mapping_path)
        if Path(loaded.model).resolve() != Path(self.model).resolve():
            raise UsageError(f"{self.mapping_path}: it maps {loaded.model}, not {self.model}")
        block = loaded.block(scenario)
        wanted = tuple(defines or ())
        if block.buggy is not None and set(wanted) == set(block.buggy):
            buggy = True
        elif set(wanted) == set(block.fixed):
            buggy = False
        else:
            known = [",".join(block.fixed) or "(none)"] + (
                [",".join(block.buggy)] if block.buggy is not None else [])
            raise UsageError(f"{self.mapping_path}: scenario {scenario} pairs the model "
                             f"with -D {' or '.join(known)}, not "
                             f"{','.join(wanted) or '(none)'}")
        self.scenario = find_scenario(scenario)
        self.corr: Correspondence = correspond(loaded, scenario, buggy,
                                               scenario_source(scenario))
        self.code_buggy = buggy if code_buggy is None else code_buggy
        self.corr.code_buggy = self.code_buggy
        self.program = self._program()
        self._checked = False

    # ---- the code side ----

    def _program(self) -> Callable[[], None]:
        sc = self.scenario
        if hasattr(sc, "program") and hasattr(sc, "expect"):
            return sc.program(self.code_buggy)
        if callable(sc):
            if self.code_buggy:
                raise UsageError(f"scenario {self.scenario_name} is a plain program: it "
                                 "has no bug switch to turn on")
            return sc
        raise UsageError(f"scenario {self.scenario_name} is neither a Scenario nor a "
                         "program")

    @property
    def expect(self) -> tuple[str, ...]:
        """The failure kinds the scenario's bug shows (any, for a plain program)."""
        return tuple(getattr(self.scenario, "expect", ()))

    @property
    def max_steps(self) -> int:
        return int(getattr(self.scenario, "max_steps", 5_000))

    @property
    def seed(self) -> int:
        return int(getattr(self.scenario, "seed", 1))

    def check_code_names(self) -> None:
        """The threads and objects the mapping names exist in a run of the scenario
        (one execution of each variant under the default schedule: an object only the
        bug's code touches counts)."""
        if self._checked:
            return
        from ..sim.decider import Decider
        from ..sim.runner import RunSpec, guarded

        sc = self.scenario
        programs = ([sc.program(False), sc.program(True)] if hasattr(sc, "program")
                    else [self.program])
        threads: list[str] = []
        objects: set[str] = set()
        for program in programs:
            with guarded(RunSpec(program, "fiber", self.max_steps), 5.0) as runner:
                ex = runner.run(Decider(), trace=True)
            threads += [t.name for t in ex.threads if t.name not in threads]
            objects |= {s.obj for s in ex.trace or []}
        self.corr.check_threads(threads, self.scenario_name)
        self.corr.check_objects(objects, self.scenario_name)
        self._checked = True

    # ---- the two checks ----

    def transfer(self, runs: int = RUNS, seed: int | None = None,
                 mode: str | None = None) -> Transfer:
        """Carry the model's counterexample onto the code (see ``transfer``)."""
        self.check_code_names()
        return transfer(self.corr, self.program, expect=self.expect, runs=runs,
                        seed=self.seed if seed is None else seed,
                        max_steps=self.max_steps, mode=mode)

    def conform(self, search: str = "dfs", bound: int = 2,
                max_executions: int = 2_000_000,
                on_execution: Callable[[int], None] | None = None) -> Conformance:
        """Check every execution the search enumerates against the model."""
        self.check_code_names()
        return conform(self.corr, self.program, search=search, bound=bound,
                       max_steps=self.max_steps, max_executions=max_executions,
                       seed=self.seed, on_execution=on_execution)
