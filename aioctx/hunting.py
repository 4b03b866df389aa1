"""What ``aioctx hunt`` and ``aioctx replay`` share: finding a catalogue scenario by
slug, building a strategy by its registered name (``aioctx.sim.strategy``; the pytest
plugin builds its strategies here too), and tying a schedule document to its scenario.

A schedule written by ``hunt`` carries ``"scenario": {"slug": ..., "buggy": ...}`` next
to the fields ``sim.replay`` reads (which ignores it), so ``replay`` knows which program
and which variant to run it on.  Any other program runs only when the user names it
(``replay --program module:function``), never because a schedule file names it.
"""

from __future__ import annotations

import importlib
import shlex
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


def program_for(doc: dict[str, Any], where: str, buggy: bool | None,
                named: str | None = None) -> tuple[Any, str]:
    """The program a (checked) schedule document replays on, and a description of it.

    ``named`` is a ``module:function`` the user gave on the command line; otherwise the
    document must name a catalogue scenario (``buggy`` overrides its variant).  The
    ``program`` a document records is never imported: a schedule is data, and importing
    a name read from it would run whatever module it names."""
    if named is not None:
        if buggy is not None:
            raise UsageError("--fixed/--buggy choose a variant of a catalogue scenario; "
                             "they cannot be combined with --program")
        return named_program(named), named
    tagged = doc.get("scenario")
    if tagged is not None:
        try:
            sc = scenario(tagged["slug"])
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        variant = tagged["buggy"] if buggy is None else buggy
        return sc.program(variant), f"{sc.slug} ({'buggy' if variant else 'fixed'})"
    if buggy is not None:
        raise UsageError(f"{where}: --buggy/--fixed need a schedule written by "
                         "'aioctx hunt' (this one names no catalogue scenario)")
    recorded = doc.get("program")
    if recorded is None:
        raise UsageError(f"{where}: the schedule names no catalogue scenario: name the "
                         "program to replay it on with --program module:function")
    raise UsageError(f"{where}: the schedule names no catalogue scenario; it was recorded "
                     f"from {recorded}: if you trust that code, replay it with "
                     f"--program {shlex.quote(recorded)}")


def named_program(name: str) -> Any:
    """The zero-argument function ``module:qualname`` that the user named on the command
    line, imported (which runs its module, as the user asked)."""
    module, sep, qualname = name.partition(":")
    if not sep or not module or not qualname:
        raise UsageError(f"--program {name}: expected module:function")
    try:
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except Exception as exc:  # the user's module failed to import: their input
        raise UsageError(f"--program {name}: cannot load it: {type(exc).__name__}: "
                         f"{exc}") from None
    if not callable(target):
        raise UsageError(f"--program {name}: not a function")
    return target
