"""Promela text -> syntax tree, with SPIN's lexical rules and line:column errors.

The grammar (promela.lark) is compiled once by lark into an LALR(1) table and cached
on disk, so later runs load it in milliseconds.  Tree building happens inside the
parser (lark's inline transformer), so no intermediate parse tree is made.

Between lark's lexer and the parser runs postlex.py, SPIN's lexical rules that a
grammar cannot state (implied statement separators, names retyped by what they
declare).
"""

from __future__ import annotations

import os
import re
import tempfile

from . import ast
from .errors import LineMap, PromelaError
from .postlex import Separators

_GRAMMAR = os.path.join(os.path.dirname(__file__), "promela.lark")

#: constructs of SPIN's Promela that aioctx refuses, with the reason given to the user
UNSUPPORTED = {
    **{kw: f"embedded C code ({kw}) is not supported: aioctx never compiles or runs C "
           "from a model" for kw in ("c_code", "c_expr", "c_decl", "c_state", "c_track")},
    "d_proctype": "'d_proctype' (a proctype that runs as one d_step) is not supported",
    "return": "'return' (an inline that returns a value) is not supported",
}

_WORDS = re.compile(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*|[A-Za-z_]\w*|/\*', re.S)

def _pos(tok) -> ast.Pos:
    return (tok.line, tok.column)


def _tokens(children, kinds=("SEMI", "ARROW", "LBRACE", "RBRACE")):
    from lark import Token
    return [c for c in children if not (isinstance(c, Token) and c.type in kinds)]


class _Builder:
    """Inline transformer: builds ``ast`` nodes while lark reduces."""

    # The methods are looked up by rule name; lark calls them with the children list.

    def start(self, c):
        return ast.Program(_tokens(c))

    def proctype(self, c):
        active, kw, name, params, priority, provided, (body, end) = c
        return ast.ProcDef(_pos(kw), str(name), "proctype", active,
                           params or [], body, priority, provided, end)

    def priority(self, c):
        return c[1]

    def provided(self, c):
        return c[1]

    def active(self, c):
        kw, count = c
        return count if count is not None else ast.Num(_pos(kw), 1)

    def params(self, c):
        return _tokens(c)

    def init(self, c):
        kw, priority, (body, end) = c
        return ast.ProcDef(_pos(kw), ":init:", "init", None, [], body, priority, end=end)

    def trace(self, c):
        kw, (body, end) = c
        kind = "trace" if kw.type == "TRACE" else "notrace"
        return ast.ProcDef(_pos(kw), f":{kind}:", kind, None, [], body, end=end)

    def typedef(self, c):
        kw, name, *decls = _tokens(c)
        return ast.TypeDef(_pos(kw), str(name), decls)

    def never(self, c):
        kw, name, (body, end) = c
        # an unnamed claim is named when the semantic pass counts the claims
        return ast.ProcDef(_pos(kw), str(name) if name else "", "never", None, [], body,
                           end=end)

    def ltl(self, c):
        kw, name, *rest = _tokens(c, ("SEMI", "LBRACE", "RBRACE"))
        return ast.LtlDef(_pos(kw), str(name) if name is not None else None, rest[0])

    def inline_def(self, c):
        kw, name, *names, (body, _end) = c
        return ast.InlineDef(_pos(kw), str(name), [str(n) for n in names if n is not None],
                             body)

    def body(self, c):
        """The statements, and where the closing brace is (the end state's line)."""
        return _tokens(c)[0], _pos(c[-1])

    def sequence(self, c):
        return _tokens(c)

    # declarations
    def var_decl(self, c):
        vis, kw, *ivars = c
        return ast.VarDecl(_pos(vis or kw), str(kw), ivars, _str(vis))

    def mtype_var_decl(self, c):
        vis, kw, subset, *ivars = c
        return ast.VarDecl(_pos(vis or kw), "mtype", ivars, _str(vis), _str(subset))

    def struct_var_decl(self, c):
        vis, kw, *ivars = c
        return ast.VarDecl(_pos(vis or kw), "struct", ivars, _str(vis), str(kw))

    def mtype_decl(self, c):
        kw, subset, *names = c
        return ast.MtypeDecl(_pos(kw), [(str(t), _pos(t)) for t in _tokens(names)],
                             _str(subset))

    def xu_decl(self, c):
        kw, *chans = c
        return ast.XuDecl(_pos(kw), str(kw), chans)

    def ivar(self, c):
        name, size, bits, init = c
        return ast.IVar(_pos(name), str(name), size, bits, init)

    def chan_init(self, c):
        cap, of, *fields = c
        return ast.ChanInit(_pos(of), cap, [str(f) for f in fields])

    def array_init(self, c):
        return list(c)

    def chan_field(self, c):
        if len(c) == 2 and c[1] is not None:        # mtype:set
            return f"mtype:{c[1]}"
        return str(c[0])

    # statements
    def labeled(self, c):
        name, stmt = c
        return ast.Labeled(_pos(name), str(name), stmt)

    def if_stmt(self, c):
        return ast.If(_pos(c[0]), c[1:-1])

    def do_stmt(self, c):
        return ast.Do(_pos(c[0]), c[1:-1])

    def option(self, c):
        return c[1]

    def atomic_stmt(self, c):
        return ast.Atomic(_pos(c[0]), _tokens(c[1:])[0])

    def d_step_stmt(self, c):
        return ast.DStep(_pos(c[0]), _tokens(c[1:])[0])

    def block(self, c):
        return ast.Block(_pos(c[0]), _tokens(c)[0])

    def else_stmt(self, c):
        return ast.Else(_pos(c[0]))

    def break_stmt(self, c):
        return ast.Break(_pos(c[0]))

    def goto_stmt(self, c):
        return ast.Goto(_pos(c[0]), str(c[1]))

    def assign(self, c):
        return ast.Assign(c[0].pos, c[0], c[2])

    def incr(self, c):
        return ast.IncDec(c[0].pos, c[0], 1)

    def decr(self, c):
        return ast.IncDec(c[0].pos, c[0], -1)

    def send(self, c):
        return ast.Send(c[0].pos, c[0], c[2], c[1].type == "BANGBANG")

    def receive(self, c):
        return ast.Receive(c[0].pos, c[0], c[2], c[1].type == "QQ")

    def receive_poll(self, c):
        return ast.Receive(c[0].pos, c[0], c[3], c[1].type == "QQ", keep=True)

    def assert_stmt(self, c):
        return ast.Assert(_pos(c[0]), c[1])

    def printf_stmt(self, c):
        kw, fmt, *args = c
        return ast.Printf(_pos(kw), _unquote(str(fmt)), args)

    def printm_stmt(self, c):
        return ast.Printm(_pos(c[0]), c[1])

    def inline_call(self, c):
        name, *args = c
        return ast.InlineCall(_pos(name), str(name), [a for a in args if a is not None])

    def expr_stmt(self, c):
        return ast.ExprStmt(c[0].pos, c[0])

    def for_range(self, c):
        kw, var, lo, _dots, hi, *rest = _tokens(c, ("SEMI", "LBRACE", "RBRACE"))
        return ast.For(_pos(kw), var, lo, hi, rest[-1])

    def for_in(self, c):
        kw, var, _in, array, *rest = _tokens(c, ("SEMI", "LBRACE", "RBRACE"))
        return ast.For(_pos(kw), var, None, None, rest[-1], array)

    def select_stmt(self, c):
        kw, var, lo, _dots, hi = c
        return ast.Select(_pos(kw), var, lo, hi)

    def set_priority(self, c):
        kw, pid, priority = c
        return ast.SetPriority(_pos(kw), pid, priority)

    def unless(self, c):
        main, kw, escape = c
        return ast.Unless(main.pos, _unless_part(main), _unless_part(escape))

    # message arguments
    def send_args(self, c):
        return list(c)

    def send_args_typed(self, c):
        return list(c)

    def recv_args(self, c):
        return _flatten(c)

    def recv_args_typed(self, c):
        return _flatten(c)

    def recv_args_paren(self, c):
        return _flatten(c)

    def eval_arg(self, c):
        return ast.Eval(_pos(c[0]), c[1])

    def neg_number(self, c):
        return ast.Num(_pos(c[0]), -int(c[1]))

    # expressions
    def number(self, c):
        return ast.Num(_pos(c[0]), int(c[0]))

    def char(self, c):
        text = str(c[0])[1:-1]
        value = ord(_unquote('"' + text + '"')) if text else 0
        return ast.Num(_pos(c[0]), value)

    def constant(self, c):
        return ast.Num(_pos(c[0]), 0 if c[0] == "false" else 1)

    def binop(self, c):
        left, op, right = c
        return ast.Binary(left.pos, str(op), left, right)

    def unop(self, c):
        return ast.Unary(_pos(c[0]), str(c[0]), c[1])

    def ltl_binop(self, c):
        left, op, right = c
        return ast.Temporal(left.pos, _TEMPORAL[op.type], left, right)

    def ltl_unop(self, c):
        return ast.Temporal(_pos(c[0]), _TEMPORAL[c[0].type], c[1])

    def cond(self, c):
        test, _arrow, then, other = c
        return ast.Cond(test.pos, test, then, other)

    def run(self, c):
        kw, name, *args, _kw, priority = c
        return ast.Run(_pos(kw), str(name), [a for a in args if a is not None],
                       priority=priority)

    def get_priority(self, c):
        return ast.GetPriority(_pos(c[0]), c[1])

    def chan_len(self, c):
        return ast.ChanLen(_pos(c[0]), c[1])

    def chan_test(self, c):
        return ast.ChanTest(_pos(c[0]), str(c[0]), c[1])

    def timeout(self, c):
        return ast.Timeout(_pos(c[0]))

    def nonprogress(self, c):
        return ast.NonProgress(_pos(c[0]))

    def enabled(self, c):
        return ast.Enabled(_pos(c[0]), c[1])

    def pc_value(self, c):
        return ast.PcValue(_pos(c[0]), c[1])

    def poll(self, c):
        return ast.Poll(c[0].pos, c[0], c[1].type == "QQ", c[2])

    def remote_at(self, c):
        ref, _at, label = c
        return ast.RemoteLabel(ref.pos, ref.name, ref.index, str(label))

    def remote_label(self, c):
        proc, pid, _at, label = c
        return ast.RemoteLabel(_pos(proc), str(proc), pid, str(label))

    def remote_var(self, c):
        proc, pid, name, index = c
        return ast.RemoteVar(_pos(proc), str(proc), pid, str(name), index)

    def varref(self, c):
        name, index, *fields = c
        return ast.Name(_pos(name), str(name), index, fields=fields)

    def field(self, c):
        _dot, name, index = c
        return (str(name), index)


def _str(tok) -> str | None:
    return str(tok) if tok is not None else None


def _unless_part(s: ast.Stmt) -> list[ast.Stmt]:
    """SPIN uses the statements of a ``{ }`` block directly as the part of an unless."""
    return s.body if isinstance(s, ast.Block) else [s]


#: the operators of ltl formulas, by token
_TEMPORAL = {"UNTIL": "U", "WEAK_UNTIL": "W", "RELEASE": "V", "IMPLIES": "->", "EQUIV": "<->",
             "ALWAYS": "[]", "EVENTUALLY": "<>", "NEXT": "X"}


def _flatten(items) -> list:
    out = []
    for x in items:
        out.extend(x) if isinstance(x, list) else out.append(x)
    return out


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "r": "\r"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


_parser = None


def _lark():
    """The LALR parser, built once and cached on disk by lark (keyed by the grammar)."""
    global _parser
    if _parser is None:
        from lark import Lark, Transformer

        builder = type("Builder", (_Builder, Transformer), {})()
        cache = os.path.join(tempfile.gettempdir(), f"aioctx-promela-{os.getuid()}.lark")
        _parser = Lark.open(_GRAMMAR, parser="lalr", lexer="basic",
                            postlex=Separators(), transformer=builder,
                            maybe_placeholders=True, cache=cache)
    return _parser


def refuse_unsupported(text: str, lines: LineMap) -> None:
    """Reject constructs aioctx does not implement, and comments that do not end, before
    the parser sees them."""
    for m in _WORDS.finditer(text):
        word = m.group()
        reason = UNSUPPORTED.get(word) if word != "/*" else \
            "unterminated comment: this '/*' has no '*/'"
        if reason is not None:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            raise PromelaError(lines.source(line, col), reason)


def parse(text: str, lines: LineMap) -> ast.Program:
    """Parse preprocessed ``text``; errors are ``PromelaError`` at file:line:col."""
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

    refuse_unsupported(text, lines)
    parser = _lark()
    try:
        return parser.parse(text)
    except UnexpectedCharacters as exc:
        raise PromelaError(lines.source(exc.line, exc.column),
                           f"syntax error: unexpected character {text[exc.pos_in_stream]!r}"
                           ) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is None or token.type == "$END":
            line = text.count("\n") + 1
            col = len(text) - text.rfind("\n")
            raise PromelaError(lines.source(line, col),
                               "syntax error: unexpected end of file") from None
        what = {"\n": "end of line", " ": "an implied ';'"}.get(token, None) \
            if token.type == "SEMI" else None
        what = what or repr(str(token))
        raise PromelaError(lines.source(token.line, token.column),
                           f"syntax error near {what}") from None
    except PromelaError:
        raise
    except (LarkError, RecursionError) as exc:
        raise PromelaError(lines.source(1, 1), f"syntax error: {exc}") from None
