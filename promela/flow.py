"""Control flow of a process body: locations (program counters) and their transitions.

The body is turned into nodes (a statement, a branch point of an ``if``/``do``, the
entry of a compound statement, or a jump) and then into *locations*, the places a
process can be at, each with its outgoing transitions in SPIN's order (``else`` last).
SPIN's structural rules:

* ``if``/``do`` have no transition of their own: their options' first statements start
  at the branch location.  A ``do`` has an entry location and a loop head with the same
  options; the body loops back to the head (inside an ``atomic``, the head is inside the
  sequence, so looping keeps control).
* ``atomic``, ``{ }`` and an inline call are locations of their own when control
  reaches them from outside (SPIN's element for the construct), with the transitions of
  their first statement.
* ``goto``/``break`` after a statement take no step (the statement jumps directly);
  as the first statement of an option they are a step that is always executable.
* A location is *inside* an ``atomic`` sequence when it was created in its body and is
  not its entry; a transition whose target is inside keeps control for its process.
* ``d_step`` is one transition; its body gets its own small graph that the code
  generator runs to completion in one go.
* In the body of an ``unless``, every location also has the escape's first statements
  as transitions, in groups before its own (an outer escape before an inner one); the
  code generator takes the first group with an executable transition and only then
  the location's own transitions.  So does an if/do one of whose options starts with
  an ``unless`` (pan's rule: the escape goes before every option there).

Each location carries SPIN's state number (numbering.py).  What a transition does to
shared state is the code generator's business: a transition here says which statement
it runs, where it goes, whether it keeps an atomic sequence going, and which escape
group it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast
from .errors import PromelaError
from .numbering import Numbers, is_special_label, number_body
from .symbols import Model, ProcType

BASIC, BRANCH, JUMP, END, COMPOUND = "basic", "branch", "jump", "end", "compound"


@dataclass(eq=False)
class Node:
    id: int
    kind: str
    pos: ast.Pos
    stmt: ast.Stmt | None = None
    next: Node | None = None
    options: list[Node] = field(default_factory=list)
    target: Node | str | None = None        # jump: a node or a label name
    inside: bool = False
    head: Node | None = None                # do entry: its loop head
    labels: list[str] = field(default_factory=list)
    dstep: Flow | None = None               # basic d_step node: the body's graph
    inner: Node | None = None               # compound: the entry of its body
    number: int = 0                         # SPIN's state number
    escapes: list[Node] = field(default_factory=list)   # unless: escape entries, outer first


@dataclass(eq=False)
class Transition:
    """One outgoing transition of a location."""

    stmt: ast.Stmt                          # basic statement, Goto (jump step) or DStep
    dest: int                               # target location
    keeps: bool = False                     # target is inside an atomic sequence
    dstep: Flow | None = None               # the body of a d_step transition
    step: int = -1                          # global step number (set by the compiler)
    escape: int = 0                         # 0: the location's own; k: k-th escape group


@dataclass(eq=False)
class Location:
    pc: int
    pos: ast.Pos
    transitions: list[Transition] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    inside: bool = False
    end: bool = False                       # valid end state (end label or body end)
    progress: bool = False
    accept: bool = False
    terminal: bool = False                  # the end of the body
    number: int = 0                         # SPIN's state number (pc_value, trails)


@dataclass(eq=False)
class Flow:
    """The locations of one body; ``entry`` is the initial program counter."""

    locations: list[Location]
    entry: int
    terminal: int


class _Builder:
    def __init__(self, model: Model, proc: ProcType, numbers: Numbers,
                 in_dstep: bool = False) -> None:
        self.m = model
        self.proc = proc
        self.numbers = numbers
        self.nodes: list[Node] = []
        self.labels: dict[str, Node] = {}
        self.in_dstep = in_dstep

    def error(self, pos: ast.Pos, message: str) -> PromelaError:
        return PromelaError(self.m.where(pos), message)

    def node(self, kind: str, pos: ast.Pos, **kw) -> Node:
        n = Node(len(self.nodes), kind, pos, **kw)
        self.nodes.append(n)
        return n

    def seq(self, stmts: list[ast.Stmt], nxt: Node, brk: Node | None) -> Node:
        for s in reversed(stmts):
            nxt = self.stmt(s, nxt, brk)
        return nxt

    def stmt(self, s: ast.Stmt, nxt: Node, brk: Node | None) -> Node:
        num = self.numbers.of.get(id(s), (0,))
        if isinstance(s, ast.Labeled):
            inner = self.stmt(s.stmt, nxt, brk)
            if isinstance(s.stmt, ast.Goto) and is_special_label(s.label):
                # SPIN puts a skip in front, so that the label is a place of its own
                one = ast.Num(s.pos, 1)
                inner = self.node(BASIC, s.pos, stmt=ast.ExprStmt(s.pos, one), next=inner,
                                  number=num[0])
            return self.labelled(inner, [s])
        if isinstance(s, ast.If):
            options, labels = self.option_labels(s)
            opts = [self.seq(o, nxt, brk) for o in options]
            return self.labelled(self.node(BRANCH, s.pos, options=opts, number=num[0]),
                                 labels)
        if isinstance(s, ast.Do):
            options, labels = self.option_labels(s)
            head = self.node(BRANCH, s.pos, number=num[0])
            head.options = [self.seq(o, head, nxt) for o in options]
            entry = self.node(BRANCH, s.pos, options=list(head.options), head=head,
                              number=num[0])
            return self.labelled(entry, labels)
        if isinstance(s, ast.Atomic):
            first = len(self.nodes)
            inner = self.seq(s.body, nxt, brk)
            for n in self.nodes[first:]:
                n.inside = True
            return self.node(COMPOUND, s.pos, inner=inner, number=num[0])
        if isinstance(s, ast.Block):
            return self.node(COMPOUND, s.pos, inner=self.seq(s.body, nxt, brk),
                             number=num[0])
        if isinstance(s, ast.Unless):
            if self.in_dstep:
                raise self.error(s.pos, "'unless' inside a d_step (SPIN ignores it with "
                                 "an error)")
            escape = self.seq(s.escape, nxt, brk)
            first = len(self.nodes)
            main = self.seq(s.body, nxt, brk)
            for n in self.nodes[first:]:
                n.escapes.insert(0, escape)
            return main
        if isinstance(s, ast.Goto):
            return self.node(JUMP, s.pos, stmt=s, target=s.label, number=num[0])
        if isinstance(s, ast.Break):
            if brk is None:
                raise self.error(s.pos, "'break' outside a do loop"
                                 + (" of this d_step" if self.in_dstep else ""))
            return self.node(JUMP, s.pos, stmt=s, target=brk, number=num[0])
        if isinstance(s, ast.DStep):
            sub = _Builder(self.m, self.proc, self.numbers, in_dstep=True)
            flow = sub.build(s.body)
            return self.node(BASIC, s.pos, stmt=s, next=nxt, dstep=flow, number=num[0])
        return self.node(BASIC, s.pos, stmt=s, next=nxt, number=num[0])

    def option_labels(self, s: ast.If | ast.Do) -> tuple[list[list[ast.Stmt]], list]:
        """Options without the labels at their heads; SPIN moves those to the if/do."""
        options, labels = [], []
        for opt in s.options:
            while opt and isinstance(opt[0], ast.Labeled):
                labels.append(opt[0])
                opt = [opt[0].stmt] + opt[1:]
            options.append(opt if self.proc.kind == "never" else _prune_skips(opt))
        for lab in labels:
            warning = (f"{self.m.where(lab.pos)}: warning: label {lab.label!r} at the head "
                       "of an option labels the whole if/do")
            if warning not in self.m.warnings:      # once, however often flows are built
                self.m.warnings.append(warning)
        return options, labels

    def labelled(self, n: Node, labels: list[ast.Labeled]) -> Node:
        for lab in labels:
            if lab.label in self.labels:
                raise self.error(lab.pos, f"label {lab.label!r} defined twice")
            self.labels[lab.label] = n
            n.labels.append(lab.label)
            if n.head is not None:
                n.head.labels.append(lab.label)
        return n

    # ---- from nodes to locations ----

    def target(self, n: Node) -> Node:
        t = n.target
        if isinstance(t, str):
            if t not in self.labels:
                where = "this d_step" if self.in_dstep else self.proc.name
                raise self.error(n.pos, f"goto to a label outside {where}: {t!r}")
            t = self.labels[t]
        return t

    def canonical(self, n: Node) -> Node:
        """Follow jumps; a cycle of jumps becomes a location with one jump step."""
        seen = []
        while n.kind == JUMP:
            if n in seen:
                n.kind = "loop"
                return n
            seen.append(n)
            n = self.target(n)
        return n

    def transitions(self, n: Node) -> list[tuple[Node, Node, int]]:
        """(node holding the statement, target, escape group) for each transition out
        of location ``n``: the escape groups first, then its own."""
        out = [(src, dest, k + 1) for k, e in enumerate(self.escapes(n))
               for src, dest in self.own(e)]
        return out + [(src, dest, 0) for src, dest in self.own(n)]

    @staticmethod
    def starts(locations: list[Node]) -> dict[int, list[Node]]:
        """For each node that locations' transitions start with (an if/do, a block or a
        statement at the head of an option), those locations: a label there names the
        place before its first statement, so it labels them (an ``accept`` label in an
        if that begins an option; a do's entry and loop head both start its options)."""
        out: dict[int, list[Node]] = {}
        for n in locations:
            stack, seen = [n], {n.id}
            while stack:
                m = stack.pop()
                for h in _heads(m):
                    if h.id not in seen:
                        seen.add(h.id)
                        out.setdefault(h.id, []).append(n)
                        stack.append(h)
        return out

    def escapes(self, n: Node, depth: int = 0) -> list[Node]:
        """The escapes that hold at location ``n``, outer first: those of the ``unless``
        bodies ``n`` is in, and of those its own transitions start (an option or a block
        that begins with an ``unless``: pan tries that escape first at the if/do too,
        before every option)."""
        if depth > 200:
            raise self.error(n.pos, "options nested too deeply")
        out = list(n.escapes)
        for head in _heads(n):
            for e in self.escapes(head, depth + 1):
                if e not in out:
                    out.append(e)
        return out

    def own(self, n: Node, depth: int = 0) -> list[tuple[Node, Node]]:
        """(node holding the statement, target) for each transition that starts with
        ``n``'s own statement."""
        if depth > 200:
            raise self.error(n.pos, "options nested too deeply")
        if n.kind == BASIC:
            return [(n, self.canonical(n.next))]
        if n.kind == "loop" or n.kind == JUMP:   # a jump as the first statement: a step
            return [(n, self.canonical(self.target(n)))]
        if n.kind == COMPOUND:
            return self.own(n.inner, depth + 1)
        if n.kind == BRANCH:
            out = []
            for opt in n.options:
                out.extend(self.own(opt, depth + 1))
            elses = [t for t in out if isinstance(t[0].stmt, ast.Else)]
            if len(elses) > 1:
                raise self.error(n.pos, "more than one 'else' at the same point")
            return [t for t in out if not isinstance(t[0].stmt, ast.Else)] + elses
        return []

    def build(self, body: list[ast.Stmt], end_pos: ast.Pos | None = None) -> Flow:
        pos = end_pos or (body[-1].pos if body else self.proc.pos)
        end = self.node(END, pos, number=self.numbers.end)
        entry = self.canonical(self.seq(body, end, None))
        order: dict[int, Location] = {}
        pending = [entry, end]
        nodes: dict[int, Node] = {}
        while pending:
            n = pending.pop(0)
            if n.id in order:
                continue
            order[n.id] = Location(len(order), n.pos, inside=n.inside,
                                   terminal=n.kind == END, number=n.number)
            nodes[n.id] = n
            if n.kind == BASIC and isinstance(n.stmt, ast.Else):
                raise self.error(n.pos, "'else' can only start an option of an if or do")
            for _src, dest, _group in self.transitions(n):
                pending.append(dest)
        starts = self.starts(list(nodes.values()))
        for node in list(self.labels.values()):
            for target in (node, node.head):
                if target is None:
                    continue
                c = self.canonical(target)
                for at in [c] if c.id in order else starts.get(c.id, []):
                    for lab in node.labels:
                        if lab not in order[at.id].labels:
                            order[at.id].labels.append(lab)
        for nid, loc in order.items():
            for src, dest, group in self.transitions(nodes[nid]):
                d = order[dest.id]
                loc.transitions.append(Transition(src.stmt, d.pc, keeps=d.inside,
                                                  dstep=src.dstep, escape=group))
            loc.end = loc.terminal or any(x.startswith("end") for x in loc.labels)
            loc.progress = any(x.startswith("progress") for x in loc.labels)
            loc.accept = any(x.startswith("accept") for x in loc.labels)
        return Flow(list(order.values()), order[entry.id].pc, order[end.id].pc)


def _heads(n: Node) -> list[Node]:
    """The nodes whose statements start ``n``'s own transitions, one level down: an
    if/do's options, a block's (atomic's) first statement."""
    return n.options if n.kind == BRANCH else [n.inner] if n.kind == COMPOUND else []


def _is_skip(s: ast.Stmt) -> bool:
    return isinstance(s, ast.Printf | ast.Printm) or (
        isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.Num) and s.expr.value == 1)


def _prune_skips(option: list[ast.Stmt]) -> list[ast.Stmt]:
    """SPIN drops a ``skip`` (or ``true``, ``1``) that follows another skip-like statement
    (a ``printf`` counts) in an option of a process's if/do, unless it is labelled or
    the option's first or last statement: it is not a step of its own."""
    out = []
    run = 0
    for k, s in enumerate(option):
        run = run + 1 if _is_skip(s) else 0
        if run > 1 and not isinstance(s, ast.Printf | ast.Printm) and 0 < k < len(option) - 1:
            continue
        out.append(s)
    return out


def build_flow(model: Model, proc: ProcType) -> Flow:
    """The locations and transitions of ``proc``'s body."""
    return _Builder(model, proc, number_body(proc.body)).build(proc.body, proc.end)
