"""The post-lexer: SPIN's lexical rules that the grammar (promela.lark) cannot state.

SPIN's lexer treats a line end as a statement separator when the line ends a statement
(after a name, a constant, ``)``, ``]``, ``}``, ``od``, ``fi``, ``else``, ``break``,
``++`` or ``--``, inside a body and outside parentheses), and inserts a separator after
``}`` and ``else`` when the next token needs one.  ``Separators`` does the same here;
like SPIN's lexer it also retypes names by what they declare: proctype names
(``PNAME``), which is what lets ``P[1]:x`` be a remote reference and
``(c -> a[1] : b)`` a choice, and typedef names (``UNAME``).
"""

from __future__ import annotations

#: tokens after which a line end separates statements (SPIN's "follows_token")
_ENDS_STATEMENT = frozenset({"RBRACE", "RPAR", "RSQB", "OD", "FI", "ELSE", "BREAK", "NAME",
                             "NUMBER", "CHAR", "CONSTANT", "INCR", "DECR"})
#: tokens that may follow "}" without a separator in between
_AFTER_BRACE = frozenset({"PROCTYPE", "INIT", "NEVER", "OPTION", "FI", "OD", "RBRACE",
                          "SEMI", "ARROW", "UNLESS"})
_BODY_HEADS = frozenset({"PROCTYPE", "INIT", "NEVER", "INLINE", "TRACE", "NOTRACE",
                         "TYPEDEF"})
#: the words and the arrow that are operators between the braces of an ltl block
#: (SPIN's lexer in its ltl mode; ``[]``, ``<>`` and ``<->`` are tokens of their own)
_LTL_WORDS = {"U": "UNTIL", "until": "UNTIL", "stronguntil": "UNTIL",
              "W": "WEAK_UNTIL", "weakuntil": "WEAK_UNTIL", "V": "RELEASE",
              "release": "RELEASE", "X": "NEXT", "next": "NEXT", "always": "ALWAYS",
              "eventually": "EVENTUALLY", "implies": "IMPLIES", "equivalent": "EQUIV",
              "->": "IMPLIES"}


def _declared_names(tokens: list, keyword: str) -> frozenset[str]:
    """The names declared by ``<keyword> NAME`` anywhere in the token list."""
    names = []
    last = None
    for tok in tokens:
        if tok.type == "NL":
            continue
        if last == keyword and tok.type == "NAME":
            names.append(tok.value)
        last = tok.type
    return frozenset(names)


def _next_kind(tokens: list, k: int) -> str | None:
    """The type of the first token after position ``k`` that is not a line end."""
    for tok in tokens[k + 1:]:
        if tok.type != "NL":
            return tok.type
    return None


class Separators:
    """Post-lexer: inserts the statement separators SPIN's lexer implies, marks
    proctype names (PNAME), typedef names (UNAME) and the ``in`` of ``for (x in a)``
    (IN), and between the braces of an ltl block turns the temporal operators' words
    into their tokens (where a line end separates nothing).  SPIN's lexer knows a
    proctype's name only after its declaration, but lexes an inline body again where
    it is called; here any name of a proctype is marked, and semantics.py refuses
    references that come before the declaration (except in ltl formulas, which SPIN
    reads after the whole model)."""

    always_accept = ("NL",)

    def process(self, stream):
        from lark import Token

        paren = depth = 0
        header = body = ltl = False
        last = None
        for_paren = -1          # paren depth inside "for (", where "in" is a keyword
        tokens = list(stream)   # all proctype names are needed before the first token goes
        proctypes = _declared_names(tokens, "PROCTYPE")
        typedefs = _declared_names(tokens, "TYPEDEF")
        for k, tok in enumerate(tokens):
            kind = tok.type
            if kind == "NAME" and tok.value in proctypes and \
                    last not in ("PROCTYPE", "RUN", "NEVER"):
                tok = Token.new_borrow_pos("PNAME", tok.value, tok)
                kind = "PNAME"
            elif ltl and depth > 0 and kind in ("NAME", "ARROW") and tok.value in _LTL_WORDS:
                kind = _LTL_WORDS[tok.value]
                tok = Token.new_borrow_pos(kind, tok.value, tok)
            elif kind == "NAME" and tok.value in typedefs and last not in ("TYPEDEF", "DOT"):
                tok = Token.new_borrow_pos("UNAME", tok.value, tok)
                kind = "UNAME"
            elif kind == "NAME" and tok.value == "in" and paren == for_paren:
                tok = Token.new_borrow_pos("IN", tok.value, tok)
                kind = "IN"
            if kind == "NL":
                if body and paren == 0 and last in _ENDS_STATEMENT and \
                        _next_kind(tokens, k) != "UNLESS":
                    last = "SEMI"
                    yield Token.new_borrow_pos("SEMI", "\n", tok)
                continue
            if (last == "ELSE" and kind not in ("SEMI", "ARROW", "FI")) or \
                    (last == "RBRACE" and kind not in _AFTER_BRACE):
                yield Token.new_borrow_pos("SEMI", " ", tok)
            if kind in _BODY_HEADS and depth == 0:
                header = True
            elif kind == "LTL" and depth == 0:
                ltl = True
            elif kind == "LBRACE":
                depth += 1
                if header and depth == 1:
                    body, header = True, False
            elif kind == "RBRACE":
                depth = max(depth - 1, 0)
                if depth == 0:
                    body = ltl = False
            elif kind == "LPAR":
                paren += 1
                if last == "FOR":
                    for_paren = paren
            elif kind == "RPAR":
                if paren == for_paren:
                    for_paren = -1
                paren = max(paren - 1, 0)
            last = kind
            yield tok
