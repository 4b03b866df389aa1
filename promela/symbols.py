"""What the semantic pass knows about a model: variables, process types, channels.

Value ranges follow SPIN (and C): ``bit``/``bool`` hold 0..1, ``byte``/``mtype``/
``chan``/``pid`` 0..255, ``unsigned x : N`` 0..2**N-1, all wrapping modulo their width;
``short`` and ``int`` are two's complement 16- and 32-bit and wrap the same way.  A
value is reduced to its variable's range when it is stored, never in between: that is
what SPIN's generated C does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import ast
from .errors import LineMap
from .unparse import expr as unparse_expr

#: width in bits and signedness of each basic type (``unsigned`` takes its own width)
TYPES: dict[str, tuple[int, bool]] = {
    "bit": (1, False), "bool": (1, False), "byte": (8, False), "mtype": (8, False),
    "chan": (8, False), "pid": (8, False), "short": (16, True), "int": (32, True),
    "unsigned": (32, False),
}


def wrap(value: int, bits: int, signed: bool) -> int:
    """``value`` reduced to a ``bits``-wide variable, as a C store would."""
    mask = (1 << bits) - 1
    if signed:
        half = 1 << (bits - 1)
        return ((value + half) & mask) - half
    return value & mask


@dataclass(eq=False)
class Var:
    """A declared variable (global, parameter or process-local)."""

    name: str
    type: str
    bits: int
    signed: bool
    size: int                       # elements (1 for a scalar)
    is_array: bool
    scope: str                      # "global" or "local"
    slot: int                       # first index in the global or the local area
    pos: ast.Pos
    init: Any = None                # Expr, ChanInit, list[Expr] or None
    chan_type: int | None = None    # ChanType index when declared with ``[n] of {...}``
    mtype_set: str | None = None    # the set of an ``mtype:set`` variable
    visibility: str | None = None   # the prefix it was declared with (reduce.py: "local")
    #: a typedef variable (``type == "struct"``): its structure type and its leaves,
    #: the slot-holding variables of its basic fields (structs.py); it has no slot
    struct: Any = None
    leaves: list[Var] = field(default_factory=list)
    #: a leaf: the array levels from the typedef variable down to the field, as
    #: (name, elements, is an array); its elements are indexed level by level
    levels: list[tuple[str, int, bool]] = field(default_factory=list)

    def wrap(self, value: int) -> int:
        return wrap(value, self.bits, self.signed)


@dataclass(eq=False)
class ChanType:
    """Capacity and field types of the channels made by one ``[n] of {...}``."""

    capacity: int
    fields: list[tuple[int, bool, str]]     # (bits, signed, type name) per field
    pos: ast.Pos


@dataclass(eq=False)
class ProcType:
    """A proctype, ``init`` or the never claim, after name resolution."""

    name: str
    kind: str                       # "proctype", "init", "never"
    index: int                      # process type number, stored in each process's state
    pos: ast.Pos
    params: list[Var] = field(default_factory=list)
    locals: list[Var] = field(default_factory=list)      # params first, then the rest
    nslots: int = 0
    body: list[ast.Stmt] = field(default_factory=list)
    #: locals initialised when the process is created (declared before any statement)
    created: list[Var] = field(default_factory=list)
    active: int = 0                 # instances started in the initial state
    labels: dict[str, ast.Pos] = field(default_factory=dict)    # every label of the body
    #: the variables as declared, in order (typedef variables whole; for printing)
    declared: list[Var] = field(default_factory=list)
    priority: int = 1               # of its ``active`` instances (and of init)
    provided: ast.Expr | None = None    # ``provided (expr)``
    xu: list[tuple[str, ast.Name]] = field(default_factory=list)   # xr/xs declarations
    end: ast.Pos | None = None      # the body's closing brace (its end state's place)


@dataclass(eq=False)
class Property:
    """A property a run of the model must have: a never claim, or an ltl formula whose
    never claim is built when it is the property checked (pan's ``-N name``)."""

    name: str
    kind: str                       # "never" or "ltl"
    pos: ast.Pos
    formula: ast.Expr | None = None     # ltl: the formula as written
    claim: ProcType | None = None       # never: the claim; ltl: once translated
    #: ltl: the conditions its claim tests, by their text in the formula
    propositions: dict[str, ast.Expr] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        """The ltl formula as Promela text (None for a never claim)."""
        return None if self.formula is None else unparse_expr(self.formula)


@dataclass(eq=False)
class Model:
    """A resolved Promela model, ready for the flow builder and the code generator."""

    file: str
    lines: LineMap
    globals: list[Var] = field(default_factory=list)          # slot holders, in order
    declared: list[Var] = field(default_factory=list)         # as declared (printing)
    nglobals: int = 0
    mtypes: dict[str, int] = field(default_factory=dict)      # every mtype name: value
    #: each mtype set (None: the plain one) -> its names, by value - 1
    mtype_sets: dict[str | None, list[str]] = field(default_factory=dict)
    proctypes: list[ProcType] = field(default_factory=list)     # proctypes and init
    claim: ProcType | None = None   # the never claim of the property checked
    #: never claims first, then ltl formulas, each in the order written (SPIN's order,
    #: whose first is what pan checks without ``-N``)
    properties: list[Property] = field(default_factory=list)
    property: Property | None = None   # the property checked, None if there is none
    trace: ProcType | None = None   # a trace or notrace automaton
    chan_types: list[ChanType] = field(default_factory=list)
    #: process types to start in the initial state, in pid order
    initial: list[ProcType] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    has_last: bool = False          # the model reads ``_last`` (kept in the state)
    has_priority: bool = False      # priorities are used (kept in each process)

    def mtype_name(self, value: int, subset: str | None = None) -> str | None:
        names = self.mtype_sets.get(subset, [])
        return names[value - 1] if 0 < value <= len(names) else None

    def where(self, pos: ast.Pos):
        return self.lines.source(*pos)

    def behaviour(self) -> list:
        """The roots of every statement and expression the model runs or checks: each
        proctype's body, ``provided`` clause and xr/xs channels, the never claim, the
        trace automaton, and each property's formula and claim (the analyses that must
        see every read of a name walk these)."""
        nodes: list = [p.body for p in self.proctypes]
        nodes += [p.provided for p in self.proctypes if p.provided is not None]
        nodes += [c for p in self.proctypes for _word, c in p.xu]
        if self.trace is not None:
            nodes.append(self.trace.body)
        if self.claim is not None:
            nodes.append(self.claim.body)
        for prop in self.properties:
            nodes.append(prop.formula)
            if prop.claim is not None:
                nodes.append(prop.claim.body)
        return nodes
