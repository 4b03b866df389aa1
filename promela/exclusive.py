"""SPIN's conditional safety of ``xr``/``xs`` channels, for the partial-order reduction.

``xr c`` says the process is the only one to receive from ``c``, ``xs c`` the only one
to send to it.  pan then treats the process's receives from ``c`` as local while ``c``
holds a message, and its sends to ``c`` while ``c`` has room (its ``q_cond``): no
other process can take that message or fill that room, and another process's send
(receive) at the other end of the queue commutes with it.  reduce.py counts such a
statement as local in a state where its condition holds (``AMPLE`` then holds a test
of the state instead of a yes).

That reasoning needs more than pan checks, so aioctx applies the rule only where it
holds for the whole model:

* nothing anywhere (a process, a claim, a property, a trace) looks at a channel other
  than by sending or receiving: no ``len``, ``empty``/``nempty``/``full``/``nfull``,
  no poll ``c?[m]``, no random receive ``c??m`` (another process's send could make it
  executable), no sorted send ``c!!m`` (it may insert before the head), no
  ``trace``/``notrace`` (it watches the order of channel events);
* no channel variable is ever assigned (so the statement's channel is the one claimed
  for the whole run);
* the statement's other parts are local: it stores into the process's own variables
  and matches against constants or ``eval`` of local expressions.

A misdeclared channel (another process does receive from an ``xr`` channel) is still
reported: the check runs when that process tries the channel (eventgen.py), in any
state where it is expanded, and the claimer is expanded alone only while it stays at
locations whose every step is local; its end and the steps that close its loops are
never among them, so a state with the claimer alive and the other process at the
channel is reached and fully expanded (test_reduce_language.py, xr_reduce.pml).
"""

from __future__ import annotations

from . import ast
from .symbols import Model, ProcType

#: nodes that look at a channel other than by one exclusive send or receive
_PEEKS = (ast.ChanLen, ast.ChanTest, ast.Poll)


def applies(model: Model) -> bool:
    """Whether the model allows xr/xs statements to count as local (see above)."""
    if model.trace is not None or not any(p.xu for p in model.proctypes):
        return False
    for n in ast.walk(model.behaviour()):
        if isinstance(n, _PEEKS):
            return False
        if isinstance(n, ast.Receive) and n.random or isinstance(n, ast.Send) and n.sorted:
            return False
        if isinstance(n, ast.Receive) and any(_is_chan(a) for a in n.args):
            return False
        if isinstance(n, ast.Assign | ast.IncDec) and _is_chan(n.target):
            return False
    return True


def _is_chan(e: ast.Expr) -> bool:
    return isinstance(e, ast.Name) and getattr(e.sym, "type", None) == "chan"


def _key(n: ast.Name) -> tuple | None:
    """The claimed channel variable element ``n`` names, if fixed."""
    if n.index is None:
        return (id(n.sym), None)
    if isinstance(n.index, ast.Num):
        return (id(n.sym), n.index.value)
    return None


def claims(proc: ProcType) -> set[tuple]:
    """(kind, channel element) of each xr/xs declaration of ``proc``."""
    out = set()
    for word, c in proc.xu:
        key = _key(c)
        if key is not None:
            out.add((word, key))
    return out


def kind(s: ast.Stmt, mine: set[tuple]) -> str | None:
    """``"xr"`` for a receive from a channel of ``mine`` claimed with xr, ``"xs"`` for a
    send to one claimed with xs, None otherwise (the caller checks the rest is local)."""
    if isinstance(s, ast.Receive) and not s.random:
        word = "xr"
    elif isinstance(s, ast.Send) and not s.sorted:
        word = "xs"
    else:
        return None
    key = _key(s.chan)
    return word if key is not None and (word, key) in mine else None
