"""aioctx.promela: a Promela front end that compiles models onto aioctx.model.

    from aioctx import promela

    result, system = promela.check("model.pml", mode="acceptance", fair=True,
                                   defines=["BUG1"])
    print(result.summary())
    print(promela.format_trail(system, result))

The stages, one module each: ``preprocess`` (cpp with a line map), ``parser`` (lark
LALR, cached), ``semantics`` (names, inlines, checks), ``flow`` (locations and
transitions), ``codegen`` (Python successor functions generated from the syntax tree),
``system`` (the ``TransitionSystem`` with SPIN's scheduling rules), ``trail``
(counterexamples like ``spin -t -p``).  Every problem with the input is a
``PromelaError`` whose text is ``file:line:col: message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import PromelaError

if TYPE_CHECKING:
    from ..model.result import Result
    from .symbols import Model
    from .system import PromelaSystem

MODES = ("safety", "acceptance", "non-progress")

__all__ = ["MODES", "PromelaError", "build", "check", "format_trail", "load"]


def load(path: str, defines: list[str] | None = None, undefines: list[str] | None = None,
         text: str | None = None) -> Model:
    """Preprocess, parse and check ``path`` (or ``text``); the resolved model."""
    from .parser import parse
    from .preprocess import preprocess
    from .semantics import analyse
    from .symbols import Model

    pre = preprocess(path, defines, undefines, text)
    program = parse(pre.text, pre.lines)
    model = Model(path, pre.lines, warnings=pre.warnings)
    return analyse(program, model)


def build(model: Model, mode: str = "safety", fair: bool = False) -> PromelaSystem:
    """The transition system of ``model`` for ``mode`` (SPIN's verifier modes); ``fair``:
    it will be searched with weak fairness (a never claim reading ``np_`` sees it)."""
    from .system import build_system
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return build_system(model, mode, fair)


def check(path: str, mode: str = "safety", *, fair: bool = False, search: str = "dfs",
          defines: list[str] | None = None, undefines: list[str] | None = None,
          text: str | None = None, **budgets: Any) -> tuple[Result, PromelaSystem]:
    """Check a Promela file as SPIN's ``pan`` would in ``mode``; (result, system).

    As in SPIN, acceptance mode on a model without any accept label (in a process or
    in the never claim) is a safety check, and non-progress mode ignores the never
    claim.
    """
    from ..model.checker import check as run_check
    from .system import PromelaSystem

    system = build(load(path, defines, undefines, text), mode, fair)
    if mode == "acceptance" and not system.has_accept:
        # safety and acceptance run the same compiled code (the claim runs in both)
        system = PromelaSystem(system.c, "safety")
    effective = system.mode
    result = run_check(system, effective, fair=fair and effective != "safety",
                       search=search if effective == "safety" else "dfs", **budgets)
    return result, system


def format_trail(system: PromelaSystem, result: Result) -> str:
    """``result``'s counterexample in the style of ``spin -t -p``."""
    from .trail import format_trail as fmt
    return fmt(system, result)
