"""Name resolution, inline expansion and the static checks SPIN makes before verifying.

Input: the syntax tree.  Output: a ``symbols.Model`` whose process bodies have inline
calls expanded, every name resolved to a variable or an mtype constant, and local
declarations split the way SPIN splits them: declarations before the first statement of
a body initialise the variable when the process is created; later ones become an
assignment at that point of the body.

Errors (unknown names, misuse of arrays and channels, wrong argument counts, bad labels,
side effects in a never claim, ...) are ``PromelaError`` at the offending node.
"""

from __future__ import annotations

import dataclasses

from . import ast, ltl
from .errors import PromelaError
from .exprcheck import ExprChecks, Scope
from .symbols import TYPES, ChanType, Model, ProcType, Property, Var
from .unparse import expr as unparse_expr

MAX_PROCESSES = 255


class Analyser(ExprChecks):
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
        formulas = []
        for unit in self.program.units:
            if isinstance(unit, ast.MtypeDecl):
                self.declare_mtypes(unit)
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

    def select(self, name: str | None) -> None:
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
        for name, pos in reversed(decl.names):      # SPIN numbers each list from its end
            if name in self.m.mtypes or name in self.globals:
                raise self.error(pos, f"{name!r} declared twice")
            if len(self.m.mtypes) >= 255:
                raise self.error(pos, "more than 255 mtype names")
            self.m.mtypes[name] = len(self.m.mtypes) + 1

    def declare_globals(self, decl: ast.VarDecl) -> None:
        scope = Scope(None)
        for iv in decl.vars:
            if iv.name in self.globals or iv.name in self.m.mtypes:
                raise self.error(iv.pos, f"{iv.name!r} declared twice")
            var = self.make_var(decl.type, iv, "global", self.m.nglobals, scope)
            self.m.nglobals += var.size
            self.m.globals.append(var)
            self.globals[iv.name] = var

    def declare_proc(self, unit: ast.ProcDef) -> ProcType:
        name = unit.name
        if unit.kind == "never":
            index = -1
            if not name:                # SPIN numbers the claims it has read so far
                name = f"never_{sum(p.kind == 'never' for p in self.m.properties)}"
        else:
            if unit.kind == "init" and any(p.kind == "init" for p in self.m.proctypes):
                raise self.error(unit.pos, "init declared twice")
            index = len(self.m.proctypes)
        proc = ProcType(name, unit.kind, index, unit.pos)
        scope = Scope(proc)
        for decl in unit.params:
            if not isinstance(decl, ast.VarDecl):
                raise self.error(decl.pos, "only variables can be parameters")
            for iv in decl.vars:
                if iv.init is not None or iv.size is not None:
                    raise self.error(iv.pos, "a parameter takes neither an initialiser "
                                     "nor an array size")
                var = self.add_local(scope, decl.type, iv)
                proc.params.append(var)
        proc.body = self.sequence(unit.body, scope, top=True)
        for goto in scope.gotos:
            if goto.label not in scope.labels:
                raise self.error(goto.pos, f"goto to undefined label {goto.label!r}")
        proc.labels = dict(scope.labels)
        proc.nslots = sum(v.size for v in proc.locals)
        if unit.kind == "never":
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

    # ---- variables ----

    def make_var(self, type_name: str, iv: ast.IVar, scope_name: str, slot: int,
                 scope: Scope) -> Var:
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
                  slot, iv.pos)
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
            bits, signed = TYPES[name]
            fields.append((bits, signed, name))
        self.m.chan_types.append(ChanType(capacity, fields, init.pos))
        return len(self.m.chan_types) - 1

    def add_local(self, scope: Scope, type_name: str, iv: ast.IVar) -> Var:
        proc = scope.proc
        if proc is None or proc.kind == "never":
            where = "a never claim" if proc else "here"
            raise self.error(iv.pos, f"cannot declare variables in {where}")
        if iv.name in scope.locals:
            raise self.error(iv.pos, f"{iv.name!r} declared twice in {proc.name}")
        if iv.name in self.m.mtypes:
            raise self.error(iv.pos, f"{iv.name!r} is an mtype name")
        slot = sum(v.size for v in proc.locals)
        var = self.make_var(type_name, iv, "local", slot, scope)
        proc.locals.append(var)
        scope.locals[iv.name] = var
        return var

    # ---- statements ----

    def sequence(self, stmts: list[ast.Stmt], scope: Scope,
                 top: bool = False) -> list[ast.Stmt]:
        out: list[ast.Stmt] = []
        initialising = top
        for i, s in enumerate(stmts):
            if isinstance(s, ast.Else) and i > 0:
                raise self.error(s.pos, "'else' can only be the first statement of an "
                                 "option")
            if isinstance(s, ast.VarDecl):
                out.extend(self.local_decl(s, scope, initialising))
                continue
            if isinstance(s, ast.MtypeDecl):
                raise self.error(s.pos, "mtype declarations must be global")
            initialising = False
            out.append(self.stmt(s, scope))
        return out

    def local_decl(self, decl: ast.VarDecl, scope: Scope,
                   initialising: bool) -> list[ast.Stmt]:
        assigns: list[ast.Stmt] = []
        for iv in decl.vars:
            var = self.add_local(scope, decl.type, iv)
            if initialising:
                scope.proc.created.append(var)
                continue
            if var.chan_type is not None:
                raise self.error(iv.pos, f"put the channel declaration of {iv.name!r} "
                                 "at the start of the body")
            if var.is_array:
                # SPIN sets only the first element here (and refuses a list)
                if isinstance(iv.init, list):
                    raise self.error(iv.pos, "cannot use an array list initializer here: "
                                     "only in declarations at the start of a body "
                                     "(SPIN's rule)")
                value = iv.init if iv.init is not None else ast.Num(iv.pos, 0)
                assigns.append(ast.Assign(iv.pos, _ref(var, iv.pos, 0), value))
            else:
                value = iv.init if iv.init is not None else ast.Num(iv.pos, 0)
                assigns.append(ast.Assign(iv.pos, _ref(var, iv.pos), value))
        return assigns

    def stmt(self, s: ast.Stmt, scope: Scope) -> ast.Stmt:
        claim = scope.proc is not None and scope.proc.kind == "never"
        if isinstance(s, ast.Labeled):
            if s.label in scope.labels:
                raise self.error(s.pos, f"label {s.label!r} defined twice")
            scope.labels[s.label] = s.pos
            return ast.Labeled(s.pos, s.label, self.stmt(s.stmt, scope))
        if isinstance(s, (ast.If, ast.Do)):
            if isinstance(s, ast.Do):
                scope.loops += 1
            options = [self.sequence(opt, scope) for opt in s.options]
            if isinstance(s, ast.Do):
                scope.loops -= 1
            return type(s)(s.pos, options)
        if isinstance(s, (ast.Atomic, ast.DStep, ast.Block)) and s.body and \
                isinstance(s.body[0], ast.Labeled):
            kind = {ast.Atomic: "atomic { ", ast.DStep: "d_step { "}.get(type(s), "{ ")
            raise self.error(s.body[0].pos, f"label {s.body[0].label!r} placed incorrectly: "
                             f"write 'label: {kind}...' instead of '{kind}label: ...'")
        if isinstance(s, (ast.Atomic, ast.DStep)):
            scope.dstep += isinstance(s, ast.DStep)
            body = self.sequence(s.body, scope)
            scope.dstep -= isinstance(s, ast.DStep)
            return type(s)(s.pos, body)
        if isinstance(s, ast.Block):
            return ast.Block(s.pos, self.sequence(s.body, scope))
        if isinstance(s, ast.Break):
            if not scope.loops:
                raise self.error(s.pos, "'break' outside a do loop")
            return s
        if isinstance(s, ast.Goto):
            scope.gotos.append(s)
            return s
        if isinstance(s, ast.Else):
            return s
        if isinstance(s, ast.InlineCall):
            return self.expand_inline(s, scope)
        if claim and isinstance(s, (ast.Send, ast.Receive)):
            raise self.error(s.pos, "a never claim cannot send or receive (SPIN: "
                             "'never claim contains i/o stmnts')")
        if claim and isinstance(s, (ast.Assign, ast.IncDec)):
            raise self.error(s.pos, "a never claim cannot change the state: aioctx "
                             "refuses assignments in a claim (SPIN only warns 'never "
                             "claim has side-effect')")
        if isinstance(s, (ast.Assign, ast.IncDec)):
            self.lvalue(s.target, scope)
            if isinstance(s, ast.Assign):
                self.full_expr(s.value, scope, allow_run=True)
                self.chan_assignment(s)
            elif s.target.sym.type == "chan":
                raise self.error(s.pos, "arithmetic on a chan")
            return s
        if isinstance(s, ast.Send):
            self.chan(s.chan, scope)
            for a in s.args:
                self.expr(a, scope)
            self.check_fields(s.chan, len(s.args), s.pos)
            return s
        if isinstance(s, ast.Receive):
            self.chan(s.chan, scope)
            self.recv_args(s.args, scope)
            self.check_fields(s.chan, len(s.args), s.pos)
            return s
        if isinstance(s, ast.Assert):
            self.no_remote_in_dstep(s.expr, scope)
            self.full_expr(s.expr, scope)
            return s
        if isinstance(s, ast.Printf):
            for a in s.args:
                self.no_remote_in_dstep(a, scope)
                self.expr(a, scope)
            return s
        if isinstance(s, ast.Printm):
            self.no_remote_in_dstep(s.expr, scope)
            self.expr(s.expr, scope)
            return s
        if isinstance(s, ast.ExprStmt):
            if claim and ast.contains(s.expr, ast.Run):
                raise self.error(s.pos, "a never claim cannot start processes")
            self.no_remote_in_dstep(s.expr, scope)
            self.full_expr(s.expr, scope, allow_run=True)
            return s
        raise self.error(s.pos, f"unexpected {type(s).__name__}")

    def expand_inline(self, call: ast.InlineCall, scope: Scope) -> ast.Stmt:
        d = self.inlines.get(call.name)
        if d is None:
            raise self.error(call.pos, f"{call.name!r} is not an inline")
        if call.name in scope.inlines:
            raise self.error(call.pos, f"inline {call.name!r} calls itself")
        if len(call.args) != len(d.params):
            raise self.error(call.pos, f"inline {call.name!r} takes {len(d.params)} "
                             f"argument(s), not {len(call.args)}")
        if d.body and isinstance(d.body[0], ast.Labeled):
            raise self.error(d.body[0].pos, f"label {d.body[0].label!r} placed incorrectly: "
                             f"the body of inline {d.name!r} cannot start with a label")
        body = _substitute(d.body, dict(zip(d.params, call.args, strict=True)), self, call)
        scope.inlines.append(call.name)
        try:
            return ast.Block(call.pos, self.sequence(body, scope))
        finally:
            scope.inlines.pop()

def _ref(var: Var, pos: ast.Pos, index: int | None = None) -> ast.Name:
    n = ast.Name(pos, var.name, ast.Num(pos, index) if index is not None else None)
    n.sym = var
    return n


def _substitute(node, params: dict[str, ast.Expr], an: Analyser, call: ast.InlineCall):
    """A fresh copy of an inline body with each parameter replaced by its argument."""
    if isinstance(node, list):
        return [_substitute(x, params, an, call) for x in node]
    if isinstance(node, ast.Name) and node.name in params:
        arg = params[node.name]
        index = _substitute(node.index, params, an, call)
        if index is None:
            return _substitute(arg, {}, an, call)
        if isinstance(arg, ast.Name) and arg.index is None:
            return ast.Name(node.pos, arg.name, index)
        raise an.error(call.pos, f"argument for {node.name!r} of inline {call.name!r} "
                       "must be a plain variable name (it is indexed in the body)")
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    values = {f.name: _substitute(getattr(node, f.name), params, an, call)
              for f in dataclasses.fields(node)}
    _refuse_unassignable(node, values, an, call)
    if "via" in values:             # SPIN lexes an inline body where it is called
        values["via"] = values["via"] or call.via or call.pos
    return type(node)(**values)


def _refuse_unassignable(node, values: dict, an: Analyser, call: ast.InlineCall) -> None:
    """A parameter that stands where the body needs a variable (assigned, incremented,
    a channel) must get a variable: ``inline set(v) { v = 1 }`` called as ``set(5)`` is
    a syntax error in SPIN, which pastes ``5 = 1`` into the body."""
    for f in dataclasses.fields(node):
        was, now = getattr(node, f.name), values[f.name]
        if f.type == "Name" and isinstance(was, ast.Name) and not isinstance(now, ast.Name):
            raise an.error(was.pos, f"inline {call.name!r} (called at "
                           f"{an.m.where(call.pos)}) needs a variable for {was.name!r}, "
                           f"not {unparse_expr(now)}")


def analyse(program: ast.Program, model: Model, claim: str | None = None) -> Model:
    """Resolve and check ``program`` into ``model`` (created by the caller with its
    file), with property ``claim`` (default: the first) as the one checked."""
    analyser = Analyser(program, model)
    m = analyser.run()
    analyser.select(claim)
    # point every ``run`` at its process type (all of them are known by now)
    by_name = {p.name: p for p in m.proctypes}
    for node in ast.walk([p.body for p in m.proctypes]):
        if isinstance(node, ast.Run):
            node.target = by_name[node.proc]
    return m
