"""Statements in the semantic pass: checks, inline expansion, and SPIN's rewritings.

``StmtChecks`` is the half of the semantic pass (semantics.py) that walks process
bodies.  Besides checking each statement it rewrites the constructs SPIN itself
rewrites, in the same shape, so that the flow builder and SPIN's state numbers
(numbering.py) see what SPIN sees:

* ``for (i : lo .. hi) { body }`` is ``i = lo; do :: i <= hi -> body; i++ :: else ->
  break od``; ``for (i in a) { body }`` the same over ``0 .. len(a) - 1``;
* ``select (i : lo .. hi)`` is ``i = lo; do :: i < hi -> i++ :: break od``, and with
  constant bounds ``if :: i = lo :: ... :: i = hi fi``;
* local declarations after the first statement become assignments at that point (an
  array sets only its first element; a structure is a step that does nothing, its
  fields being set when the process starts), and structures in sends and receives
  become their fields (structs.py).
"""

from __future__ import annotations

import dataclasses

from . import ast
from .exprcheck import ExprChecks, Scope
from .symbols import Var
from .unparse import expr as unparse_expr


class StmtChecks(ExprChecks):
    """Statement checks and rewritings for ``semantics.Analyser``."""

    inlines: dict[str, ast.InlineDef]

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
            if isinstance(s, ast.XuDecl):
                self.xu_decl(s, scope)
                continue
            if isinstance(s, ast.MtypeDecl):
                raise self.error(s.pos, "mtype declarations must be global")
            initialising = False
            out.extend(self.stmt_list(s, scope))
        return out

    def local_decl(self, decl: ast.VarDecl, scope: Scope,
                   initialising: bool) -> list[ast.Stmt]:
        assigns: list[ast.Stmt] = []
        if decl.visibility == "hidden":
            raise self.error(decl.pos, "only global variables can be hidden (SPIN's rule)")
        for iv in decl.vars:
            var = self.add_local(scope, decl, iv)
            if var.struct is not None:
                scope.proc.created.extend(var.leaves)   # set when the process starts
                if not initialising:
                    assigns.append(ast.Nop(iv.pos))    # SPIN's empty step
                continue
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

    def xu_decl(self, s: ast.XuDecl, scope: Scope) -> None:
        if scope.proc is None or scope.proc.kind not in ("proctype", "init"):
            raise self.error(s.pos, f"{s.kind} can only be declared in a proctype")
        for c in s.chans:
            self.chan(c, scope)
            scope.proc.xu.append((s.kind, c))

    def stmt_list(self, s: ast.Stmt, scope: Scope) -> list[ast.Stmt]:
        """``s`` checked, as the statements it stands for (a ``for`` is two: a label on
        it labels the loop, as in SPIN)."""
        if isinstance(s, ast.Labeled):
            if s.label in scope.labels:
                raise self.error(s.pos, f"label {s.label!r} defined twice")
            scope.labels[s.label] = s.pos
            inner = self.stmt_list(s.stmt, scope)
            return inner[:-1] + [ast.Labeled(s.pos, s.label, inner[-1])]
        if isinstance(s, ast.For):
            return self.for_loop(s, scope)
        if isinstance(s, ast.Select):
            return self.select_range(s, scope)
        return [self.stmt(s, scope)]

    def stmt(self, s: ast.Stmt, scope: Scope) -> ast.Stmt:
        claim = scope.proc is not None and scope.proc.kind == "never"
        if scope.proc is not None and scope.proc.kind in ("trace", "notrace") and \
                not isinstance(s, _EVENTS):
            raise self.error(s.pos, f"not an event: a {scope.proc.kind} holds sends and "
                             "receives (and if, do, goto and break around them)")
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
        if isinstance(s, ast.Unless):
            return ast.Unless(s.pos, self.sequence(s.body, scope),
                              self.sequence(s.escape, scope))
        if isinstance(s, ast.Break):
            if not scope.loops:
                raise self.error(s.pos, "'break' outside a do loop")
            return s
        if isinstance(s, ast.Goto):
            scope.gotos.append(s)
            return s
        if isinstance(s, ast.Else | ast.Nop):
            return s
        if isinstance(s, ast.InlineCall):
            return self.expand_inline(s, scope)
        if claim and isinstance(s, (ast.Send, ast.Receive)):
            raise self.error(s.pos, "a never claim cannot send or receive (SPIN: "
                             "'never claim contains i/o stmnts')")
        if claim and isinstance(s, (ast.Assign, ast.IncDec, ast.SetPriority)):
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
            s.args = self.message(s.args, scope, receive=False)
            self.check_fields(s.chan, len(s.args), s.pos)
            return s
        if isinstance(s, ast.Receive):
            self.chan(s.chan, scope)
            s.args = self.message(s.args, scope, receive=True)
            self.check_fields(s.chan, len(s.args), s.pos)
            return s
        if isinstance(s, ast.SetPriority):
            self.expr(s.pid, scope)
            self.expr(s.priority, scope)
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

    # ---- SPIN's rewritings ----

    def loop_var(self, var: ast.Name, what: str, scope: Scope) -> None:
        self.lvalue(var, scope)
        if var.index is not None or var.fields or var.sym.type in ("chan", "struct"):
            raise self.error(var.pos, f"bad index in {what}: {var.name!r} must be a plain "
                             "variable, not a chan, a structure or an array element")

    def for_loop(self, s: ast.For, scope: Scope) -> list[ast.Stmt]:
        self.loop_var(s.var, "for", scope)
        if s.array is not None:
            length = self.array_length(s.array, scope)
            if length is None:
                raise self.error(s.array.pos, f"for ( {s.var.name} in {s.array.name} ): "
                                 f"{s.array.name!r} is not an array (a for over a channel "
                                 "is not supported)")
            lo: ast.Expr = ast.Num(s.pos, 0)
            hi: ast.Expr = ast.Num(s.pos, length - 1)
        else:
            lo, hi = s.lo, s.hi
            self.expr(lo, scope)
            self.expr(hi, scope)
            if isinstance(lo, ast.Num) and isinstance(hi, ast.Num) and lo.value > hi.value:
                raise self.error(s.pos, f"start value for {s.var.name} exceeds end-value "
                                 "(SPIN's rule)")
        var = s.var
        start = ast.Assign(s.pos, var, lo)
        test = ast.ExprStmt(s.pos, ast.Binary(s.pos, "<=", var, hi))
        scope.loops += 1
        body = self.sequence(s.body, scope)
        scope.loops -= 1
        step = ast.Assign(s.pos, var, ast.Binary(s.pos, "+", var, ast.Num(s.pos, 1)))
        loop = ast.Do(s.pos, [[test, *body, step], [ast.Else(s.pos), ast.Break(s.pos)]])
        return [start, loop]

    def select_range(self, s: ast.Select, scope: Scope) -> list[ast.Stmt]:
        self.loop_var(s.var, "select", scope)
        self.expr(s.lo, scope)
        self.expr(s.hi, scope)
        if isinstance(s.lo, ast.Num) and isinstance(s.hi, ast.Num) and \
                s.lo.value > s.hi.value:
            raise self.error(s.pos, f"start value for {s.var.name} exceeds end-value "
                             "(SPIN's rule)")
        var = s.var
        if isinstance(s.lo, ast.Num) and isinstance(s.hi, ast.Num):
            # SPIN's lexer writes a constant range out as one option per value
            return [ast.If(s.pos, [[ast.Assign(s.pos, var, ast.Num(s.pos, k))]
                                   for k in range(s.lo.value, s.hi.value + 1)])]
        start = ast.Assign(s.pos, var, s.lo)
        more = ast.ExprStmt(s.pos, ast.Binary(s.pos, "<", var, s.hi))
        step = ast.Assign(s.pos, var, ast.Binary(s.pos, "+", var, ast.Num(s.pos, 1)))
        return [start, ast.Do(s.pos, [[more, step], [ast.Break(s.pos)]])]

    def message(self, args: list[ast.Expr], scope: Scope, receive: bool) -> list[ast.Expr]:
        """The fields of a send or receive, structures replaced by their fields."""
        out: list[ast.Expr] = []
        event = scope.proc is not None and scope.proc.kind in ("trace", "notrace")
        for a in args:
            if event and isinstance(a, ast.Name) and a.name == "_":
                out.append(a)           # a trace matches any value there
                continue
            if isinstance(a, ast.Name) and a.name != "_":
                fields = self.struct_fields(a, scope)
                if fields is not None:
                    out.extend(fields)
                    continue
            if receive:
                self.recv_args([a], scope)
            else:
                self.expr(a, scope)
            out.append(a)
        return out

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


#: what a trace may hold
_EVENTS = (ast.Send, ast.Receive, ast.If, ast.Do, ast.Goto, ast.Break, ast.Else)


def _ref(var: Var, pos: ast.Pos, index: int | None = None) -> ast.Name:
    n = ast.Name(pos, var.name, ast.Num(pos, index) if index is not None else None)
    n.sym = var
    return n


def _substitute(node, params: dict[str, ast.Expr], an: StmtChecks, call: ast.InlineCall):
    """A fresh copy of an inline body with each parameter replaced by its argument."""
    if isinstance(node, list):
        return [_substitute(x, params, an, call) for x in node]
    if isinstance(node, tuple):
        return tuple(_substitute(x, params, an, call) for x in node)
    if isinstance(node, ast.Name) and node.name in params:
        arg = params[node.name]
        index = _substitute(node.index, params, an, call)
        fields = _substitute(node.fields, params, an, call)
        if index is None and not fields:
            return _substitute(arg, {}, an, call)
        if isinstance(arg, ast.Name) and (index is None or arg.index is None and
                                          not arg.fields):
            arg = _substitute(arg, {}, an, call)
            return ast.Name(node.pos, arg.name, index if index is not None else arg.index,
                            fields=arg.fields + fields)
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


def _refuse_unassignable(node, values: dict, an: StmtChecks, call: ast.InlineCall) -> None:
    """A parameter that stands where the body needs a variable (assigned, incremented,
    a channel) must get a variable: ``inline set(v) { v = 1 }`` called as ``set(5)`` is
    a syntax error in SPIN, which pastes ``5 = 1`` into the body."""
    for f in dataclasses.fields(node):
        was, now = getattr(node, f.name), values[f.name]
        if f.type == "Name" and isinstance(was, ast.Name) and not isinstance(now, ast.Name):
            raise an.error(was.pos, f"inline {call.name!r} (called at "
                           f"{an.m.where(call.pos)}) needs a variable for {was.name!r}, "
                           f"not {unparse_expr(now)}")

