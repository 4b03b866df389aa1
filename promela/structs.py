"""typedef: structure types, their variables, and references to their fields.

A variable of a typedef type is stored as one *leaf* variable per basic field, in
declaration order, each an array over every element the path to it crosses:
``Cell grid[2]`` with ``typedef Cell { Pos at; bit used[3] }`` and
``typedef Pos { byte x; byte y = 2 }`` has the leaves ``grid.at.x`` (2 elements),
``grid.at.y`` (2, each starting at 2) and ``grid.used`` (6).  A reference
``grid[i].used[j]`` is element ``i * 3 + j`` of the leaf ``grid.used``, each index
checked against its own level, as SPIN checks it.  A whole structure (``grid[i]``,
``grid[i].at``) may only be sent or received: it stands for its basic fields in order,
array fields element by element, which is how SPIN lays a structure out in a message.
SPIN refuses a structure anywhere else ("incomplete structure ref"), and so does aioctx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ast
from .symbols import TYPES, Var

if TYPE_CHECKING:
    from .exprcheck import Scope


@dataclass(eq=False)
class Field:
    """One field of a typedef: a basic type or another typedef, maybe an array."""

    name: str
    type: str                       # a basic type, "mtype", or "struct"
    count: int
    is_array: bool
    pos: ast.Pos
    bits: int = 0
    signed: bool = False
    struct: StructType | None = None
    init: ast.Expr | None = None
    mtype_set: str | None = None


@dataclass(eq=False)
class StructType:
    name: str
    pos: ast.Pos
    fields: list[Field] = field(default_factory=list)

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class StructChecks:
    """The typedef half of the semantic pass (mixed into ``semantics.Analyser``)."""

    structs: dict[str, StructType]

    def declare_typedef(self, td: ast.TypeDef) -> None:
        if td.name in self.structs:
            raise self.error(td.pos, f"typedef {td.name!r} declared twice")
        st = StructType(td.name, td.pos)
        for decl in td.fields:
            if decl.type == "chan":
                raise self.error(decl.pos, "a chan field in a typedef is not supported")
            for iv in decl.vars:
                if st.get(iv.name) is not None:
                    raise self.error(iv.pos, f"field {iv.name!r} declared twice in "
                                     f"typedef {td.name!r}")
                st.fields.append(self.make_field(decl, iv))
        self.structs[td.name] = st

    def make_field(self, decl: ast.VarDecl, iv: ast.IVar) -> Field:
        count = 1
        if iv.size is not None:
            count = self.const(iv.size, None)
            if not 1 <= count <= 65535:
                raise self.error(iv.size.pos, f"bad array size {count}")
        f = Field(iv.name, decl.type, count, iv.size is not None, iv.pos,
                  mtype_set=decl.subtype if decl.type == "mtype" else None)
        if decl.type == "struct":
            f.struct = self.structs.get(decl.subtype)
            if f.struct is None:
                raise self.error(decl.pos, f"typedef {decl.subtype!r} is used before it "
                                 "is declared")
            if iv.init is not None:
                raise self.error(iv.pos, f"field {iv.name!r} is a structure: it takes no "
                                 "initialiser")
            return f
        f.bits, f.signed = TYPES[decl.type]
        if iv.bits is not None:
            if decl.type != "unsigned":
                raise self.error(iv.pos, "a bit width ': N' is only allowed on unsigned")
            f.bits = self.const(iv.bits, None)
        elif decl.type == "unsigned":
            raise self.error(iv.pos, "unsigned needs a width: 'unsigned name : N'")
        if isinstance(iv.init, list | ast.ChanInit):
            raise self.error(iv.pos, f"field {iv.name!r}: only a constant initialises a "
                             "field")
        if iv.init is not None:
            f.init = ast.Num(iv.init.pos, self.const(iv.init, None))
        return f

    def struct_type(self, decl: ast.VarDecl) -> StructType:
        st = self.structs.get(decl.subtype)
        if st is None:
            raise self.error(decl.pos, f"{decl.subtype!r} is not a typedef")
        return st

    def make_struct_var(self, st: StructType, iv: ast.IVar, scope_name: str, slot: int,
                        scope: Scope | None) -> Var:
        """The variable ``iv`` of type ``st``, with its leaves placed from ``slot``."""
        if iv.init is not None or iv.bits is not None:
            raise self.error(iv.pos, f"{iv.name!r} is a structure: it takes no "
                             "initialiser")
        count = 1
        if iv.size is not None:
            count = self.const(iv.size, scope)
            if not 1 <= count <= 65535:
                raise self.error(iv.size.pos, f"bad array size {count}")
        root = Var(iv.name, "struct", 0, False, count, iv.size is not None, scope_name, -1,
                   iv.pos, struct=st)
        _add_leaves(root, st, iv.name, [(iv.name, count, iv.size is not None)], slot)
        return root

    # ---- references ----

    def field_array_length(self, n: ast.Name, root: Var, scope: Scope) -> int | None:
        """The length of the array ``n`` ends in (``s``, ``s[1].a``: no index on the last
        level), None if it ends in no array."""
        *head, (name, index) = [(n.name, n.index)] + list(n.fields)
        if index is not None:
            return None
        if not head:
            return root.size if root.is_array else None
        probe = ast.Name(n.pos, n.name, n.index, fields=list(n.fields[:-1]))
        st = self.resolve_struct_path(probe, root, scope)
        f = st.get(name) if st is not None else None
        return f.count if f is not None and f.is_array else None

    def resolve_struct_path(self, n: ast.Name, root: Var, scope: Scope) -> StructType | None:
        """The structure type ``n`` (fully indexed) names, None if it names a field."""
        st: StructType | None = root.struct
        for name, index in n.fields:
            f = st.get(name) if st is not None else None
            if f is None:
                raise self.error(n.pos, f"{n.name} has no field {name!r}")
            if index is not None:
                self.expr(index, scope)
            st = f.struct
        if n.index is not None:
            self.expr(n.index, scope)
        return st

    def resolve_fields(self, n: ast.Name, root: Var, scope: Scope,
                       whole_ok: bool = False) -> list[ast.Name] | None:
        """Resolve ``n`` (a reference into typedef variable ``root``).  A basic field
        becomes ``n`` itself, with ``sym`` its leaf and ``flat`` its element; a whole
        structure (only where ``whole_ok``) becomes the list of its fields' references."""
        levels = [(n.name, n.index)] + list(n.fields)
        st: StructType | None = root.struct
        count, is_array, path = root.size, root.is_array, root.name
        flat: ast.Expr = ast.Num(n.pos, 0)
        for k, (name, index) in enumerate(levels):
            if k > 0:
                f = st.get(name) if st is not None else None
                if st is None or f is None:
                    what = f"{path} has no field {name!r}" if st is not None else \
                        f"{path} is not a structure: it has no field {name!r}"
                    raise self.error(n.pos, what)
                count, is_array, st = f.count, f.is_array, f.struct
                path = f"{path}.{name}"
            if index is not None:
                if not is_array:
                    raise self.error(n.pos, f"{path} is not an array")
                self.expr(index, scope)
                flat = _times_plus(flat, count, _checked(index, count, path))
            elif is_array:
                raise self.error(n.pos, f"{path} is an array: give an index")
            else:
                flat = _times_plus(flat, count, ast.Num(n.pos, 0))
        if st is not None:
            if not whole_ok:
                raise self.error(n.pos, f"incomplete structure reference {path}: name one "
                                 "of its fields (a whole structure can only be sent or "
                                 "received)")
            return _expand(n, list(n.fields), st, flat, path, root)
        n.sym = _leaf(root, path)
        n.flat = flat
        return None


def elements(var: Var) -> list[tuple[str, Var, int]]:
    """Each basic element of ``var`` as SPIN names it, with the variable that holds it
    and its element index there, in the order SPIN prints them: a structure element by
    element, depth first (``grid[0].at.x``, ``grid[0].at.y[0]``, ..., ``grid[1].at.x``)."""
    if var.struct is None:
        return [(f"{var.name}[{k}]" if var.is_array else var.name, var, k)
                for k in range(var.size)]
    out: list[tuple[str, Var, int]] = []

    def walk(st: StructType, name: str, path: str, flat: int) -> None:
        for f in st.fields:
            for k in range(f.count):
                here = f"{name}.{f.name}" + (f"[{k}]" if f.is_array else "")
                if f.struct is not None:
                    walk(f.struct, here, f"{path}.{f.name}", flat * f.count + k)
                else:
                    out.append((here, _leaf(var, f"{path}.{f.name}"), flat * f.count + k))

    for k in range(var.size):
        walk(var.struct, f"{var.name}[{k}]" if var.is_array else var.name, var.name, k)
    return out


def _add_leaves(root: Var, st: StructType, prefix: str,
                levels: list[tuple[str, int, bool]], slot: int) -> int:
    for f in st.fields:
        path = levels + [(f.name, f.count, f.is_array)]
        if f.struct is not None:
            slot = _add_leaves(root, f.struct, f"{prefix}.{f.name}", path, slot)
            continue
        size = 1
        for _name, n, _arr in path:
            size *= n
        leaf = Var(f"{prefix}.{f.name}", f.type, f.bits, f.signed, size, size > 1,
                   root.scope, slot, f.pos, init=f.init, mtype_set=f.mtype_set,
                   levels=path)
        root.leaves.append(leaf)
        slot += size
    return slot


def _leaf(root: Var, path: str) -> Var:
    """The leaf of ``root`` at ``path`` (its indices stripped: ``a.b.c``)."""
    return next(v for v in root.leaves if v.name == path)


def _checked(index: ast.Expr, count: int, what: str) -> ast.Expr:
    if isinstance(index, ast.Num) and 0 <= index.value < count:
        return index
    return ast.Checked(index.pos, index, count, what)


def _times_plus(acc: ast.Expr, count: int, index: ast.Expr) -> ast.Expr:
    """``acc * count + index``, folded where both are numbers."""
    if isinstance(acc, ast.Num) and isinstance(index, ast.Num):
        return ast.Num(index.pos, acc.value * count + index.value)
    scaled = acc if count == 1 else ast.Binary(acc.pos, "*", acc, ast.Num(acc.pos, count))
    if isinstance(acc, ast.Num) and acc.value == 0:
        scaled = None
    if scaled is None:
        return index
    if isinstance(index, ast.Num) and index.value == 0:
        return scaled
    return ast.Binary(acc.pos, "+", scaled, index)


def _expand(n: ast.Name, fields: list, st: StructType, flat: ast.Expr, path: str,
            root: Var) -> list[ast.Name]:
    """The references to every basic field of the structure at ``path`` (reached by
    ``n`` then ``fields``), in SPIN's message order (array fields element by element)."""
    out: list[ast.Name] = []
    for f in st.fields:
        for k in range(f.count):
            element = _times_plus(flat, f.count, ast.Num(n.pos, k))
            here = fields + [(f.name, ast.Num(n.pos, k) if f.is_array else None)]
            if f.struct is not None:
                out += _expand(n, here, f.struct, element, f"{path}.{f.name}", root)
                continue
            ref = ast.Name(n.pos, n.name, n.index, fields=here)
            ref.sym = _leaf(root, f"{path}.{f.name}")
            ref.flat = element
            out.append(ref)
    return out
