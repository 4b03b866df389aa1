"""Keep the syntax tree within the depth the later passes can follow.

The passes after parsing (semantics, flow, code generation) walk the tree recursively,
and the generated Python source nests one parenthesis per level of an expression
(Python's own parser stops at 200).  A model nested deeper than those can follow
would crash them, so right after parsing this pass, which uses no recursion itself:

* rebalances long chains of one associative operator (``1 + 1 + ... + 1``, ``a && b
  && ...``): the parser builds them as a left-leaning tree as deep as the chain is
  long; balanced, a chain of 100,000 operands is 17 levels deep.  The value is the
  same (these operators are associative on whole numbers, and ``&&``/``||`` still
  evaluate their operands left to right);
* refuses a model nested more than ``MAX_DEPTH`` levels deep (statements inside
  statements, expressions inside expressions, each counting one level) with a located
  error at the first construct past the limit.

docs/promela.md ("Where aioctx and SPIN differ") states the limit.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import ast
from .errors import LineMap, PromelaError

#: the deepest nesting of statements and expressions accepted
MAX_DEPTH = 100
#: operators whose chains are rebalanced (associative over whole numbers)
ASSOCIATIVE = frozenset({"+", "*", "&", "|", "^", "&&", "||"})
#: chains with more operands than this are rebalanced (shorter ones keep the parser's
#: shape, so nothing changes for models of ordinary size)
BALANCE_FROM = 16


def _children(node: Any) -> list[tuple[Any, Any, Any]]:
    """(holder, key, child) for each syntax-tree node directly below ``node``: ``holder``
    is the node (key: a field name) or a list in it (key: an index)."""
    out = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, list):
            out.extend(_list_children(value))
        elif _is_node(value):
            out.append((node, f.name, value))
    return out


def _list_children(items: list[Any]) -> list[tuple[Any, Any, Any]]:
    """Nodes in a list, and in lists within it (if/do options are lists of lists)."""
    out = []
    pending = [items]
    while pending:
        current = pending.pop()
        for i, item in enumerate(current):
            if isinstance(item, list):
                pending.append(item)
            elif _is_node(item):
                out.append((current, i, item))
    return out


def _is_node(value: Any) -> bool:
    """A node of the syntax tree (not a link the semantic pass adds to a symbol)."""
    return (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and type(value).__module__ == ast.__name__)


def _operands(chain: ast.Binary) -> list[ast.Expr]:
    """The operands of a chain of ``chain.op``, left to right."""
    out: list[ast.Expr] = []
    pending: list[ast.Expr] = [chain]
    while pending:
        e = pending.pop()
        if isinstance(e, ast.Binary) and e.op == chain.op:
            pending.append(e.right)
            pending.append(e.left)
        else:
            out.append(e)
    return out


def _balanced(op: str, operands: list[ast.Expr]) -> ast.Expr:
    """``operands`` joined by ``op`` as a tree of depth log2(len(operands)) (this
    recursion is that shallow)."""
    if len(operands) == 1:
        return operands[0]
    half = len(operands) // 2
    left = _balanced(op, operands[:half])
    return ast.Binary(left.pos, op, left, _balanced(op, operands[half:]))


def _rebalanced(node: Any, made: set[int]) -> Any:
    """``node``, or the balanced form of the chain it heads; ``made`` holds the nodes
    of chains balanced already (their parts are not balanced again)."""
    if isinstance(node, ast.Binary) and node.op in ASSOCIATIVE and id(node) not in made:
        operands = _operands(node)
        if len(operands) > BALANCE_FROM:
            top = _balanced(node.op, operands)
            pending = [top]
            while pending:
                e = pending.pop()
                if isinstance(e, ast.Binary) and e.op == node.op and id(e) not in made:
                    made.add(id(e))
                    pending += [e.left, e.right]
            return top
    return node


def shape(program: ast.Program, lines: LineMap) -> None:
    """Rebalance long associative chains in ``program`` (in place), then refuse it if
    anything is nested deeper than ``MAX_DEPTH``."""
    pending: list[tuple[Any, int]] = [(program, 0)]
    made: set[int] = set()
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise PromelaError(lines.source(*node.pos),
                               f"nested more than {MAX_DEPTH} levels deep (statements "
                               "and expressions together): aioctx's limit")
        below = []
        for holder, key, child in _children(node):
            balanced = _rebalanced(child, made)
            if balanced is not child:
                if isinstance(holder, list):
                    holder[key] = balanced
                else:
                    setattr(holder, key, balanced)
            below.append((balanced, depth + 1))
        pending.extend(reversed(below))         # the first in the text is looked at first
