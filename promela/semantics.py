"""Name resolution, inline expansion and the static checks SPIN makes before verifying.

Input: the syntax tree.  Output: a ``symbols.Model`` whose process bodies have inline
calls expanded, every name resolved to a variable or an mtype constant, and local
declarations split the way SPIN splits them: declarations before the first statement of
a body initialise the variable when the process is created; later ones become an
assignment at that point of the body.  This module handles the declarations (types,
mtype sets, variables, channels, process types and their priorities and provided
clauses, a never claim, a trace); stmtcheck.py the statements, exprcheck.py the
expressions, structs.py the typedefs.

Errors (unknown names, misuse of arrays and channels, wrong argument counts, bad labels,
side effects in a never claim, ...) are ``PromelaError`` at the offending node.
"""

from __future__ import annotations

from . import ast, ltl
from .errors import PromelaError
from .exprcheck import Scope
from .stmtcheck import StmtChecks
from .structs import StructType
from .symbols import TYPES, ChanType, Model, ProcType, Property, Var

MAX_PROCESSES = 255


class Analyser(StmtChecks):
    """Walks the tree once; ``run`` returns the resolved model."""

    def __init__(self, program: ast.Program, model: Model) -> None:
        self.program = program
        self.m = model
        self.globals: dict[str, Var] = {}
        self.procs: dict[str, ast.ProcDef] = {}
        self.inlines: dict[str, ast.InlineDef] = {}
        self.ptypes: dict[str, ProcType] = {}
        self.remotes: list[ast.RemoteLabel | ast.RemoteVar] = []
        self.enabled_at: ast.Pos | None = None
        self.unnamed_ltl = 0
        self.structs: dict[str, StructType] = {}

    # ---- top level ----

    def run(self) -> Model:
        for unit in self.program.units:
            if isinstance(unit, ast.ProcDef) and unit.kind == "proctype":
                if unit.name in self.procs:
                    raise self.error(unit.pos, f"proctype {unit.name!r} declared twice")
                self.procs[unit.name] = unit
            elif isinstance(unit, ast.InlineDef):
                if unit.name in self.inlines:
                    raise self.error(unit.pos, f"inline {unit.name!r} declared twice")
                self.inlines[unit.name] = unit
        priority_at = _first_priority(self.program.units)
        self.m.has_priority = priority_at is not None
        formulas = []
        for unit in self.program.units:
            if isinstance(unit, ast.MtypeDecl):
                self.declare_mtypes(unit)
            elif isinstance(unit, ast.TypeDef):
                self.declare_typedef(unit)
            elif isinstance(unit, ast.VarDecl):
                self.declare_globals(unit)
            elif isinstance(unit, ast.ProcDef):
                proc = self.declare_proc(unit)
                if unit.kind == "never":
                    self.add_property(Property(proc.name, "never", unit.pos, claim=proc))
            elif isinstance(unit, ast.LtlDef):
                formulas.append(unit)
        if not self.m.initial and not any(p.kind == "init" for p in self.m.proctypes):
            raise PromelaError(self.m.where((1, 1)),
                               "no process to run: add 'init' or an 'active proctype'")
        for ref in self.remotes:
            self.remote(ref)
        if self.enabled_at is not None and any(c.capacity == 0 for c in self.m.chan_types):
            raise self.error(self.enabled_at, "enabled() cannot be used in a model with "
                             "rendezvous channels (SPIN's rule)")
        if priority_at is not None and any(c.capacity == 0 for c in self.m.chan_types):
            raise self.error(priority_at, "priorities cannot be used in a model with "
                             "rendezvous channels (pan refuses to compile it)")
        for unit in formulas:           # SPIN reads them after the whole model
            self.declare_ltl(unit)
        return self.m

    # ---- properties ----

    def add_property(self, prop: Property) -> None:
        for other in self.m.properties:
            if other.name == prop.name:
                line = self.m.where(other.pos).line
                raise self.error(prop.pos, f"a never claim or ltl property named "
                                 f"{prop.name!r} is already defined (line {line})")
        self.m.properties.append(prop)

    def declare_ltl(self, unit: ast.LtlDef) -> None:
        """Check an ltl formula: its operators, and its propositions as conditions of
        a never claim (globals, remote references, channel tests)."""
        name = unit.name
        if name is None:
            name = f"ltl_{self.unnamed_ltl}"
            self.unnamed_ltl += 1
        prop = Property(name, "ltl", unit.pos, unit.formula)
        prop.propositions = ltl.propositions(unit.formula, self.error)
        scope = Scope(ProcType(name, "never", -1, unit.pos))
        start = len(self.remotes)
        for p in prop.propositions.values():
            self.full_expr(p, scope)
        for ref in self.remotes[start:]:
            self.remote(ref, ordered=False)
        self.add_property(prop)

    def choose_property(self, name: str | None) -> None:
        """Make property ``name`` (default: the first, as pan's) the one checked, and
        translate it to a never claim if it is an ltl formula."""
        props = self.m.properties
        prop = props[0] if props and name is None else None
        if name is not None:
            prop = next((p for p in props if p.name == name), None)
            if prop is None:
                have = ", ".join(p.name for p in props) or "none"
                raise PromelaError(None, f"{self.m.file}: no never claim or ltl property "
                                   f"named {name!r} (the model has: {have})")
        if prop is not None and prop.claim is None:
            unit = ltl.never_claim(prop.name, prop.pos, prop.formula, prop.propositions)
            start = len(self.remotes)
            prop.claim = self.declare_proc(unit)
            for ref in self.remotes[start:]:
                self.remote(ref, ordered=False)
        self.m.property = prop
        self.m.claim = prop.claim if prop is not None else None

    def declare_mtypes(self, decl: ast.MtypeDecl) -> None:
        """One more list of names for the plain mtype set or a named one; SPIN numbers
        each list from its end, each set on its own."""
        names = self.m.mtype_sets.setdefault(decl.set, [])
        new = []
        for name, pos in reversed(decl.names):
            if name in self.m.mtypes or name in self.globals or name in new:
                raise self.error(pos, f"{name!r} declared twice")
            if len(names) + len(new) >= 255:
                raise self.error(pos, "more than 255 mtype names")
            new.append(name)
        for name in new:
            names.append(name)
            self.m.mtypes[name] = len(names)

    def declare_globals(self, decl: ast.VarDecl) -> None:
        scope = Scope(None)
        for iv in decl.vars:
            if iv.name in self.globals or iv.name in self.m.mtypes:
                raise self.error(iv.pos, f"{iv.name!r} declared twice")
            var = self.make_var(decl, iv, "global", self.m.nglobals, scope)
            self.m.declared.append(var)
            for slot_var in var.leaves or [var]:
                self.m.nglobals += slot_var.size
                self.m.globals.append(slot_var)
            self.globals[iv.name] = var

    def declare_proc(self, unit: ast.ProcDef) -> ProcType:
        name = unit.name
        if unit.kind in ("never", "trace", "notrace"):
            if unit.kind != "never" and self.m.trace is not None:
                raise self.error(unit.pos, "only one trace or notrace is supported")
            index = -1
            if not name:                # SPIN numbers the claims it has read so far
                name = f"never_{sum(p.kind == 'never' for p in self.m.properties)}"
        else:
            if unit.kind == "init" and any(p.kind == "init" for p in self.m.proctypes):
                raise self.error(unit.pos, "init declared twice")
            index = len(self.m.proctypes)
        proc = ProcType(name, unit.kind, index, unit.pos, end=unit.end)
        scope = Scope(proc)
        if self.m.has_priority and unit.kind in ("proctype", "init"):
            # the process's priority lives in its first local slot (set when it starts)
            proc.locals.append(Var("_priority", "byte", 8, False, 1, False, "local", 0,
                                   unit.pos))
        for decl in unit.params:
            if not isinstance(decl, ast.VarDecl):
                raise self.error(decl.pos, "only variables can be parameters")
            if decl.type == "struct":
                raise self.error(decl.pos, "a typedef cannot be a parameter type")
            for iv in decl.vars:
                if iv.init is not None or iv.size is not None:
                    raise self.error(iv.pos, "a parameter takes neither an initialiser "
                                     "nor an array size")
                var = self.add_local(scope, decl, iv)
                proc.params.append(var)
        if unit.priority is not None:
            proc.priority = self.priority(unit.priority)
        if unit.provided is not None:
            self.provided(unit.provided, scope)
            proc.provided = unit.provided
        proc.body = self.sequence(unit.body, scope, top=True)
        for goto in scope.gotos:
            if goto.label not in scope.labels:
                raise self.error(goto.pos, f"goto to undefined label {goto.label!r}")
        proc.labels = dict(scope.labels)
        proc.nslots = sum(v.size for v in proc.locals)
        if unit.kind == "never":
            return proc
        if unit.kind in ("trace", "notrace"):
            self.m.trace = proc
            return proc
        self.m.proctypes.append(proc)
        self.ptypes[proc.name] = proc
        count = 1 if unit.kind == "init" else (
            self.const(unit.active, scope) if unit.active is not None else 0)
        if not 0 <= count <= MAX_PROCESSES:
            raise self.error(unit.pos, f"cannot start {count} instances of {unit.name!r}")
        proc.active = count
        self.m.initial.extend([proc] * count)
        return proc

    def priority(self, e: ast.Expr) -> int:
        value = self.const(e, None)
        if not 1 <= value <= 255:
            raise self.error(e.pos, f"priority {value} is out of range (1..255)")
        return value

    def provided(self, e: ast.Expr, scope: Scope) -> None:
        """SPIN's rule for a provided clause: globals, ``_pid`` and channel tests, not
        the proctype's parameters or locals."""
        for node in ast.walk(e):
            if isinstance(node, ast.Name) and node.name in scope.locals:
                raise self.error(node.pos, f"invalid provided clause: {node.name!r} is "
                                 "local to the proctype (only globals and _pid)")
        self.full_expr(e, scope)
        if ast.contains(e, ast.Run):
            raise self.error(e.pos, "'run' in a provided clause")

    # ---- variables ----

    def make_var(self, decl: ast.VarDecl, iv: ast.IVar, scope_name: str, slot: int,
                 scope: Scope) -> Var:
        type_name = decl.type
        if type_name == "struct":
            return self.make_struct_var(self.struct_type(decl), iv, scope_name, slot, scope)
        bits, signed = TYPES[type_name]
        if iv.bits is not None:
            if type_name != "unsigned":
                raise self.error(iv.pos, "a bit width ': N' is only allowed on unsigned")
            bits = self.const(iv.bits, scope)
            if not 1 <= bits <= 32:
                raise self.error(iv.bits.pos, "unsigned width must be 1..32")
        elif type_name == "unsigned":
            raise self.error(iv.pos, "unsigned needs a width: 'unsigned name : N'")
        size = 1
        if iv.size is not None:
            size = self.const(iv.size, scope)
            if not 1 <= size <= 65535:
                raise self.error(iv.size.pos, f"bad array size {size}")
        var = Var(iv.name, type_name, bits, signed, size, iv.size is not None, scope_name,
                  slot, iv.pos, mtype_set=decl.subtype, visibility=decl.visibility)
        init = iv.init
        if isinstance(init, ast.ChanInit):
            if type_name != "chan":
                raise self.error(iv.pos, f"{iv.name!r} is not a chan: it cannot be "
                                 "initialised with a channel")
            var.chan_type = self.chan_type(init, scope)
        elif isinstance(init, list):
            if not var.is_array:
                raise self.error(iv.pos, f"{iv.name!r} is not an array")
            if len(init) > size:
                raise self.error(iv.pos, f"too many initialisers for {iv.name!r}")
            for e in init:
                self.expr(e, scope)
        elif init is not None:
            if type_name == "chan":
                raise self.error(iv.pos, "a chan is initialised with '[n] of { ... }'")
            self.expr(init, scope)
            if ast.contains(init, ast.Run):
                raise self.error(iv.pos, "cannot use 'run' in an initialiser")
        var.init = init
        return var

    def chan_type(self, init: ast.ChanInit, scope: Scope) -> int:
        capacity = self.const(init.capacity, scope)
        if not 0 <= capacity <= 255:
            raise self.error(init.pos, f"bad channel capacity {capacity}")
        fields = []
        for name in init.fields:
            if name == "unsigned":
                raise self.error(init.pos, "unsigned cannot be a message field type")
            if name in self.structs:
                inner = _array_of_structures(self.structs[name])
                if inner is not None:
                    raise self.error(init.pos, f"{name} holds an array of structures "
                                     f"({inner}): it cannot be a message field (SPIN "
                                     "refuses it too)")
                fields += _struct_fields(self.structs[name])
                continue
            if name.startswith("mtype:"):
                name = "mtype"
            bits, signed = TYPES[name]
            fields.append((bits, signed, name))
        self.m.chan_types.append(ChanType(capacity, fields, init.pos))
        return len(self.m.chan_types) - 1

    def add_local(self, scope: Scope, decl: ast.VarDecl, iv: ast.IVar) -> Var:
        proc = scope.proc
        if proc is None or proc.kind not in ("proctype", "init"):
            where = {None: "here", "never": "a never claim"}.get(
                proc.kind if proc else None, "a trace")
            raise self.error(iv.pos, f"cannot declare variables in {where}")
        if iv.name in scope.locals:
            raise self.error(iv.pos, f"{iv.name!r} declared twice in {proc.name}")
        if iv.name in self.m.mtypes:
            raise self.error(iv.pos, f"{iv.name!r} is an mtype name")
        slot = sum(v.size for v in proc.locals)
        var = self.make_var(decl, iv, "local", slot, scope)
        proc.declared.append(var)
        proc.locals.extend(var.leaves or [var])
        scope.locals[iv.name] = var
        return var


def _struct_fields(st: StructType) -> list[tuple[int, bool, str]]:
    """The message fields a structure stands for: its basic fields in order, arrays
    element by element."""
    out = []
    for f in st.fields:
        for _ in range(f.count):
            out += _struct_fields(f.struct) if f.struct is not None else \
                [(f.bits, f.signed, f.type)]
    return out


def _array_of_structures(st: StructType) -> str | None:
    """The name of a field of ``st`` (at any depth) that is an array of structures."""
    for f in st.fields:
        if f.struct is not None:
            if f.is_array:
                return f.name
            inner = _array_of_structures(f.struct)
            if inner is not None:
                return f"{f.name}.{inner}"
    return None


def analyse(program: ast.Program, model: Model, claim: str | None = None) -> Model:
    """Resolve and check ``program`` into ``model`` (created by the caller with its
    file), with property ``claim`` (default: the first) as the one checked."""
    analyser = Analyser(program, model)
    m = analyser.run()
    analyser.choose_property(claim)
    # point every ``run`` at its process type (all of them are known by now)
    by_name = {p.name: p for p in m.proctypes}
    for node in ast.walk([p.body for p in m.proctypes]):
        if isinstance(node, ast.Run):
            node.target = by_name[node.proc]
    return m


def _first_priority(units: list) -> ast.Pos | None:
    """Where the model first uses priorities (a ``priority`` clause, ``get_priority``,
    ``set_priority``), None if it does not."""
    for node in ast.walk(units):
        if isinstance(node, ast.SetPriority | ast.GetPriority):
            return node.pos
        if isinstance(node, ast.ProcDef | ast.Run) and node.priority is not None:
            return node.priority.pos
    return None
