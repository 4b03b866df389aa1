"""The syntax tree of a Promela model, as the parser builds it.

Every node carries ``pos``, the (line, column) in the preprocessed text, which the line
map turns into the user's file:line:col.  The semantic pass (``semantics.py``) fills in
the ``sym``/``const`` fields of names; the flow builder and the code generator read the
tree and never the source text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Pos = tuple[int, int]


# ---- expressions ----

@dataclass(eq=False)
class Expr:
    pos: Pos


@dataclass(eq=False)
class Num(Expr):
    value: int


@dataclass(eq=False)
class Name(Expr):
    """A variable reference ``name`` or ``name[index]`` (or an mtype constant), with the
    fields of a typedef after it: ``name[i].field[j].inner``."""

    name: str
    index: Expr | None = None
    sym: Any = None                 # semantics.Var once resolved
    const: int | None = None        # value when the name is an mtype constant
    fields: list[tuple[str, Expr | None]] = field(default_factory=list)
    #: for a typedef field: the index into the flattened field (``sym``), bounds
    #: checked level by level (set by the semantic pass)
    flat: Expr | None = None


@dataclass(eq=False)
class Unary(Expr):
    op: str                         # "!", "-", "~"
    arg: Expr


@dataclass(eq=False)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False)
class Cond(Expr):
    """``(test -> then : other)``."""

    test: Expr
    then: Expr
    other: Expr


@dataclass(eq=False)
class Run(Expr):
    proc: str
    args: list[Expr]
    target: Any = None              # semantics.ProcType once resolved
    priority: Expr | None = None    # ``run P() priority N``


@dataclass(eq=False)
class Checked(Expr):
    """``value`` checked to be an index below ``bound`` of the array called ``what``
    (the semantic pass builds these for the levels of a typedef reference)."""

    value: Expr
    bound: int
    what: str


@dataclass(eq=False)
class GetPriority(Expr):
    """``get_priority(pid)``: the priority of process ``pid`` (0 if there is none)."""

    pid: Expr


@dataclass(eq=False)
class ChanLen(Expr):
    chan: Name


@dataclass(eq=False)
class ChanTest(Expr):
    op: str                         # "empty", "nempty", "full", "nfull"
    chan: Name


@dataclass(eq=False)
class Poll(Expr):
    """``c?[args]`` / ``c??[args]``: can that message be received now?"""

    chan: Name
    random: bool
    args: list[Expr]


@dataclass(eq=False)
class Timeout(Expr):
    pass


@dataclass(eq=False)
class NonProgress(Expr):
    """``np_``: no process is at a progress label (only a never claim may read it)."""


@dataclass(eq=False)
class Enabled(Expr):
    """``enabled(pid)``: process ``pid`` has an executable statement."""

    pid: Expr


@dataclass(eq=False)
class PcValue(Expr):
    """``pc_value(pid)``: the state number process ``pid`` is at (SPIN's numbering)."""

    pid: Expr


@dataclass(eq=False)
class Eval(Expr):
    """``eval(e)`` in a receive: match the field against the value of ``e``."""

    arg: Expr


@dataclass(eq=False)
class RemoteLabel(Expr):
    """``proc[pid]@label``: whether process ``pid`` (a ``proc``) is at ``label``.
    Without ``[pid]``, the first running ``proc`` is meant (SPIN's rule)."""

    proc: str
    pid: Expr | None
    label: str
    target: Any = None              # semantics.ProcType once resolved
    via: Pos | None = None          # the inline call it was expanded at, if any


@dataclass(eq=False)
class RemoteVar(Expr):
    """``proc[pid]:name`` or ``proc[pid]:name[index]``: a local of another process."""

    proc: str
    pid: Expr | None
    name: str
    index: Expr | None = None
    target: Any = None              # semantics.ProcType once resolved
    sym: Any = None                 # its semantics.Var once resolved
    via: Pos | None = None          # the inline call it was expanded at, if any


@dataclass(eq=False)
class Temporal(Expr):
    """An operator of an ltl formula: ``[]``, ``<>``, ``X`` (``right`` is None) or
    ``U``, ``W``, ``V``, ``->``, ``<->``; ``!``, ``&&`` and ``||`` stay ``Unary`` and
    ``Binary``."""

    op: str
    left: Expr
    right: Expr | None = None


# ---- statements ----

@dataclass(eq=False)
class Stmt:
    pos: Pos


@dataclass(eq=False)
class IVar:
    """One declarator: ``name``, ``name[size]``, ``name : bits``, with an initialiser."""

    pos: Pos
    name: str
    size: Expr | None = None
    bits: Expr | None = None
    init: Any = None                # Expr, ChanInit, or list[Expr] (array initialiser)


@dataclass(eq=False)
class ChanInit:
    pos: Pos
    capacity: Expr
    fields: list[str]               # type names of the message fields


@dataclass(eq=False)
class VarDecl(Stmt):
    type: str                       # a basic type, "mtype", or "struct"
    vars: list[IVar]
    visibility: str | None = None   # "hidden", "show" or "local" (reduce.py reads "local")
    subtype: str | None = None      # the set of an ``mtype:set``, the name of a struct


@dataclass(eq=False)
class MtypeDecl(Stmt):
    names: list[tuple[str, Pos]]
    set: str | None = None          # ``mtype:set = { ... }``; None: the plain set


@dataclass(eq=False)
class XuDecl(Stmt):
    """``xr c`` / ``xs c``: only this process receives from / sends to ``c``."""

    kind: str                       # "xr" or "xs"
    chans: list[Name]


@dataclass(eq=False)
class For(Stmt):
    """``for (var : lo .. hi) { body }``, or ``for (var in array)`` (``array`` set)."""

    var: Name
    lo: Expr | None
    hi: Expr | None
    body: list[Stmt]
    array: Name | None = None


@dataclass(eq=False)
class Select(Stmt):
    """``select (var : lo .. hi)``: var gets any value of the range."""

    var: Name
    lo: Expr
    hi: Expr


@dataclass(eq=False)
class SetPriority(Stmt):
    pid: Expr
    priority: Expr


@dataclass(eq=False)
class If(Stmt):
    options: list[list[Stmt]]


@dataclass(eq=False)
class Do(Stmt):
    options: list[list[Stmt]]


@dataclass(eq=False)
class Atomic(Stmt):
    body: list[Stmt]


@dataclass(eq=False)
class DStep(Stmt):
    body: list[Stmt]


@dataclass(eq=False)
class Block(Stmt):
    body: list[Stmt]


@dataclass(eq=False)
class Unless(Stmt):
    """``{ body } unless { escape }``: while in ``body``, the escape's first statement
    takes priority over the body's own statements."""

    body: list[Stmt]
    escape: list[Stmt]


@dataclass(eq=False)
class Nop(Stmt):
    """A step that does nothing: where SPIN reads a structure declared after the first
    statement of a body."""


@dataclass(eq=False)
class Else(Stmt):
    pass


@dataclass(eq=False)
class Break(Stmt):
    pass


@dataclass(eq=False)
class Goto(Stmt):
    label: str


@dataclass(eq=False)
class Labeled(Stmt):
    label: str
    stmt: Stmt


@dataclass(eq=False)
class Assign(Stmt):
    target: Name
    value: Expr


@dataclass(eq=False)
class IncDec(Stmt):
    target: Name
    delta: int                      # +1 or -1


@dataclass(eq=False)
class Send(Stmt):
    chan: Name
    args: list[Expr]
    sorted: bool = False            # ``c!!m``: insert in sorted order


@dataclass(eq=False)
class Receive(Stmt):
    chan: Name
    args: list[Expr]                # Name (store), Num/constant Name (match), Eval
    random: bool = False            # ``c??m``: first matching message, not the head
    keep: bool = False              # ``c?<m>``: copy the fields, leave the message


@dataclass(eq=False)
class Assert(Stmt):
    expr: Expr


@dataclass(eq=False)
class Printf(Stmt):
    fmt: str
    args: list[Expr]


@dataclass(eq=False)
class Printm(Stmt):
    expr: Expr


@dataclass(eq=False)
class InlineCall(Stmt):
    name: str
    args: list[Expr]
    via: Pos | None = None          # the outermost inline call it was expanded at


@dataclass(eq=False)
class ExprStmt(Stmt):
    expr: Expr


# ---- top level ----

@dataclass(eq=False)
class ProcDef:
    pos: Pos
    name: str
    kind: str                       # "proctype", "init", "never", "trace" or "notrace"
    active: Expr | None             # instance count for ``active [N] proctype``
    params: list[VarDecl]
    body: list[Stmt]
    priority: Expr | None = None    # ``priority N`` of its active instances (and init)
    provided: Expr | None = None    # ``provided (expr)``
    end: Pos | None = None          # the closing brace: where SPIN puts the end state


@dataclass(eq=False)
class TypeDef:
    """``typedef Name { declarations }``."""

    pos: Pos
    name: str
    fields: list[VarDecl]


@dataclass(eq=False)
class InlineDef:
    pos: Pos
    name: str
    params: list[str]
    body: list[Stmt]


@dataclass(eq=False)
class LtlDef:
    """``ltl name { formula }``: a property every run must have (``name`` None when
    the block has none)."""

    pos: Pos
    name: str | None
    formula: Expr


@dataclass(eq=False)
class Program:
    #: ProcDef, InlineDef, LtlDef, TypeDef, VarDecl, MtypeDecl
    units: list[Any] = field(default_factory=list)


# ---- traversal ----

#: links the semantic pass adds from the tree to the symbol tables (not tree edges)
_LINKS = ("sym", "target")


def walk(node: Any) -> Iterator[Any]:
    """``node`` (a node or a list of them) and every node below it, depth first.  The
    links the semantic pass adds (``Name.sym``, ``Run.target``) are not followed: they
    lead out of the tree."""
    if isinstance(node, list):
        for item in node:
            yield from walk(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        yield node
        for f in dataclasses.fields(node):
            if f.name not in _LINKS:
                yield from walk(getattr(node, f.name))


def contains(node: Any, kinds: type | tuple[type, ...]) -> bool:
    """Whether ``node`` or a node below it is one of ``kinds``."""
    return any(isinstance(n, kinds) for n in walk(node))
