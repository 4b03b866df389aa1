"""Statements and expressions back to Promela text, for counterexamples and step labels."""

from __future__ import annotations

from . import ast

_PREC = {"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7,
         "<=": 7, ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10}

#: SPIN's binding of the binary operators of ltl formulas, between those of _PREC
_TEMPORAL_PREC = {"->": 0.5, "<->": 0.5, "U": 2.5, "W": 2.5, "V": 2.5}


def expr(e: ast.Expr, outer: float = 0) -> str:
    if isinstance(e, ast.Num):
        return str(e.value)
    if isinstance(e, ast.Name):
        text = e.name + (f"[{expr(e.index)}]" if e.index is not None else "")
        for name, index in e.fields:
            text += f".{name}" + (f"[{expr(index)}]" if index is not None else "")
        return text
    if isinstance(e, ast.Checked):
        return expr(e.value, outer)
    if isinstance(e, ast.GetPriority):
        return f"get_priority({expr(e.pid)})"
    if isinstance(e, ast.Unary):
        return f"{e.op}{expr(e.arg, 11)}"
    if isinstance(e, ast.Binary):
        p = _PREC[e.op]
        text = f"{expr(e.left, p)} {e.op} {expr(e.right, p + 1)}"
        return f"({text})" if p < outer else text
    if isinstance(e, ast.Temporal):
        if e.right is None:
            return f"{e.op} {expr(e.left, 11)}"
        text = f"{expr(e.left, 11)} {e.op} {expr(e.right, 11)}"     # operands in ()
        return f"({text})" if _TEMPORAL_PREC[e.op] < outer else text
    if isinstance(e, ast.Cond):
        return f"({expr(e.test)} -> {expr(e.then)} : {expr(e.other)})"
    if isinstance(e, ast.Run):
        prio = f" priority {expr(e.priority)}" if e.priority is not None else ""
        return f"run {e.proc}({', '.join(expr(a) for a in e.args)}){prio}"
    if isinstance(e, ast.ChanLen):
        return f"len({expr(e.chan)})"
    if isinstance(e, ast.ChanTest):
        return f"{e.op}({expr(e.chan)})"
    if isinstance(e, ast.Poll):
        return f"{expr(e.chan)}{'??' if e.random else '?'}[{args(e.args)}]"
    if isinstance(e, ast.Timeout):
        return "timeout"
    if isinstance(e, ast.NonProgress):
        return "np_"
    if isinstance(e, ast.Enabled):
        return f"enabled({expr(e.pid)})"
    if isinstance(e, ast.PcValue):
        return f"pc_value({expr(e.pid)})"
    if isinstance(e, ast.RemoteLabel | ast.RemoteVar):
        pid = f"[{expr(e.pid)}]" if e.pid is not None else ""
        if isinstance(e, ast.RemoteLabel):
            return f"{e.proc}{pid}@{e.label}"
        index = f"[{expr(e.index)}]" if e.index is not None else ""
        return f"{e.proc}{pid}:{e.name}{index}"
    if isinstance(e, ast.Eval):
        return f"eval({expr(e.arg)})"
    return "?"


def args(items: list[ast.Expr]) -> str:
    return ",".join(expr(a) for a in items)


def stmt(s: ast.Stmt) -> str:
    """One basic statement (what a single transition executes)."""
    if isinstance(s, ast.ExprStmt):
        return expr(s.expr)
    if isinstance(s, ast.Assign):
        return f"{expr(s.target)} = {expr(s.value)}"
    if isinstance(s, ast.IncDec):
        return f"{expr(s.target)}{'++' if s.delta > 0 else '--'}"
    if isinstance(s, ast.Send):
        return f"{expr(s.chan)}{'!!' if s.sorted else '!'}{args(s.args)}"
    if isinstance(s, ast.Receive):
        op = "??" if s.random else "?"
        return f"{expr(s.chan)}{op}<{args(s.args)}>" if s.keep else \
            f"{expr(s.chan)}{op}{args(s.args)}"
    if isinstance(s, ast.Assert):
        return f"assert({expr(s.expr)})"
    if isinstance(s, ast.Printf):
        fmt = s.fmt.encode("unicode_escape").decode("ascii")
        return f"printf(\"{fmt}\"{''.join(', ' + expr(a) for a in s.args)})"
    if isinstance(s, ast.Printm):
        return f"printm({expr(s.expr)})"
    if isinstance(s, ast.SetPriority):
        return f"set_priority({expr(s.pid)}, {expr(s.priority)})"
    if isinstance(s, ast.Else):
        return "else"
    if isinstance(s, ast.Nop):
        return ""
    if isinstance(s, ast.Goto):
        return f"goto {s.label}"
    if isinstance(s, ast.Break):
        return "break"
    if isinstance(s, ast.DStep):
        return "d_step { " + "; ".join(_compound(x) for x in s.body) + " }"
    return _compound(s)


def _compound(s: ast.Stmt) -> str:
    if isinstance(s, ast.Labeled):
        return f"{s.label}: {_compound(s.stmt)}"
    if isinstance(s, ast.If | ast.Do):
        kw, end = ("if", "fi") if isinstance(s, ast.If) else ("do", "od")
        opts = " ".join(":: " + "; ".join(_compound(x) for x in o) for o in s.options)
        return f"{kw} {opts} {end}"
    if isinstance(s, ast.Atomic | ast.Block):
        kw = "atomic " if isinstance(s, ast.Atomic) else ""
        return kw + "{ " + "; ".join(_compound(x) for x in s.body) + " }"
    if isinstance(s, ast.Unless):
        return ("{ " + "; ".join(_compound(x) for x in s.body) + " } unless { "
                + "; ".join(_compound(x) for x in s.escape) + " }")
    return stmt(s)
