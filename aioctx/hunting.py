"""What ``aioctx hunt`` and ``aioctx replay`` share: finding a catalogue scenario by
slug, building a strategy by its registered name (``aioctx.sim.strategy``; the pytest
plugin builds its strategies here too), and tying a schedule document to its scenario.

A schedule written by ``hunt`` carries ``"scenario": {"slug": ..., "buggy": ...}`` next
to the fields ``sim.replay`` reads (which ignores it), so ``replay`` knows which program
and which variant to run it on.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import UsageError


def scenario(slug: str) -> Any:
    """The ``Scenario`` of ``slug``, or a one-line ``UsageError`` saying why there is none."""
    from .catalogue import scenarios, uncovered

    found = scenarios()
    if slug in found:
        return found[slug]
    for gap in uncovered(list(found)):
        if gap.slug == slug:
            raise UsageError(f"{slug}: {gap.reason}")
    raise UsageError(f"{slug}: no such scenario; known: {', '.join(found)}")


def strategy(name: str, depth: int, bound: int) -> Any:
    """The strategy registered as ``name`` (``sim.strategy_names()``): PCT looks for
    bugs of depth ``depth``, DFS explores up to ``bound`` preemptions; a strategy takes
    the options its factory names.  An unknown name or a bad option is a UsageError."""
    from . import sim

    try:
        return sim.make_strategy(name, depth=depth, bound=bound)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def tag(doc: dict[str, Any], slug: str, buggy: bool) -> dict[str, Any]:
    """``doc`` with the scenario it belongs to recorded."""
    return {**doc, "scenario": {"slug": slug, "buggy": buggy}}


def program_for(doc: dict[str, Any], where: str, buggy: bool | None) -> tuple[Any, str]:
    """The program a schedule document replays on, and a description of it.

    A document from ``hunt`` names its scenario (``buggy`` overrides its variant); any
    other names a zero-argument ``module:function``, which is imported."""
    tagged = doc.get("scenario")
    if isinstance(tagged, dict) and isinstance(tagged.get("slug"), str):
        try:
            sc = scenario(tagged["slug"])
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        variant = bool(tagged.get("buggy", True)) if buggy is None else buggy
        return sc.program(variant), f"{sc.slug} ({'buggy' if variant else 'fixed'})"
    if buggy is not None:
        raise UsageError(f"{where}: --buggy/--fixed need a schedule written by "
                         "'aioctx hunt' (this one names no catalogue scenario)")
    name = doc.get("program")
    if not isinstance(name, str) or ":" not in name:
        raise UsageError(f"{where}: the schedule names no program to replay")
    module, _, qualname = name.partition(":")
    try:
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"{where}: cannot load the program {name}: {exc}") from None
    if not callable(target):
        raise UsageError(f"{where}: {name} is not a function")
    return target, name
