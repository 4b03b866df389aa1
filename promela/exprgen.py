"""Promela expressions -> Python expression source, from the syntax tree only.

The output names nothing from the model: variables become subscripts of the state
tuple (``s[7]``) or of the process tuple (``p[3]``), constants become numbers, and
everything else is a fixed template or a call of a runtime helper.  An expression is
generated either as a *value* (C semantics: comparisons and logic give 0 or 1) or as
a *condition* (only its truth matters, so ``&&`` can be Python's ``and``).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .errors import PromelaError
from .layout import Layout, Place
from .symbols import Model, Var
from .unparse import expr as unparse_expr

_ARITH = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^"}
_COMPARE = {"==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_HELPER = {"/": "cdiv", "%": "cmod", "<<": "shl", ">>": "shr"}


@dataclass(frozen=True)
class Ctx:
    """How to reach the data an expression reads (see layout.py for the bytes)."""

    g: str                  # the buffer holding the globals ("s" or the mutable "l")
    loc: str | None         # the buffer holding the process's record; None: no process
    base: str               # offset of the record in ``loc`` ("o", or "0" in a new record)
    pid: str                # expression for _pid
    nr: str                 # expression for _nr_pr
    to: str = "to"          # the timeout flag
    np: str = "False"       # ``np_`` (only a never claim reads it)
    claim: bool = False     # the expression belongs to the never claim


#: unpack_from / pack_into of each wide element kind, by (width, signed)
READERS = {(2, True): "I16", (2, False): "U16", (4, True): "I32", (4, False): "U32"}
WRITERS = {(2, True): "W16", (2, False): "WU16", (4, True): "W32", (4, False): "WU32"}


class ExprGen:
    def __init__(self, model: Model, layout: Layout) -> None:
        self.m = model
        self.lay = layout
        self.var_ids: dict[int, int] = {}     # id(Var) -> index in ``names``
        self.names: list[str] = []
        self.refs: list[str] = []             # remote references, for run-time errors
        #: (process type, label) -> the locations of that type carrying the label
        self.label_pcs: dict[tuple[int, str], tuple[int, ...]] = {}
        #: globals nothing reads, never written (deadvars.write_only)
        self.hidden: set[int] = set()

    def error(self, pos: ast.Pos, message: str) -> PromelaError:
        return PromelaError(self.m.where(pos), message)

    def var_id(self, var: Var) -> int:
        key = id(var)
        if key not in self.var_ids:
            self.var_ids[key] = len(self.names)
            self.names.append(var.name)
        return self.var_ids[key]

    def text_id(self, text: str) -> int:
        """The index of ``text`` in ``names`` (for run-time messages)."""
        if text not in self.names:
            self.names.append(text)
        return self.names.index(text)

    # ---- variables ----

    def slot(self, n: ast.Name, ctx: Ctx) -> tuple[str, str, Place]:
        """(buffer, offset source, place) of the variable element ``n`` (resolved, not
        a constant)."""
        var = n.sym
        place = self.lay.place(var)
        if var.scope == "global":
            cont, base = ctx.g, ""
        else:
            if ctx.loc is None:
                raise self.error(n.pos, f"{n.name!r} is local to a process")
            cont, base = ctx.loc, ("" if ctx.base == "0" else f"{ctx.base} + ")
        first = place.offset
        if var.levels:          # a typedef field: the element, checked level by level
            if isinstance(n.flat, ast.Num):
                return cont, f"{base}{first + n.flat.value * place.width}", place
            flat = self.value(n.flat, ctx)
            scaled = flat if place.width == 1 else f"{place.width} * ({flat})"
            return cont, f"{base}{first} + {scaled}", place
        if n.index is None:
            return cont, f"{base}{first}", place
        if isinstance(n.index, ast.Num):
            k = n.index.value
            if 0 <= k < var.size:
                return cont, f"{base}{first + k * place.width}", place
        idx = f"ix({self.value(n.index, ctx)}, {var.size}, {self.var_id(var)})"
        scaled = idx if place.width == 1 else f"{place.width} * {idx}"
        return cont, f"{base}{first} + {scaled}", place

    def name(self, n: ast.Name, ctx: Ctx) -> str:
        if n.const is not None:
            return str(n.const)
        if n.sym == "_pid":
            return ctx.pid
        if n.sym == "_nr_pr":
            return ctx.nr
        if n.sym == "_last":
            return f"{ctx.g}[{self.lay.last}]"
        return read_src(*self.slot(n, ctx))

    def write(self, n: ast.Name, ctx: Ctx, value: str) -> str:
        """The statement storing ``value`` (reduced to the variable's range) into ``n``;
        nothing for a global nobody reads."""
        if n.index is None and id(n.sym) in self.hidden:
            return "pass"
        cont, offset, place = self.slot(n, ctx)
        return write_src(cont, offset, place, self.store(n.sym, value))

    def chan(self, n: ast.Name, ctx: Ctx) -> str:
        return self.name(n, ctx)

    # ---- expressions ----

    def value(self, e: ast.Expr, ctx: Ctx) -> str:
        """``e`` as an int-valued Python expression (bools count as 0/1)."""
        if isinstance(e, ast.Binary) and e.op in ("&&", "||"):
            return f"(1 if {self.cond(e, ctx)} else 0)"
        return self._gen(e, ctx)

    def cond(self, e: ast.Expr, ctx: Ctx) -> str:
        """``e`` as a Python expression whose truth is C's truth of ``e``."""
        if isinstance(e, ast.Binary) and e.op in ("&&", "||"):
            op = "and" if e.op == "&&" else "or"
            return f"({self.cond(e.left, ctx)} {op} {self.cond(e.right, ctx)})"
        if isinstance(e, ast.Unary) and e.op == "!":
            return f"(not {self.cond(e.arg, ctx)})"
        return self._gen(e, ctx)

    def _gen(self, e: ast.Expr, ctx: Ctx) -> str:
        if isinstance(e, ast.Num):
            return str(e.value) if e.value >= 0 else f"({e.value})"
        if isinstance(e, ast.Name):
            return self.name(e, ctx)
        if isinstance(e, ast.Unary):
            if e.op == "!":
                return f"(not {self.cond(e.arg, ctx)})"
            return f"({e.op}{self.value(e.arg, ctx)})"
        if isinstance(e, ast.Binary):
            a, b = self.value(e.left, ctx), self.value(e.right, ctx)
            if e.op in _ARITH:
                return f"({a} {_ARITH[e.op]} {b})"
            if e.op in _COMPARE:
                return f"({a} {_COMPARE[e.op]} {b})"
            if e.op in _HELPER:
                return f"{_HELPER[e.op]}({a}, {b})"
        if isinstance(e, ast.Cond):
            return (f"({self.value(e.then, ctx)} if {self.cond(e.test, ctx)} "
                    f"else {self.value(e.other, ctx)})")
        if isinstance(e, ast.Timeout):
            return ctx.to
        if isinstance(e, ast.NonProgress):
            return ctx.np
        if isinstance(e, ast.Enabled):
            me = "None" if ctx.claim else ctx.pid
            return f"EN({ctx.g}, {self.value(e.pid, ctx)}, {ctx.to}, {me})"
        if isinstance(e, ast.PcValue):
            return f"PCV({ctx.g}, {self.value(e.pid, ctx)})"
        if isinstance(e, ast.GetPriority):
            return f"GETP({ctx.g}, {self.value(e.pid, ctx)})"
        if isinstance(e, ast.Checked):
            return f"ix({self.value(e.value, ctx)}, {e.bound}, {self.text_id(e.what)})"
        if isinstance(e, ast.ChanLen):
            return f"qget({ctx.g}, {self.chan(e.chan, ctx)})[2]"
        if isinstance(e, ast.ChanTest):
            c = self.chan(e.chan, ctx)
            return {"empty": f"(not qget({ctx.g}, {c})[2])",
                    "nempty": f"(qget({ctx.g}, {c})[2] > 0)",
                    "full": f"cfull({ctx.g}, {c})",
                    "nfull": f"(not cfull({ctx.g}, {c}))"}[e.op]
        if isinstance(e, ast.Poll):
            return (f"poll({ctx.g}, {self.chan(e.chan, ctx)}, {e.random}, "
                    f"{self.pattern(e.args, ctx)})")
        if isinstance(e, ast.RemoteLabel | ast.RemoteVar):
            return self.remote(e, ctx)
        if isinstance(e, ast.Run):
            raise self.error(e.pos, "'run' can only be a statement or the value of an "
                             "assignment")
        raise self.error(e.pos, f"unexpected {type(e).__name__} in an expression")

    def remote(self, e: ast.RemoteLabel | ast.RemoteVar, ctx: Ctx) -> str:
        """``rat``/``rvar`` calls: the process is looked up by pid (None: the first of
        its type); a pid nobody runs reads as not-at-the-label and 0, as SPIN's verifier
        reads a missing process; a pid that runs another proctype is a run-time error."""
        pid = "None" if e.pid is None else self.value(e.pid, ctx)
        ptype = e.target.index
        self.refs.append(unparse_expr(e))
        ref = len(self.refs) - 1
        if isinstance(e, ast.RemoteLabel):
            pcs = self.label_pcs.get((ptype, e.label), ())
            return f"rat({ctx.g}, {pid}, {ptype}, {pcs!r}, {ref})"
        var = e.sym
        place = self.lay.place(var)
        offset = str(place.offset)
        if e.index is not None:
            idx = f"ix({self.value(e.index, ctx)}, {var.size}, {self.var_id(var)})"
            offset += f" + {idx}" if place.width == 1 else f" + {place.width} * {idx}"
        kind = READERS.get((place.width, place.signed), "")
        return f"rvar({ctx.g}, {pid}, {ptype}, {offset}, {kind or 'None'}, {ref})"

    def pattern(self, args: list[ast.Expr], ctx: Ctx) -> str:
        """A tuple with the value to match per field, ``None`` where a variable is."""
        items = []
        for a in args:
            if isinstance(a, ast.Eval):
                items.append(self.value(a.arg, ctx))
            elif isinstance(a, ast.Name) and a.const is None:
                items.append("None")
            else:
                items.append(self.value(a, ctx))
        return "(" + "".join(x + ", " for x in items) + ")"

    def store(self, var: Var, value: str) -> str:
        """``value`` reduced to ``var``'s range (what C's store into it does)."""
        mask = (1 << var.bits) - 1
        if var.signed:
            half = 1 << (var.bits - 1)
            return f"((({value}) + {half}) & {mask}) - {half}"
        return f"({value}) & {mask}"


def read_src(cont: str, offset: str, place: Place) -> str:
    """Source reading the element at ``offset`` of buffer ``cont``."""
    if place.width == 1:
        return f"{cont}[{offset}]"
    return f"{READERS[place.width, place.signed]}({cont}, {offset})[0]"


def write_src(cont: str, offset: str, place: Place, value: str) -> str:
    """Source of the statement writing ``value`` (already in range) at ``offset``."""
    if place.width == 1:
        return f"{cont}[{offset}] = {value}"
    return f"{WRITERS[place.width, place.signed]}({cont}, {offset}, {value})"
