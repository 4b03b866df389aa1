"""Checks of names and expressions: what a name refers to, channel and array use,
``run`` arguments, constant expressions (array sizes, capacities, ``active [N]``).

``ExprChecks`` is the half of the semantic pass (semantics.py) that works inside
statements; it resolves every ``Name`` in place (``sym`` or ``const``) and raises
``PromelaError`` at the first problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .errors import PromelaError
from .runtime import cdiv, cmod
from .structs import StructChecks
from .symbols import ProcType, Var
from .unparse import expr as unparse_expr

if TYPE_CHECKING:
    from .symbols import Model

#: predefined read-only names
SPECIAL = ("_pid", "_nr_pr", "_last")


class Scope:
    """Where names are looked up while one body is being resolved."""

    def __init__(self, proc: ProcType | None) -> None:
        self.proc = proc
        self.locals: dict[str, Var] = {}
        self.labels: dict[str, ast.Pos] = {}
        self.gotos: list[ast.Goto] = []
        self.loops = 0
        self.inlines: list[str] = []        # inline expansions in progress (recursion)
        self.dstep = 0


class ExprChecks(StructChecks):
    """Name resolution and expression checks, for ``semantics.Analyser``."""

    m: Model
    globals: dict[str, Var]
    procs: dict[str, ast.ProcDef]
    ptypes: dict[str, ProcType]
    remotes: list[ast.RemoteLabel | ast.RemoteVar]   # checked once every body is known
    enabled_at: ast.Pos | None                      # the first use of enabled()

    def error(self, pos: ast.Pos, message: str) -> PromelaError:
        return PromelaError(self.m.where(pos), message)

    def recv_args(self, args: list[ast.Expr], scope: Scope) -> None:
        for a in args:
            if isinstance(a, ast.Name):
                if a.name == "_":
                    continue
                self.resolve(a, scope)
                if a.const is None:
                    self.lvalue(a, scope)
            elif isinstance(a, ast.Eval):
                self.expr(a.arg, scope)
            elif not isinstance(a, ast.Num):
                raise self.error(a.pos, "a receive takes variables, constants or eval()")

    def check_fields(self, chan: ast.Name, count: int, pos: ast.Pos) -> None:
        ctype = chan.sym.chan_type
        if ctype is not None:
            want = len(self.m.chan_types[ctype].fields)
            if want != count:
                raise self.error(pos, f"channel {chan.name!r} carries {want} field(s), "
                                 f"not {count}")

    # ---- expressions ----

    def lookup(self, name: str, scope: Scope) -> Var | None:
        """The variable ``name`` means in ``scope`` (a local hides a global)."""
        var = scope.locals.get(name) if scope is not None else None
        return var if var is not None else self.globals.get(name)

    def struct_fields(self, n: ast.Name, scope: Scope) -> list[ast.Name] | None:
        """For a reference into a typedef variable, the basic fields it stands for (one
        for a field, all of them for a whole structure); None for anything else."""
        var = self.lookup(n.name, scope)
        if var is None or var.struct is None:
            return None
        return self.resolve_fields(n, var, scope, whole_ok=True) or [n]

    def array_length(self, n: ast.Name, scope: Scope) -> int | None:
        """The number of elements of the array ``n`` names (without an index on its
        last level: ``a``, ``s[1].field``), None if ``n`` is no array."""
        var = self.lookup(n.name, scope)
        if var is None:
            self.resolve(n, scope)          # reports the unknown name
            return None
        if var.struct is not None:
            return self.field_array_length(n, var, scope)
        if n.fields or n.index is not None or not var.is_array:
            return None
        return var.size

    def resolve(self, n: ast.Name, scope: Scope) -> None:
        var = self.lookup(n.name, scope)
        if var is not None and var.struct is not None:
            self.resolve_fields(n, var, scope)
            return
        if n.fields:
            raise self.error(n.pos, f"{n.name!r} is not a structure: it has no field "
                             f"{n.fields[0][0]!r}")
        if var is not None:
            n.sym = var
        elif n.name in self.m.mtypes:
            n.const = self.m.mtypes[n.name]
        elif n.name in SPECIAL:
            if scope.proc is None:
                raise self.error(n.pos, f"{n.name} can only be used inside a process")
            n.sym = n.name
            self.m.has_last = self.m.has_last or n.name == "_last"
        elif n.name == "_":
            raise self.error(n.pos, "'_' can only be written to (in a receive)")
        else:
            raise self.error(n.pos, f"undeclared variable {n.name!r}")
        if isinstance(n.sym, Var):
            if n.index is not None:
                if not n.sym.is_array:
                    raise self.error(n.pos, f"{n.name!r} is not an array")
                self.expr(n.index, scope)
            elif n.sym.is_array:
                raise self.error(n.pos, f"{n.name!r} is an array: give an index")
        elif n.index is not None:
            raise self.error(n.pos, f"{n.name!r} is not an array")

    def lvalue(self, n: ast.Name, scope: Scope) -> None:
        if n.name == "_":
            return
        self.resolve(n, scope)
        if not isinstance(n.sym, Var):
            raise self.error(n.pos, f"cannot assign to {n.name!r}")

    def chan(self, n: ast.Name, scope: Scope) -> None:
        self.resolve(n, scope)
        if not isinstance(n.sym, Var) or n.sym.type != "chan":
            raise self.error(n.pos, f"{n.name!r} is not a chan")

    def full_expr(self, e: ast.Expr, scope: Scope, allow_run: bool = False) -> None:
        """An expression that may use channel probes (full, empty...) joined by && / ||."""
        if isinstance(e, ast.Binary) and e.op in ("&&", "||"):
            self.full_expr(e.left, scope)
            self.full_expr(e.right, scope)
        elif isinstance(e, ast.ChanTest):
            self.chan(e.chan, scope)
        else:
            self.expr(e, scope, allow_run)

    def expr(self, e: ast.Expr, scope: Scope, allow_run: bool = False) -> None:
        if isinstance(e, ast.Num | ast.Timeout):
            return
        if isinstance(e, ast.NonProgress):
            if scope.proc is None or scope.proc.kind != "never":
                raise self.error(e.pos, "np_ can only be used in a never claim (SPIN's "
                                 "rule)")
            return
        if isinstance(e, ast.Checked):
            self.expr(e.value, scope)
            return
        if isinstance(e, ast.GetPriority):
            if scope is None or scope.proc is None:
                raise self.error(e.pos, "get_priority() can only be used inside a process")
            self.expr(e.pid, scope)
            return
        if isinstance(e, ast.Enabled | ast.PcValue):
            if isinstance(e, ast.Enabled) and self.enabled_at is None:
                self.enabled_at = e.pos
            if scope.proc is None:
                raise self.error(e.pos, f"{unparse_expr(e)} can only be used inside a "
                                 "process or a never claim")
            self.expr(e.pid, scope)
            return
        if isinstance(e, ast.Name):
            self.resolve(e, scope)
        elif isinstance(e, ast.Unary):
            self.expr(e.arg, scope)
        elif isinstance(e, ast.Binary):
            self.expr(e.left, scope)
            self.expr(e.right, scope)
        elif isinstance(e, ast.Cond):
            for x in (e.test, e.then, e.other):
                self.expr(x, scope)
        elif isinstance(e, ast.Run):
            self.run_expr(e, scope, allow_run)
        elif isinstance(e, ast.ChanLen):
            self.chan(e.chan, scope)
        elif isinstance(e, ast.ChanTest):
            raise self.error(e.pos, f"{e.op}() can only be combined with && and ||, "
                             "not used inside other expressions (SPIN's rule)")
        elif isinstance(e, ast.Poll):
            self.chan(e.chan, scope)
            self.recv_args(e.args, scope)
            self.check_fields(e.chan, len(e.args), e.pos)
        elif isinstance(e, ast.RemoteLabel | ast.RemoteVar):
            if scope.dstep and isinstance(e, ast.RemoteLabel):
                raise self.error(e.pos, f"remote reference {unparse_expr(e)} inside a "
                                 "d_step (SPIN refuses it)")
            if e.pid is not None:
                self.expr(e.pid, scope)
            if isinstance(e, ast.RemoteVar) and e.index is not None:
                self.expr(e.index, scope)
            self.remotes.append(e)
        else:
            raise self.error(e.pos, f"unexpected {type(e).__name__} in an expression")

    def remote(self, e: ast.RemoteLabel | ast.RemoteVar, ordered: bool = True) -> None:
        """Resolve a remote reference (once all process types and their labels and
        locals are known, as the reference may come before the proctype); ``ordered``:
        SPIN needs the proctype declared first (not in ltl formulas: it reads their
        claims after the model)."""
        proc = self.ptypes.get(e.proc)
        if proc is None or proc.kind != "proctype":
            raise self.error(e.pos, f"{e.proc!r} is not a proctype (in the remote "
                             f"reference {unparse_expr(e)})")
        if ordered and (e.via or e.pos) < self.procs[e.proc].pos:
            raise self.error(e.pos, f"remote reference {unparse_expr(e)} before the "
                             f"declaration of proctype {e.proc!r} (SPIN needs it first)")
        e.target = proc
        if isinstance(e, ast.RemoteLabel):
            if e.label not in proc.labels:
                raise self.error(e.pos, f"proctype {e.proc!r} has no label {e.label!r}")
            return
        var = next((v for v in proc.locals if v.name == e.name), None)
        if var is None:
            raise self.error(e.pos, f"proctype {e.proc!r} has no local variable {e.name!r}")
        if var.is_array and e.index is None:
            raise self.error(e.pos, f"{e.proc}:{e.name} is an array: give an index")
        if not var.is_array and e.index is not None:
            raise self.error(e.pos, f"{e.proc}:{e.name} is not an array")
        e.sym = var

    def chan_assignment(self, s: ast.Assign) -> None:
        """SPIN's two checks of channel names in an assignment: a chan is not assigned a
        constant (``c = 3``), and in the assigned value a chan name is no operand of an
        operator (``b = c + c``).  ``i = c``, ``c = i`` and ``c = d`` are legal."""
        v = s.value
        if s.target.sym is not None and s.target.sym.type == "chan" and (
                isinstance(v, ast.Num) or isinstance(v, ast.Name) and v.const is not None):
            raise self.error(v.pos, f"invalid assignment to chan {s.target.name!r}: a "
                             "constant is not a channel")
        self.chan_operands(v)

    def chan_operands(self, e: ast.Expr | None, op: str | None = None) -> None:
        if isinstance(e, ast.Name):
            if op is not None and isinstance(e.sym, Var) and e.sym.type == "chan":
                raise self.error(e.pos, f"invalid use of chan name {e.name!r}: a chan "
                                 f"cannot be an operand of {op}")
            self.chan_operands(e.index)
        elif isinstance(e, ast.Unary):
            self.chan_operands(e.arg, f"'{e.op}'")
        elif isinstance(e, ast.Binary):
            self.chan_operands(e.left, f"'{e.op}'")
            self.chan_operands(e.right, f"'{e.op}'")
        elif isinstance(e, ast.Cond):
            for x in (e.test, e.then, e.other):
                self.chan_operands(x, "a conditional expression")

    def no_remote_in_dstep(self, e: ast.Expr, scope: Scope) -> None:
        """SPIN refuses a remote reference in a condition (an expression statement, a
        guard, assert, printf) inside a d_step; in an assigned value it is allowed."""
        if scope.dstep:
            for node in ast.walk(e):
                if isinstance(node, ast.RemoteVar | ast.RemoteLabel):
                    raise self.error(node.pos, f"remote reference {unparse_expr(node)} "
                                     "in a condition inside a d_step (SPIN refuses it)")

    def run_expr(self, e: ast.Run, scope: Scope, allow_run: bool) -> None:
        if not allow_run:
            raise self.error(e.pos, "'run' can only be a statement or the value of an "
                             "assignment")
        if scope.proc is None or scope.proc.kind == "never":
            raise self.error(e.pos, "'run' can only be used inside a process")
        d = self.procs.get(e.proc)
        if d is None:
            raise self.error(e.pos, f"{e.proc!r} is not a proctype")
        nparams = sum(len(p.vars) for p in d.params if isinstance(p, ast.VarDecl))
        if len(e.args) != nparams:
            raise self.error(e.pos, f"proctype {e.proc!r} takes {nparams} argument(s), "
                             f"not {len(e.args)}")
        for a in e.args:
            self.expr(a, scope)
        if e.priority is not None:
            e.priority = ast.Num(e.priority.pos, self.priority(e.priority))
        e.target = e.proc      # the ProcType itself once all are known (analyse)

    def const(self, e: ast.Expr, scope: Scope) -> int:
        """Value of a constant expression (numbers, mtype names, operators)."""
        if isinstance(e, ast.Num):
            return e.value
        if isinstance(e, ast.Name) and e.index is None:
            if e.name in self.m.mtypes:
                return self.m.mtypes[e.name]
            var = self.globals.get(e.name)
            if var is not None and isinstance(var.init, ast.Num) and not var.is_array:
                return var.init.value
        if isinstance(e, ast.Unary):
            v = self.const(e.arg, scope)
            return {"-": -v, "~": ~v, "!": int(not v)}[e.op]
        if isinstance(e, ast.Binary) and e.op in _CONST_OPS:
            a, b = self.const(e.left, scope), self.const(e.right, scope)
            if e.op in ("/", "%") and b == 0:
                raise self.error(e.pos, "division by zero")
            return int(_CONST_OPS[e.op](a, b))
        raise self.error(e.pos, "a constant is needed here")


_CONST_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": cdiv, "%": cmod,
    "<<": lambda a, b: a << b, ">>": lambda a, b: a >> b,
    "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
}
