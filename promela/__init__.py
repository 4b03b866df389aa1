"""aioctx.promela: a Promela front end that compiles models onto aioctx.model.

    from aioctx import promela

    result, system = promela.check("model.pml", mode="acceptance", fair=True,
                                   defines=["BUG1"])
    print(result.summary())
    print(promela.format_trail(system, result))

The stages, one module each: ``preprocess`` (cpp with a line map), ``parser`` (lark
LALR, cached), ``nesting`` (long chains balanced, a depth limit), ``semantics`` (names,
inlines, checks), ``flow`` (locations and transitions), ``layout`` (where each variable,
channel and process lives in a state, a flat byte string), ``codegen`` (Python successor
functions generated from the syntax tree), ``system`` (the ``TransitionSystem`` with
SPIN's scheduling rules), ``trail`` (counterexamples like ``spin -t -p``).  Every
problem with the input is a ``PromelaError`` whose text is ``file:line:col: message``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import PromelaError

if TYPE_CHECKING:
    from ..model.result import Result
    from .symbols import Model
    from .system import PromelaSystem

MODES = ("safety", "acceptance", "non-progress")
#: the name of the property given by ``check(ltl=...)`` (``aioctx check --ltl``)
LTL_OPTION = "--ltl"

__all__ = ["LTL_OPTION", "MODES", "PromelaError", "build", "check", "format_trail", "load"]


def load(path: str, defines: list[str] | None = None, undefines: list[str] | None = None,
         text: str | None = None, *, claim: str | None = None,
         ltl: str | None = None) -> Model:
    """Preprocess, parse and check ``path`` (or ``text``); the resolved model.

    The property checked is the never claim or ltl formula named ``claim`` (pan's
    ``-N``), by default the first, as pan's; or ``ltl``, a formula given apart from the
    model (``aioctx check --ltl``), read as if an ltl block at the end of the model held
    it, so it uses the model's names and macros.  Positions in it are ``--ltl:1:col``.
    """
    from . import ast
    from .errors import OptionLine, Source
    from .nesting import shape
    from .parser import parse
    from .preprocess import preprocess, read_model
    from .semantics import analyse
    from .symbols import Model

    if ltl is not None:
        if claim is not None:
            raise PromelaError(None, "give either a property name or an ltl formula")
        for bad in ("{", "}", "\n", "\r"):
            if bad in ltl:
                raise PromelaError(Source(LTL_OPTION, 1, ltl.index(bad) + 1),
                                   "an ltl formula is one line without braces")
        text = read_model(path) if text is None else text
        wrapper = f"ltl {{ {ltl} }}"
        line = text.count("\n") + 2
        text = f"{text}\n{wrapper}\n"
    pre = preprocess(path, defines, undefines, text)
    lines = pre.lines
    if ltl is not None:
        lines = OptionLine(lines, path, line, LTL_OPTION, wrapper, len("ltl { "))
    try:
        program = parse(pre.text, lines)
    except PromelaError as exc:
        if ltl is not None and exc.where is not None and exc.where.file == LTL_OPTION \
                and exc.where.col > len(ltl):
            raise PromelaError(Source(LTL_OPTION, 1, len(ltl) + 1),
                               "syntax error: the formula ends too early") from None
        raise
    shape(program, lines)
    if ltl is not None:
        unit = program.units[-1] if program.units else None
        if not isinstance(unit, ast.LtlDef) or lines.source(*unit.pos).file != LTL_OPTION:
            raise PromelaError(Source(LTL_OPTION, 1, 1), "not an ltl formula")
        unit.name = claim = LTL_OPTION
    model = Model(path, lines, warnings=pre.warnings)
    return analyse(program, model, claim)


def build(model: Model, mode: str = "safety", fair: bool = False, *, merge: bool = True,
          reduce: bool = True, dead: bool = True, closure: bool = False) -> PromelaSystem:
    """The transition system of ``model`` for ``mode`` (SPIN's verifier modes); ``fair``:
    it will be searched with weak fairness (a never claim reading ``np_`` sees it).
    ``merge``, ``reduce`` and ``dead``: statement merging, partial-order reduction and
    dead-variable elimination (on by default, as in SPIN; ``spin -o3``, ``-DNOREDUCE``
    and ``spin -o2`` turn them off), which keep every verdict (reduce.py and
    deadvars.py say how, and where they do not apply).  ``closure``: under a never
    claim that counts steps, run the reduced system with the claim's stutter closure
    instead (closure.py); an error found then must be confirmed without the
    reductions, as ``check`` does (``system.c.reduction.claim_closure`` says whether
    the closure runs)."""
    from .system import build_system
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return build_system(model, mode, fair, merge, reduce, dead, closure)


def check(path: str, mode: str | None = None, *, fair: bool = False, search: str = "dfs",
          defines: list[str] | None = None, undefines: list[str] | None = None,
          text: str | None = None, claim: str | None = None, ltl: str | None = None,
          merge: bool = True, reduce: bool = True, dead: bool = True,
          workers: int | None = None, client: Any = None, scheduler: str | None = None,
          searches: int | None = None, time_left: Callable[[], float | None] | None = None,
          **budgets: Any) -> tuple[Result, PromelaSystem]:
    """Check a Promela file as SPIN's ``pan`` would in ``mode``; (result, system).

    ``claim`` and ``ltl`` choose the property (see ``load``); the one checked is
    ``system.c.model.property`` (None if the model has none).  Without a ``mode``, the
    mode follows the property, as ``spin -run`` chooses it: acceptance where there is
    one and an accept label (in the claim or a process), else safety.  As in SPIN,
    acceptance mode on a model without any accept label is a safety check, and
    non-progress mode ignores the never claim.  ``merge``, ``reduce``, ``dead``: see
    ``build``.

    ``workers`` (local processes), ``client`` (a ``distributed.Client``) or
    ``scheduler`` (a Dask scheduler's address) run a swarm of ``searches`` lossy
    searches instead of one search (model/swarm.py; ``storage`` "bitstate" unless
    "hash-compact" is asked for); each worker compiles the model again from its text.
    ``time_left()``, asked when the search starts, is its time limit (a time budget for
    the whole check: reading and compiling the model spent the rest).
    """
    if mode == "non-progress" and (claim is not None or ltl is not None):
        raise PromelaError(None, "non-progress mode checks no never claim or ltl formula "
                           "(SPIN's -DNP replaces them with its own claim)")
    swarm = workers is not None or client is not None or scheduler is not None
    if swarm and text is None:
        from .preprocess import read_model
        text = read_model(path)
    model = load(path, defines, undefines, text, claim=claim, ltl=ltl)
    if mode is None:
        mode = "acceptance" if model.property is not None else "safety"

    def run(reductions: tuple[bool, bool, bool]) -> tuple[Result, PromelaSystem]:
        """One search (a swarm of them when asked) with the ``reductions``."""
        from ..model.checker import check as run_check

        system = _system(model, mode, fair, reductions)
        effective = system.mode
        left = time_left() if time_left is not None else None
        if left is not None:
            budgets["time_limit"] = max(left, 0.0)
        if not swarm:
            return run_check(system, effective, fair=fair and effective != "safety",
                             search=search if effective == "safety" else "dfs",
                             **budgets), system
        from ..model.swarm import swarm as run_swarm
        if budgets.get("storage", "exact") == "exact":
            budgets["storage"] = "bitstate"
        again = functools.partial(rebuild, path, defines, undefines, text, claim, ltl,
                                  mode, fair, reductions)
        return run_swarm(again, effective, fair=fair and effective != "safety",
                         searches=searches, workers=workers or 2, client=client,
                         scheduler=scheduler, **budgets), system

    result, system = run((merge, reduce, dead))
    if result.violated and system.c.reduction.claim_closure is not None:
        # the error may be the stutter closure's alone (closure.py): ask the claim itself
        first = (f"the search with the never claim's stutter closure (the claim counts "
                 f"steps) found an error in {result.seconds:.2f} s; this is the search "
                 f"again with the claim itself and no merging or partial-order reduction")
        result, system = run((False, False, dead))
        result.note = f"{first}; {result.note}" if result.note else first
    return result, system


def _system(model: Model, mode: str, fair: bool,
            reductions: tuple[bool, bool, bool]) -> PromelaSystem:
    """The system ``check`` searches in ``mode``, with the ``(merge, reduce, dead)``
    reductions asked for."""
    from .system import PromelaSystem

    merge, reduce, dead = reductions
    fair = fair and mode != "safety"
    system = build(model, mode, fair, merge=merge, reduce=reduce, dead=dead, closure=True)
    if mode == "acceptance" and not system.has_accept:
        # a safety search, which runs the same compiled code (the claim runs in both);
        # fairness means nothing to it, so none of the reductions it holds back
        if fair:
            system = build(model, mode, False, merge=merge, reduce=reduce, dead=dead,
                           closure=True)
        system = PromelaSystem(system.c, "safety")
    return system


def rebuild(path: str, defines: list[str] | None, undefines: list[str] | None, text: str,
            claim: str | None, ltl: str | None, mode: str, fair: bool,
            reductions: tuple[bool, bool, bool]) -> PromelaSystem:
    """The system ``check`` searches, built again from the model's text (in a worker
    of a swarm)."""
    return _system(load(path, defines, undefines, text, claim=claim, ltl=ltl), mode, fair,
                   reductions)


def format_trail(system: PromelaSystem, result: Result) -> str:
    """``result``'s counterexample in the style of ``spin -t -p``."""
    from .trail import format_trail as fmt
    return fmt(system, result)
