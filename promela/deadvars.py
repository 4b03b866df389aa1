"""Dead-variable elimination: a local written before it is read again is 0, and a
global nobody reads is never written.

SPIN's dead-variable elimination (``spin -o2`` turns it off; ``aioctx check --no-dead``):
after a step, every local variable of the process that no path from its new location
reads before writing it (a *dead* variable) is set to 0, so states that differ only in
values nobody will read become one state.  Such states behave alike in every respect a
search can observe: the process's guards, assignments and outputs read live variables
only, and no one else reads its locals (a variable named by a remote reference
``P:x`` anywhere in the model or its properties, by the process's ``provided`` clause
or xr/xs declarations, and the ``_priority`` the scheduler reads are never reset).

The analysis is the classic backward liveness of compilers, on the locations of
flow.py: a variable is live at a location if some transition from it reads it, or
leads where it is live without writing all of it first.  Only scalar, non-channel
locals are reset; arrays and structures stay as they are.  It is conservative where
it cannot see: any statement kind it does not know reads every variable it names.  A
``d_step``'s body is analysed like the process's own locations.

Invariant kept: a variable dead at a process's location holds 0.  A new process gets
its dead variables set to 0 after its initialisation; a step resets the variables that
were live before it or that it writes and are dead where it goes.

A scalar global that nothing reads (no expression, claim, property or ``printf`` names
it; ``x++`` reads ``x``) keeps its initial value: assignments to it compute their
value, for the run-time errors that may raise, and store nothing (SPIN's ``-o2``
hides such variables from the state vector).  Both show in a counterexample: a dead
local as 0, a global nobody reads with its initial value.
"""

from __future__ import annotations

import dataclasses

from . import ast
from .flow import Flow, Transition
from .symbols import Model, ProcType, Var


def tracked(proc: ProcType, remote: set[tuple[str, str]]) -> list[Var]:
    """The locals of ``proc`` that may be reset: scalars, not channels, not remote,
    not read outside the body (its ``provided`` clause, its xr/xs declarations, the
    scheduler's ``_priority``)."""
    outside = {id(n.sym) for n in _names([proc.provided, [c for _w, c in proc.xu]])}
    return [v for v in proc.locals if v.size == 1 and not v.is_array
            and v.chan_type is None and (proc.name, v.name) not in remote
            and id(v) not in outside and v.name != "_priority"]


def _names(node) -> list[ast.Name]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n)
        if isinstance(n, ast.Assign | ast.IncDec):
            out += [x for x in ast.walk(n.target) if isinstance(x, ast.Name)]
    return out


def uses_and_writes(s: ast.Stmt, mine: dict[int, Var]) -> tuple[set[int], set[int], set[int]]:
    """(read, written for good, possibly written) variables of statement ``s``, as ids of
    the tracked ``mine``."""
    def ids(names) -> set[int]:
        return {id(n.sym) for n in names if id(n.sym) in mine}

    if isinstance(s, ast.Assign):
        read = ids(_names(s.value)) | ids(_names(s.target.index))
        killed = ids([s.target]) if s.target.index is None else set()
        return read, killed, ids([s.target])
    if isinstance(s, ast.IncDec):
        both = ids(_names(s.target))
        return both, set(), both
    if isinstance(s, ast.Receive):
        stores = [a for a in s.args if isinstance(a, ast.Name) and a.const is None]
        read = ids(_names([a for a in s.args if a not in stores])) | ids([s.chan])
        read |= ids(_names([a.index for a in stores]))
        killed = ids([a for a in stores if a.index is None])
        return read, killed, ids(stores)
    everything = ids(_names(s))
    written = everything if isinstance(s, ast.DStep) else set()
    return everything, set(), written


class Liveness:
    """The live tracked variables at each location of one process's flow."""

    def __init__(self, proc: ProcType, flow: Flow, remote: set[tuple[str, str]]) -> None:
        self.vars = {id(v): v for v in tracked(proc, remote)}
        self.flow = flow
        self.effects: dict[int, tuple[set[int], set[int], set[int]]] = {}
        self.live = self._solve(flow, set()) if self.vars else [set() for _ in
                                                                 flow.locations]

    def _solve(self, flow: Flow, at_end: set[int]) -> list[set[int]]:
        """The live variables at each location of ``flow`` (the process's, or a
        d_step's body, after whose end ``at_end`` are live)."""
        live: list[set[int]] = [set() for _ in flow.locations]
        live[flow.terminal] = set(at_end)
        changed = True
        while changed:
            changed = False
            for loc in reversed(flow.locations):
                if loc.pc == flow.terminal:
                    continue
                new: set[int] = set()
                for t in loc.transitions:
                    if t.dstep is not None:     # what its body reads before writing
                        body = t.dstep
                        new |= self._solve(body, live[t.dest])[body.entry]
                        continue
                    if id(t) not in self.effects:
                        self.effects[id(t)] = uses_and_writes(t.stmt, self.vars)
                    read, killed, _written = self.effects[id(t)]
                    new |= read | (live[t.dest] - killed)
                if new != live[loc.pc]:
                    live[loc.pc] = new
                    changed = True
        return live

    def dead_at_entry(self) -> list[Var]:
        return [v for k, v in self.vars.items() if k not in self.live[self.flow.entry]]

    def resets(self, pc: int, steps: list[Transition]) -> list[Var]:
        """The variables to set to 0 after the transitions ``steps`` (one, or a merged
        chain) taken from location ``pc``."""
        maybe = set(self.live[pc])
        for t in steps:
            maybe |= self.effects[id(t)][2] if id(t) in self.effects else \
                uses_and_writes(t.stmt, self.vars)[2]
        dead = maybe - self.live[steps[-1].dest]
        return [v for k, v in self.vars.items() if k in dead]


def write_only(model: Model) -> set[int]:
    """The scalar, non-channel globals of ``model`` that nothing reads (ids)."""
    nodes = model.behaviour()
    nodes += [v.init for v in model.globals] + [v.init for p in model.proctypes
                                                 for v in p.locals]
    read: set[int] = set()
    _reads(nodes, read)
    return {id(v) for v in model.globals if v.size == 1 and not v.is_array
            and v.chan_type is None and id(v) not in read}


def _reads(node, out: set[int]) -> None:
    """Add to ``out`` the variables ``node`` reads: every name but an assignment's
    target and a receive's store variables (their indexes are read)."""
    if isinstance(node, list | tuple):
        for item in node:
            _reads(item, out)
    elif isinstance(node, ast.Assign):
        _reads([node.target.index, node.value], out)
    elif isinstance(node, ast.IncDec):
        _reads(node.target, out)
    elif isinstance(node, ast.Receive):
        _reads(node.chan, out)
        for a in node.args:
            store = isinstance(a, ast.Name) and a.const is None
            _reads(a.index if store else a, out)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        if isinstance(node, ast.Name):
            out.add(id(node.sym))
        for f in dataclasses.fields(node):
            if f.name not in ("sym", "target"):     # links out of the tree (ast.walk)
                _reads(getattr(node, f.name), out)
