"""A mapping checked against both sides: the model variant (its processes, statement
labels and globals) and the code (the operation labels written in it, the threads a
scenario starts).  What pairing and conformance read from it:

* ``threads``: model process (proctype name) -> scenario thread name;
* ``visible``: compiled model step -> the impl label of the statement's location (a
  step with no mapped label is a *silent* move of the model);
* ``alphabet``: thread -> the impl labels its process has in either variant the
  scenario block pairs; the thread's operations with these labels are what the model
  speaks of (its other operations, and unmapped threads, are not compared);
* ``variables``: model global -> impl object name, compared at labelled steps.

Every check fails with one line naming the label, process or variable that exists on
one side only, at the place the mapping (or the model) writes it.
"""

from __future__ import annotations

import ast as pyast
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .mapping import IMPL_LABEL, Mapping, ScenarioBlock

if TYPE_CHECKING:
    from ..promela.system import PromelaSystem


@dataclass
class Correspondence:
    """One model variant paired with one scenario variant."""

    mapping: Mapping
    block: ScenarioBlock
    buggy: bool
    defines: tuple[str, ...]
    system: PromelaSystem                       # the variant, plain moves (no claim)
    threads: dict[str, str]                     # proctype name -> thread name
    visible: dict[int, str]                     # model step -> impl label
    alphabet: dict[str, frozenset[str]]         # thread -> impl labels it is held to
    variables: dict[str, str]                   # model global -> impl object name
    code_buggy: bool | None = None              # the code's variant, if not ``buggy``

    @property
    def processes(self) -> dict[str, str]:
        """Thread name -> proctype name."""
        return {t: p for p, t in self.threads.items()}

    @property
    def model_path(self) -> str:
        return self.mapping.model

    def describe(self) -> str:
        variant = ",".join(self.defines) or "fixed"
        code = self.buggy if self.code_buggy is None else self.code_buggy
        return (f"{Path(self.model_path).name} [{variant}] <-> {self.block.name} "
                f"[{'buggy' if code else 'fixed'}]")

    def check_threads(self, names: list[str], scenario: str) -> None:
        """Every mapped thread exists among ``names`` (a run's threads)."""
        for proc, (thread, at) in self.block.processes.items():
            if thread not in names:
                raise UsageError(f"{at}: process {proc} = {thread}: scenario {scenario} has "
                                 f"no thread {thread!r} (threads: {', '.join(names)})",
                                 located=True)

    def check_objects(self, names: set[str], scenario: str) -> None:
        """Every mapped object appears in a run of the scenario."""
        for var, obj in self.variables.items():
            if obj not in names:
                at = (self.block.variables.get(var) or self.mapping.variables[var])[1]
                raise UsageError(f"{at}: variable {var} = {obj}: no object named {obj!r} "
                                 f"takes part in a run of {scenario}", located=True)


def load_model(path: str, defines: tuple[str, ...]) -> PromelaSystem:
    """The model variant as a system of plain moves: no never claim moves with it."""
    from .. import promela

    model = promela.load(path, list(defines))
    return promela.build(model, "non-progress" if model.claim is not None else "safety")


def correspond(mapping: Mapping, scenario: str, buggy: bool,
               code_files: tuple[str, ...] = ()) -> Correspondence:
    """Check ``mapping``'s block for ``scenario`` against the model (both variants the
    block names) and the code (the impl package plus ``code_files``); the pairing of
    the ``buggy`` (or fixed) variant."""
    block = mapping.block(scenario)
    if buggy and block.buggy is None:
        raise UsageError(f"{block.where}: scenario {scenario} has no 'buggy' line: the "
                         "mapping pairs no bug variant with it", located=True)
    variants = [block.fixed] + ([block.buggy] if block.buggy is not None else [])
    systems = {v: load_model(mapping.model, v) for v in variants}
    model_labels = mapping.model_labels()

    def other_variants() -> list[PromelaSystem]:
        return [load_model(mapping.model, v) for v in _variants(mapping) if v not in systems]

    _check_labels(mapping, list(systems.values()), model_labels, code_labels(code_files),
                  other_variants)
    names = _proc_names(systems.values())
    for proc, (_, at) in block.processes.items():
        if proc not in names:
            raise UsageError(f"{at}: process {proc}: the model has no proctype {proc!r} "
                             f"(proctypes: {', '.join(names)})", located=True)
        if names[proc] > 1:
            raise UsageError(f"{at}: process {proc}: the model starts {names[proc]} of "
                             "them; a thread pairs with one", located=True)
    variables = _variables(mapping, block, list(systems.values()))
    threads = {p: t for p, (t, _) in block.processes.items()}
    alphabet: dict[str, set[str]] = {t: set() for t in threads.values()}
    for system in systems.values():
        for proc, labels in _labels_by_proc(system, model_labels).items():
            if proc in threads:
                alphabet[threads[proc]] |= labels
    chosen = block.buggy if buggy and block.buggy is not None else block.fixed
    system = systems[chosen]
    return Correspondence(mapping, block, buggy, chosen, system, threads,
                          _visible_steps(system, model_labels),
                          {t: frozenset(ls) for t, ls in alphabet.items()}, variables)


def _variants(mapping: Mapping) -> list[tuple[str, ...]]:
    """Every option set a block of ``mapping`` pairs, in file order."""
    out: list[tuple[str, ...]] = []
    for block in mapping.scenarios.values():
        for v in [block.fixed] + ([block.buggy] if block.buggy is not None else []):
            if v not in out:
                out.append(v)
    return out


def _proc_names(systems) -> dict[str, int]:
    """Proctype name -> instances started, over the variants."""
    out: dict[str, int] = {}
    for system in systems:
        for p in system.c.model.proctypes:
            if p.kind == "proctype":
                out[p.name] = max(out.get(p.name, 0), p.active)
    return out


def _labels_by_proc(system: PromelaSystem, model_labels: dict[str, str]
                    ) -> dict[str, set[str]]:
    """Proctype name -> the impl labels of its statement labels."""
    return {p.name: {model_labels[lab] for lab in p.labels if lab in model_labels}
            for p in system.c.model.proctypes if p.kind == "proctype"}


def _visible_steps(system: PromelaSystem, model_labels: dict[str, str]) -> dict[int, str]:
    """Compiled step -> impl label, for the steps out of a labelled location."""
    out: dict[int, str] = {}
    for flow in system.c.flows:
        for loc in flow.locations:
            mapped = [model_labels[lab] for lab in loc.labels if lab in model_labels]
            if not mapped:
                continue
            for t in loc.transitions:
                if t.step >= 0:
                    out[t.step] = mapped[0]
    return out


def _check_labels(mapping: Mapping, systems: list[PromelaSystem],
                  model_labels: dict[str, str], in_code: frozenset[str],
                  others: Callable[[], list[PromelaSystem]]) -> None:
    """A mapped label missing on either side, or a model label the mapping leaves out,
    is an error naming it.  A label of one variant only (a bug's own statement) is
    looked for in the variants of the other blocks (``others``, loaded only then)."""
    declared = _declared(systems)
    if any(lab not in declared for lab in model_labels):
        declared = _declared(systems + others())
    for impl, (models, at) in mapping.labels.items():
        for lab in models:
            if lab not in declared:
                raise UsageError(f"{at}: label {impl}: no statement of "
                                 f"{Path(mapping.model).name} is labelled {lab} (in the "
                                 "variants this mapping pairs)", located=True)
        if impl not in in_code:
            raise UsageError(f"{at}: label {impl}: no operation in the code is labelled "
                             f"{impl!r}", located=True)
    for lab, where in declared.items():
        if "__" in lab and lab not in model_labels:
            raise UsageError(f"{where}: statement label {lab} names an operation of the "
                             f"code, but {mapping.path} does not map it (add 'label "
                             f"{lab.replace('__', '.')}')", located=True)


def _declared(systems: list[PromelaSystem]) -> dict[str, Any]:
    """Model statement label -> where the first of ``systems`` that has it writes it."""
    declared: dict[str, Any] = {}
    for system in systems:
        m = system.c.model
        for p in m.proctypes:
            for lab, pos in p.labels.items():
                declared.setdefault(lab, m.where(pos))
    return declared


def _variables(mapping: Mapping, block: ScenarioBlock, systems: list[PromelaSystem]
               ) -> dict[str, str]:
    known = {v.name for s in systems for v in s.c.model.globals}
    out: dict[str, str] = {}
    for table in (mapping.variables, block.variables):
        for var, (obj, at) in table.items():
            if var not in known:
                raise UsageError(f"{at}: variable {var}: the model has no global {var!r}",
                                 located=True)
            out[var] = obj
    return out


def code_labels(extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The operation labels written in the code: every string constant shaped like a
    label in the impl package, the catalogue scenarios and ``extra`` files (read with
    Python's own parser; nothing is run)."""
    from .. import impl
    from ..sim import scenarios

    roots = [Path(impl.__file__).parent, Path(scenarios.__file__).parent]
    files = tuple(sorted(str(p) for r in roots for p in r.glob("*.py"))) + tuple(extra)
    return _labels_in(files)


@lru_cache(maxsize=8)
def _labels_in(files: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for name in files:
        try:
            tree = pyast.parse(Path(name).read_text(encoding="utf-8"), name)
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in pyast.walk(tree):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str) \
                    and IMPL_LABEL.match(node.value):
                found.add(node.value)
    return frozenset(found)


def scenario_source(name: str) -> tuple[str, ...]:
    """The source file of a ``module:attribute`` scenario (its labels count as code)."""
    if ":" not in name:
        return ()
    module = importlib.import_module(name.split(":", 1)[0])
    return (module.__file__,) if getattr(module, "__file__", None) else ()
