"""sim/ is one straight line: no import cycle among its modules (type-only imports
aside), and a strategy registered in a few lines is used by ``sim.explore`` and by
``aioctx hunt --strategy NAME`` alike."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from aioctx import cli, sim

SIM = Path(sim.__file__).parent


def _runtime_imports(path: Path, module: str) -> set[str]:
    """The aioctx.sim modules ``path`` imports, lazily or not, outside TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for block in ast.walk(tree)
                 if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                 for n in ast.walk(block)}
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    out = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def _sim_modules() -> dict[str, Path]:
    mods = {}
    for path in sorted(SIM.rglob("*.py")):
        if path.name == "__init__.py":
            continue                    # package re-exports import everything by design
        rel = path.relative_to(SIM).with_suffix("")
        mods["aioctx.sim." + ".".join(rel.parts)] = path
    return mods


def test_no_import_cycle_in_sim_outside_type_checking() -> None:
    mods = _sim_modules()
    graph = {m: sorted(_runtime_imports(p, m) & mods.keys() - {m}) for m, p in mods.items()}
    # depth-first search for a back edge; report the cycle it closes
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (cycle := visit(n)) is not None:
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in graph:
        if m not in state:
            cycle = visit(m)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)
    # the runtime knows neither the primitives nor the strategies above it
    assert not [m for m in graph["aioctx.sim.execution"]
                if m.rsplit(".", 1)[1] in ("devices", "primitives", "linemode", "runner")]


def test_the_cycle_check_sees_a_lazy_import(tmp_path: Path) -> None:
    """The check above reads imports inside functions too (not only at the top)."""
    source = tmp_path / "lazy.py"
    source.write_text("def f():\n    from .devices import SIM_CLASSES\n")
    assert "aioctx.sim.devices" in _runtime_imports(source, "aioctx.sim.lazy")
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from .devices import SIM_CLASSES\n")
    assert "aioctx.sim.devices" not in _runtime_imports(source, "aioctx.sim.lazy")


# A toy strategy, registered in a few lines: run every schedule that differs from the
# default one at exactly one choice moment (the newest enabled thread instead).


class _OneSwitch(sim.Decider):
    def __init__(self, at: int) -> None:
        self.at, self.k = at, 0

    def choose(self, ex, enabled, cur):
        self.k += 1
        if self.k - 1 == self.at:
            return max(enabled, key=lambda t: t.tid)
        return super().choose(ex, enabled, cur)


SEARCHES: list[str] = []


@dataclass(frozen=True)
class OneSwitch:
    name = "one-switch"

    def search(self, job: sim.SearchJob) -> sim.Found:
        SEARCHES.append(self.name)
        result = sim.Result(self.name, 0)
        for at in range(job.runs):
            ex = job.runner.run(_OneSwitch(at))
            result.executions += 1
            if ex.failure is not None:
                result.found_at = result.executions
                return sim.Found(result, list(ex.decisions))
        return sim.Found(result, None)


@pytest.fixture
def one_switch():
    sim.register_strategy("one-switch", OneSwitch)
    SEARCHES.clear()
    yield
    from aioctx.sim import strategy
    strategy._registry.pop("one-switch")


def test_a_registered_strategy_is_used_by_explore(one_switch) -> None:
    from . import programs as P

    result = sim.explore(P.lost_update, "one-switch", runs=50)
    assert SEARCHES == ["one-switch"] and result.strategy == "one-switch"
    assert result.failed and result.counterexample.failure.kind == "exception"
    assert "one-switch" in sim.strategy_names()
    with pytest.raises(ValueError, match="unknown strategy 'two-switch'; known: pct"):
        sim.explore(P.lost_update, "two-switch")


def test_a_registered_strategy_is_used_by_hunt(one_switch, capsys, tmp_path) -> None:
    saved, slug = tmp_path / "cx.json", "aiowait-home-thread-no-waiter-count"
    code = cli.main(["hunt", slug, "--strategy", "one-switch",
                     "--runs", "200", "-o", str(saved)])
    out, err = capsys.readouterr()
    assert code == 1, err                       # 1: a race was caught (and saved)
    assert SEARCHES == ["one-switch"]
    assert "one-switch: FAILED (lost-wakeup) at execution 26" in out
    assert json.loads(saved.read_text())["scenario"]["slug"] == slug
    code = cli.main(["hunt", slug, "--strategy", "two-switch"])
    assert code == 2 and "unknown strategy 'two-switch'" in capsys.readouterr().err
