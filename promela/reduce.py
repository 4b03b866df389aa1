"""Reductions that keep verdicts: statement merging and static partial-order reduction.

Both rest on one fact: a statement that reads and writes only its own process's
variables (a *local* statement) commutes with every step of every other process, and
no other process, never claim or label test can tell whether it has run yet.

* **Statement merging** (SPIN's, turned off by ``spin -o3``; ``aioctx check
  --no-merge``): a transition goes on through the local statements that follow it,
  as one step, while each next location has that one statement only, is not labelled
  (so no ``end``/``accept``/``progress`` state and no remote ``@label`` is skipped)
  and is outside ``atomic``/``unless``.  The statements merged in cannot block (an
  assignment, ``assert``, ``skip``, a jump), so the merged step is enabled exactly when
  its first statement is, and the states skipped in between differ from the state
  after the step only in the process's own variables and program counter (after a
  rendezvous send they run when the offer is made: only the receiver moves before it
  is taken, and it cannot read them).  The states
  inside an ``atomic`` sequence are not stored either, as in pan (codegen.py's
  ``CL``): nobody else moves and the never claim waits while the sequence runs.
  Locations that behave alike (a ``do``'s entry and its loop head) become one, in the
  processes and in the never claim (``_join_twins``), as pan has one state for both.
* **Partial-order reduction** (SPIN's static reduction, turned off by
  ``-DNOREDUCE``; ``aioctx check --no-reduce``): in a state where some process is at a
  location whose every transition is local (SPIN's "safe" state) and at least one is
  executable, only that process's moves are explored (the process with the highest
  pid first, as pan tries them).  The other processes' moves are postponed, never
  lost: they are independent of the chosen ones and stay enabled.  So that no move is
  postponed forever around a cycle (the cycle proviso), a location is a candidate only
  if none of its transitions, merged statements included, is a back edge of a
  depth-first search of the process's control-flow graph: every cycle of the state
  graph moves some process around a cycle of its control flow, which holds a back
  edge, and a state where that edge is taken is fully expanded.  This proviso is
  static, so the reduced graph is a fixed function of the state, the same for every
  search order: depth- and breadth-first, the nested search, bitstate and swarm runs
  and the liveness searches all see one graph.  SPIN instead checks pan's stack
  (a successor on the stack cancels the reduction), which depends on the search.

What each reduction keeps out, beyond non-local statements:

* transitions into or out of a location with an ``accept`` or ``progress`` label, or
  one another process or a property refers to by ``P@label``: they are visible to the
  acceptance and non-progress searches and to the claim;
* a local variable another process or a property reads as ``P:x`` counts as global
  (and a global declared ``local`` that one process alone touches counts as local, as
  SPIN's prefix asks: ``_owned_globals``);
* ``run`` and process termination (they change ``_nr_pr`` and the pids others get),
  channel operations (but a receive from a channel the process claims with ``xr`` while
  the channel holds a message, or a send to one it claims with ``xs`` while it has
  room, counts as local: SPIN's conditional safety, see exclusive.py), ``timeout``,
  ``np_``;
* a process with a ``provided`` clause: whether it may move depends on globals the
  clause reads, which another process's step can change, so it is never expanded
  alone, and its steps are not merged (between two of its local statements another
  process may falsify the clause and leave it stuck there);
* atomic sequences (entering one commits the process to statements that may be
  global), ``unless`` bodies and escapes, and the inside of ``d_step`` is allowed only
  when it is all local.

Both are off for a whole model that reads ``_last``, ``enabled()`` or ``pc_value()``
(every step, or every step of one process, becomes visible: SPIN refuses these with
its reduction on), for a model with priorities (a process may move only while no
process of a higher priority can, so a step that lets one move must stop the process
before its next statement; pan's reduction expands nothing alone there either), and
for a model checked against a hand-written never claim that may count steps (taking
several local statements as one step could change what it sees): a claim translated
from an ltl formula cannot tell, a hand-written one must pass stutter.py's test, or
its stutter closure must (closure.py: the search then runs with the closure instead,
and an error it finds is confirmed with the claim itself and no reductions).

Under weak fairness (a cycle is fair when every process moves on it or is blocked
somewhere on it) the partial-order reduction stays on, as in pan.  A local step reads
and writes only its own process's variables, so it never makes another process's
statement executable or not: a process postponed in a reduced state could move there,
and it keeps that ability while the reduced process runs.  The fair searches
(model/liveness.py, nested.py) therefore do not read "blocked" off a reduced state's
successors; they ask the generated ``MOVERS`` (schedgen.py).  Two things break that
independence, and fairness leaves them out: a rendezvous (a local step can bring a
process to a receive that makes another's send executable; such a model gets no
partial-order reduction under fairness, and pan refuses the combination) and the
xr/xs conditional safety (a receive makes room that can unblock a sender; under
fairness those statements are global).  pan keeps them local under ``-f`` and misses
a starving sender there (tests/promela/models/xr_starve.pml: no error from pan's default
verifier, a fair acceptance cycle with ``-DNOREDUCE``).  Merging is unaffected, and an
acceptance search of a model without accept labels is a safety search (as in SPIN), for
which fairness holds nothing back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast, exclusive
from .closure import stutter_closure
from .deadvars import Liveness
from .flow import Flow, Location, Transition
from .stutter import stutter_blind
from .symbols import Model, ProcType, Var

#: expression nodes a local statement may contain (any other kind makes it global)
_LOCAL_EXPRS = (ast.Num, ast.Name, ast.Unary, ast.Binary, ast.Cond)
#: statement kinds that may be local (a d_step is local when its whole body is)
_LOCAL_STMTS = (ast.Assign, ast.IncDec, ast.ExprStmt, ast.Assert, ast.Printf, ast.Printm,
                ast.Goto, ast.Break, ast.Else)
#: statements inside a d_step body that only structure it
_STRUCTURE = (ast.If, ast.Do, ast.Block, ast.Labeled)


@dataclass
class Reduction:
    """What the code generator does with a model's locations and transitions.

    ``chains[id(t)]``: the transitions merged after transition ``t`` (in order; the
    step ends where the last one goes).  ``ample[type][pc]``: a process at this
    location may be expanded alone (1), or may be when the conditions
    ``conditional[type, pc]`` hold (2: xr/xs channel statements, exclusive.py).
    ``why_off``: why the model gets no reduction at
    all (None when it does).
    """

    chains: dict[int, list[Transition]] = field(default_factory=dict)
    ample: list[tuple[int, ...]] = field(default_factory=list)
    #: (type, pc) -> (``"xr"``/``"xs"``, channel) of each conditionally local statement
    conditional: dict[tuple[int, int], list[tuple[str, ast.Name]]] = field(
        default_factory=dict)
    why_off: str | None = None
    #: deadvars.py: id(transition) -> locals to set to 0 after it (merged chain
    #: included); per proctype, the locals a new process starts with at 0
    resets: dict[int, list[Var]] = field(default_factory=dict)
    dead_at_entry: list[list[Var]] = field(default_factory=list)
    merge: bool = False             # asked for (the states-only module asks again)
    reduce: bool = False
    dead: bool = False
    #: computed for a search under weak fairness (no conditional safety)
    fair: bool = False
    #: the partial-order reduction was asked for but weak fairness turned it off (the
    #: model has rendezvous channels)
    fair_off: bool = False
    #: the hand-written never claim counts steps; the search runs with its stutter
    #: closure (closure.py), whose errors promela.check confirms without reductions
    claim_closure: Flow | None = None

    @property
    def reduces(self) -> bool:
        return any(any(row) for row in self.ample)

    def summary(self) -> str:
        """One line for the report: which reductions ran, and why others did not."""
        d = self.as_dict()
        parts = [name for key, name in (("merge", "statement merging"),
                                        ("reduce", "partial-order reduction"),
                                        ("dead", "dead variables")) if d[key]]
        text = ", ".join(parts) or "none"
        if self.why_off is not None and (self.merge or self.reduce or self.fair_off):
            text += f" (no merging or partial-order reduction: {self.why_off})"
        elif self.fair_off:
            text += (" (no partial-order reduction: weak fairness with rendezvous"
                     " channels)")
        if self.claim_closure is not None:
            text += ("; the never claim counts steps: searched with its stutter closure,"
                     " an error is confirmed without reductions (promela/closure.py)")
        return text

    def as_dict(self) -> dict:
        on = self.why_off is None
        return {"merge": self.merge and on, "reduce": self.reduce and on,
                "dead": self.dead, "why_off": self.why_off, "fair_off": self.fair_off,
                "claim_closure": self.claim_closure is not None}


def _counts_steps(model: Model, claim_flow: Flow | None) -> bool:
    """Whether the model's never claim, with the locations ``claim_flow``, is a
    hand-written one that may count steps (stutter.py's test says so)."""
    prop = model.property
    return model.claim is not None and (prop is None or prop.kind != "ltl") and (
        claim_flow is None or not stutter_blind(claim_flow, model.claim.body))


def why_no_reduction(model: Model, claim_flow: Flow | None) -> str | None:
    """The reason neither reduction applies to ``model`` (whose never claim, if it has
    one, has the locations ``claim_flow``), or None."""
    if model.has_last:
        return "the model reads _last"
    bodies = [p.body for p in model.proctypes]
    if model.claim is not None:
        bodies.append(model.claim.body)
    if ast.contains(bodies, (ast.Enabled, ast.PcValue)):
        return "the model uses enabled() or pc_value()"
    if model.has_priority:
        return "the model uses priorities"
    if _counts_steps(model, claim_flow):
        return "the never claim may count steps (promela/stutter.py)"
    return None


def _remote_refs(model: Model) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(proctype, variable) and (proctype, label) pairs that remote references name,
    anywhere in the model or its properties."""
    nodes = model.behaviour()
    rvars, rlabels = set(), set()
    for n in ast.walk(nodes):
        if isinstance(n, ast.RemoteVar):
            rvars.add((n.proc, n.name))
        elif isinstance(n, ast.RemoteLabel):
            rlabels.add((n.proc, n.label))
    return rvars, rlabels


def _owned_globals(model: Model) -> dict[str, set[str]]:
    """Per proctype, the globals declared with SPIN's ``local`` prefix that its process
    alone touches: the proctype has one process (one ``active`` instance, or ``init``;
    never started by ``run``) and nothing else in the model or its properties names the
    variable.  A statement on them is as local as one on the process's own variables.
    pan takes the prefix on trust; one that does not hold here is simply global."""
    def uses(roots: list) -> dict[str, int]:
        counts: dict[str, int] = {}
        for n in ast.walk(roots):
            if isinstance(n, ast.Name) and isinstance(n.sym, Var) and \
                    n.sym.scope == "global" and n.sym.visibility == "local":
                counts[n.sym.name] = counts.get(n.sym.name, 0) + 1
        return counts

    everywhere = uses(model.behaviour())
    started = {n.proc for n in ast.walk(model.behaviour()) if isinstance(n, ast.Run)}
    owned: dict[str, set[str]] = {}
    for p in model.proctypes:
        mine: dict[str, int] = {}
        if p.active == 1 and p.name not in started:
            mine = uses([p.body, p.provided, [c for _word, c in p.xu]])
        owned[p.name] = {name for name, k in mine.items() if everywhere[name] == k}
    return owned


class _Analysis:
    """Which statements of one proctype are local and which locations are visible."""

    def __init__(self, proc: ProcType, flow: Flow, rvars: set, rlabels: set,
                 owned: set[str], xu: bool = False) -> None:
        self.proc = proc
        #: the ``local`` globals only this process touches (``_owned_globals``)
        self.owned = owned
        #: the channels the process claims, when xr/xs statements may count as local
        self.mine = exclusive.claims(proc) if xu else set()
        self.flow = flow
        self.rvars = rvars
        self.visible = [self._visible(loc, rlabels) for loc in flow.locations]
        self.back = _back_edges(flow)

    def guarded(self) -> bool:
        """The process has a ``provided`` clause (neither expanded alone nor merged)."""
        return self.proc.provided is not None

    def _visible(self, loc: Location, rlabels: set) -> bool:
        return loc.accept or loc.progress or any(
            (self.proc.name, lab) in rlabels for lab in loc.labels)

    def local_name(self, n: ast.Name) -> bool:
        if n.const is not None or n.sym == "_pid":
            return True
        if n.sym is None:
            return n.name == "_"
        if not isinstance(n.sym, Var):
            return False
        if n.sym.scope == "global":
            return n.sym.name in self.owned
        return n.sym.scope == "local" and (self.proc.name, n.sym.name) not in self.rvars

    def local(self, s: ast.Stmt) -> bool:
        """``s`` reads and writes nothing but its process's own variables."""
        if isinstance(s, ast.DStep):
            allowed: tuple = _LOCAL_STMTS + _STRUCTURE
        elif isinstance(s, _LOCAL_STMTS):
            allowed = _LOCAL_STMTS
        else:
            return False
        for n in _nodes(s):
            if isinstance(n, ast.Stmt):
                if not isinstance(n, allowed):
                    return False
            elif isinstance(n, ast.Expr):
                if not isinstance(n, _LOCAL_EXPRS):
                    return False
                if isinstance(n, ast.Name) and not self.local_name(n):
                    return False
        return True

    def exclusive(self, s: ast.Stmt) -> str | None:
        """``"xr"``/``"xs"`` when ``s`` is local but for its use of a channel the process
        claims (exclusive.py), else None."""
        word = exclusive.kind(s, self.mine) if self.mine else None
        if word is None:
            return None
        for n in ast.walk(s.args):
            if isinstance(n, ast.Expr) and not isinstance(n, (*_LOCAL_EXPRS, ast.Eval)):
                return None
            if isinstance(n, ast.Name) and not self.local_name(n):
                return None
        return word

    def passable(self, loc: Location) -> bool:
        """A location a merged step may go through without stopping."""
        return (len(loc.transitions) == 1 and not loc.labels and not loc.inside
                and not loc.terminal and not loc.end and not loc.transitions[0].escape
                and not self.visible[loc.pc])

    def chain(self, t: Transition) -> list[Transition]:
        """The transitions merged after ``t`` (see the module docstring)."""
        out: list[Transition] = []
        seen = {t.dest}
        dest = t.dest
        while True:
            loc = self.flow.locations[dest]
            if not self.passable(loc):
                return out
            nxt = loc.transitions[0]
            if nxt.keeps or not _never_blocks(nxt.stmt) or not self.local(nxt.stmt) \
                    or nxt.dest in seen:
                return out
            out.append(nxt)
            seen.add(nxt.dest)
            dest = nxt.dest

    def mergeable_first(self, loc: Location, t: Transition) -> bool:
        return not (loc.inside or t.keeps or t.escape or loc.terminal
                    or isinstance(t.stmt, ast.DStep)
                    or (isinstance(t.stmt, ast.ExprStmt | ast.Assign)
                        and ast.contains(t.stmt, ast.Run)))

    def ample(self, loc: Location, chains: dict[int, list[Transition]],
              conditions: list[tuple[str, ast.Name]]) -> int:
        """Whether a process at ``loc`` may be expanded alone: 1 yes, 2 when the
        ``conditions`` appended for its xr/xs statements hold, 0 no."""
        if loc.inside or loc.terminal or not loc.transitions or self.visible[loc.pc] \
                or self.guarded():
            return 0
        found = []
        for t in loc.transitions:
            if t.keeps or t.escape:
                return 0
            if not self.local(t.stmt):
                word = self.exclusive(t.stmt)
                if word is None:
                    return 0
                found.append((word, t.stmt.chan))
            src = loc.pc
            for step in [t, *chains.get(id(t), [])]:
                if (src, step.dest) in self.back or self.visible[step.dest]:
                    return 0
                src = step.dest
        conditions += found
        return 2 if found else 1


def _nodes(s: ast.Stmt):
    """Every node of ``s``, with the variables assigned (``ast.walk`` does not follow
    ``target``, which elsewhere links out of the tree) and their indexes."""
    for n in ast.walk(s):
        yield n
        if isinstance(n, ast.Assign | ast.IncDec):
            yield from ast.walk(n.target)


def _join_twins(flow: Flow, ample: tuple[int, ...]) -> None:
    """Send every transition into a location to its first twin: a location with the
    same transitions (statements, targets, atomic and escape marks), the same labels
    and flags, and expanded alone or not alike.  A ``do``'s entry and its loop head are
    often such twins; pan has one state for both.  A process (or the never claim) at
    either behaves alike, so the states become one.  (The entry of a loop whose steps
    are local is ample and its head, where the loop closes, is not: they stay apart,
    and the first round of the loop keeps its reduction.)  The cycle proviso still
    holds: a cycle through the new target passes, from a twin of the old one, the same
    transitions."""
    first: dict[tuple, int] = {}
    rep = []
    for loc in flow.locations:
        key = (ample[loc.pc], loc.inside, loc.end, loc.accept, loc.progress, loc.terminal,
               tuple(sorted(loc.labels)),
               tuple((id(t.stmt), t.dest, t.keeps, t.escape) for t in loc.transitions))
        rep.append(first.setdefault(key, loc.pc) if loc.transitions else loc.pc)
    for loc in flow.locations:
        for t in loc.transitions:
            t.dest = rep[t.dest]
    flow.entry = rep[flow.entry]


def _never_blocks(s: ast.Stmt) -> bool:
    if isinstance(s, ast.Assign | ast.IncDec | ast.Assert | ast.Goto | ast.Break):
        return True
    return isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.Num) and s.expr.value != 0


def _back_edges(flow: Flow) -> set[tuple[int, int]]:
    """The edges (pc, dest) that close a cycle in a depth-first search of the flow from
    its entry (every cycle of the flow holds one)."""
    back: set[tuple[int, int]] = set()
    state = [0] * len(flow.locations)       # 0 new, 1 on the stack, 2 done
    stack = [(flow.entry, iter(flow.locations[flow.entry].transitions))]
    state[flow.entry] = 1
    while stack:
        pc, it = stack[-1]
        t = next(it, None)
        if t is None:
            state[pc] = 2
            stack.pop()
            continue
        if state[t.dest] == 1:
            back.add((pc, t.dest))
        elif state[t.dest] == 0:
            state[t.dest] = 1
            stack.append((t.dest, iter(flow.locations[t.dest].transitions)))
    return back


def reductions(model: Model, flows: list[Flow], claim_flow: Flow | None, merge: bool,
               reduce: bool, dead: bool, closure: bool = False,
               fair: bool = False) -> Reduction:
    """The reductions of ``model`` whose process flows are ``flows``: merged chains when
    ``merge``, the locations expanded alone when ``reduce``, the dead variables reset
    when ``dead``; with ``closure``, a never claim that counts steps gives way to its
    stutter closure where that passes stutter.py's test (``claim_closure``); ``fair``:
    for a search under weak fairness, where an xr/xs statement is never local and a
    model with rendezvous channels gets no partial-order reduction (``fair_off``)."""
    fair_off = reduce and fair and any(c.capacity == 0 for c in model.chan_types)
    red = Reduction(ample=[(0,) * len(f.locations) for f in flows], merge=merge,
                    reduce=reduce and not fair_off, dead=dead, fair=fair,
                    fair_off=fair_off, dead_at_entry=[[] for _ in flows])
    closed = None
    if closure and (merge or red.reduce) and claim_flow is not None and _counts_steps(
            model, claim_flow):
        closed = stutter_closure(claim_flow)
        if closed is not None and not stutter_blind(closed, model.claim.body):
            closed = None
    red.why_off = why_no_reduction(model, closed or claim_flow)
    if red.why_off is None:
        red.claim_closure = closed
    rvars, rlabels = _remote_refs(model)
    owned = _owned_globals(model)
    xu = exclusive.applies(model) and not fair
    for k, (proc, flow) in enumerate(zip(model.proctypes, flows, strict=True)):
        a = _Analysis(proc, flow, rvars, rlabels, owned[proc.name], xu)
        if merge and red.why_off is None and not a.guarded():
            for loc in flow.locations:
                for t in loc.transitions:
                    if a.mergeable_first(loc, t):
                        chain = a.chain(t)
                        if chain:
                            red.chains[id(t)] = chain
        if red.reduce and red.why_off is None:
            row = []
            for loc in flow.locations:
                conditions: list[tuple[str, ast.Name]] = []
                row.append(a.ample(loc, red.chains, conditions))
                if conditions:
                    red.conditional[k, loc.pc] = conditions
            red.ample[k] = tuple(row)
        if merge and red.why_off is None:
            _join_twins(flow, red.ample[k])
        if dead:
            live = Liveness(proc, flow, rvars)
            red.dead_at_entry[k] = live.dead_at_entry()
            for loc in flow.locations:
                for t in loc.transitions:
                    gone = live.resets(loc.pc, [t, *red.chains.get(id(t), [])])
                    if gone:
                        red.resets[id(t)] = gone
    claim = red.claim_closure or claim_flow
    if merge and claim is not None:
        # the claim's twins too: it moves as before, one step for each of the system's
        _join_twins(claim, (0,) * len(claim.locations))
    return red
