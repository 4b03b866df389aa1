"""The Promela models of the repository and their option sets, for the tests.

Every model states its option sets in a header line ``variants: - | BUG | A=1,B`` (``-``:
no option; options of one set separated by commas).  The project's models
(promela/models/) also state the expected verdict of each variant in each mode, one
line per variant: ``expect <variant>: safety=ok acceptance=violation(assertion) fair=ok``,
a violation naming the error kinds it may report (``|``-separated, ``-`` for spaces);
``aioctx.catalogue`` reads those lines, for ``aioctx regress`` and for these tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from aioctx import catalogue

ROOT = Path(__file__).resolve().parents[2]
PROJECT_MODELS = sorted((ROOT / "promela" / "models").glob("*.pml"))
TEST_MODELS = sorted((Path(__file__).parent / "models").glob("*.pml"))
#: the Promela twins of the model checker's Python models (tests/model/test_model_spin.py)
CHECKER_MODELS = sorted((ROOT / "tests" / "model" / "promela").glob("*.pml"))

_VARIANTS = re.compile(r"^[ \t/*]*variants:[ \t]*(.*?)[ \t]*(?:\*/)?[ \t]*$", re.M)


def variants(path: Path) -> list[list[str]]:
    """The option sets of ``path`` (``[[]]`` when it declares none)."""
    m = _VARIANTS.search(path.read_text())
    if m is None:
        return [[]]
    out = []
    for item in m.group(1).split("|"):
        item = item.strip()
        out.append([] if item in ("", "-") else [d.strip() for d in item.split(",")])
    return out


def variant_id(defines: list[str]) -> str:
    return ",".join(defines) or "-"


def expectations(path: Path) -> dict[str, dict[str, tuple[str, set[str]]]]:
    """variant id -> {mode: (verdict, error kinds)} from the ``expect`` header lines, read
    as ``aioctx regress`` reads them (``aioctx.catalogue``)."""
    out: dict[str, dict[str, tuple[str, set[str]]]] = {}
    for check in catalogue.parse_expectations(path):
        modes = out.setdefault(variant_id(list(check.defines)), {})
        modes[check.mode_word] = (check.expect, set(check.kinds))
    return out


def optimised_oracle(path: Path) -> bool:
    """Whether the model asks to be compared with SPIN's default verifier (partial-order
    reduction on), with an ``oracle: optimised`` header line: pan checks xr/xs only
    there."""
    return re.search(r"oracle: optimised", path.read_text()) is not None


def uses_progress(path: Path) -> bool:
    return re.search(r"\bprogress\w*\s*:", path.read_text()) is not None


def cases(paths: list[Path], with_progress: bool = True) -> list[tuple[Path, list[str], str]]:
    """(model, options, mode) for every variant; non-progress modes where it matters."""
    out = []
    for path in paths:
        modes = ["safety", "acceptance", "acceptance+fair"]
        if with_progress and uses_progress(path):
            modes += ["non-progress", "non-progress+fair"]
        for defines in variants(path):
            out += [(path, defines, mode) for mode in modes]
    return out


def case_id(case: tuple[Path, list[str], str]) -> str:
    path, defines, mode = case
    return f"{path.stem}[{variant_id(defines)}]-{mode}"


_PROPERTIES = re.compile(r"^[ \t/*]*properties:[ \t]*(.*?)[ \t]*(?:\*/)?[ \t]*$", re.M)
_LTL_OPTIONS = re.compile(r"^[ \t/*]*ltl-option:[ \t]*(.*?)[ \t]*(?:\*/)?[ \t]*$", re.M)


def properties(path: Path) -> list[str]:
    """The never claims and ltl formulas a model's ``properties:`` header names, each
    to be checked by name (``aioctx check -N``, ``pan -N``)."""
    m = _PROPERTIES.search(path.read_text())
    return m.group(1).split() if m else []


def ltl_options(path: Path) -> list[tuple[str, str]]:
    """The formulas of a model's ``ltl-option:`` header lines, each to be checked with
    ``aioctx check --ltl``, as (ours, SPIN's): ``ours => SPIN's`` where SPIN needs
    another spelling (it refuses channel probes like ``empty(q)`` in a formula)."""
    out = []
    for line in _LTL_OPTIONS.findall(path.read_text()):
        ours, _, theirs = line.partition(" => ")
        out.append((ours.strip(), (theirs or ours).strip()))
    return out


def property_cases(paths: list[Path]) -> list[tuple[Path, list[str], str, tuple]]:
    """(model, options, mode, property) for every property a model names in its header
    and every variant and mode (as ``cases``, without non-progress: SPIN's -DNP checks
    no property of the model); property ``("N", name)`` or ``("ltl", ours, SPIN's)``."""
    out = []
    for path, defines, mode in cases(paths, with_progress=False):
        props = [("N", name) for name in properties(path)]
        props += [("ltl", ours, theirs) for ours, theirs in ltl_options(path)]
        out += [(path, defines, mode, prop) for prop in props]
    return out


def property_case_id(case: tuple[Path, list[str], str, tuple]) -> str:
    path, defines, mode, prop = case
    what = f"-N {prop[1]}" if prop[0] == "N" else f"--ltl {prop[1]}"
    return f"{path.stem}[{variant_id(defines)}]-{what}-{mode}"


#: mode name of the SPIN oracle -> (aioctx mode, fairness)
AIOCTX_MODE = {
    "safety": ("safety", False),
    "acceptance": ("acceptance", False),
    "acceptance+fair": ("acceptance", True),
    "non-progress": ("non-progress", False),
    "non-progress+fair": ("non-progress", True),
}
