"""Control flow of a process body: locations (program counters) and their transitions.

The body is turned into nodes (a statement, a branch point of an ``if``/``do``, or a
jump) and then into *locations*, the places a process can be at, each with its
outgoing transitions in SPIN's order (``else`` last).  SPIN's structural rules:

* ``if``/``do`` have no transition of their own: their options' first statements start
  at the branch location.  A ``do`` has an entry location and a loop head with the same
  options; the body loops back to the head (inside an ``atomic``, the head is inside the
  sequence, so looping keeps control).
* ``goto``/``break`` after a statement take no step (the statement jumps directly);
  as the first statement of an option they are a step that is always executable.
* A location is *inside* an ``atomic`` sequence when it was created in its body and is
  not its entry; a transition whose target is inside keeps control for its process.
* ``d_step`` is one transition; its body gets its own small graph that the code
  generator runs to completion in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast
from .errors import PromelaError
from .symbols import Model, ProcType

BASIC, BRANCH, JUMP, END = "basic", "branch", "jump", "end"


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


@dataclass(eq=False)
class Transition:
    """One outgoing transition of a location."""

    stmt: ast.Stmt                          # basic statement, Goto (jump step) or DStep
    dest: int                               # target location
    keeps: bool = False                     # target is inside an atomic sequence
    dstep: Flow | None = None               # the body of a d_step transition
    step: int = -1                          # global step number (set by the compiler)


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


@dataclass(eq=False)
class Flow:
    """The locations of one body; ``entry`` is the initial program counter."""

    locations: list[Location]
    entry: int
    terminal: int


class _Builder:
    def __init__(self, model: Model, proc: ProcType, in_dstep: bool = False) -> None:
        self.m = model
        self.proc = proc
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
        if isinstance(s, ast.Labeled):
            return self.labelled(self.stmt(s.stmt, nxt, brk), [s])
        if isinstance(s, ast.If):
            options, labels = self.option_labels(s)
            opts = [self.seq(o, nxt, brk) for o in options]
            return self.labelled(self.node(BRANCH, s.pos, options=opts), labels)
        if isinstance(s, ast.Do):
            options, labels = self.option_labels(s)
            head = self.node(BRANCH, s.pos)
            head.options = [self.seq(o, head, nxt) for o in options]
            entry = self.node(BRANCH, s.pos, options=list(head.options), head=head)
            return self.labelled(entry, labels)
        if isinstance(s, ast.Atomic):
            first = len(self.nodes)
            entry = self.seq(s.body, nxt, brk)
            for n in self.nodes[first:]:
                n.inside = True
            if entry.id >= first:
                entry.inside = False
            return entry
        if isinstance(s, ast.Block):
            return self.seq(s.body, nxt, brk)
        if isinstance(s, ast.Goto):
            return self.node(JUMP, s.pos, stmt=s, target=s.label)
        if isinstance(s, ast.Break):
            if brk is None:
                raise self.error(s.pos, "'break' outside a do loop"
                                 + (" of this d_step" if self.in_dstep else ""))
            return self.node(JUMP, s.pos, stmt=s, target=brk)
        if isinstance(s, ast.DStep):
            sub = _Builder(self.m, self.proc, in_dstep=True)
            flow = sub.build(s.body)
            return self.node(BASIC, s.pos, stmt=s, next=nxt, dstep=flow)
        return self.node(BASIC, s.pos, stmt=s, next=nxt)

    def option_labels(self, s: ast.If | ast.Do) -> tuple[list[list[ast.Stmt]], list]:
        """Options without the labels at their heads; SPIN moves those to the if/do."""
        options, labels = [], []
        for opt in s.options:
            while opt and isinstance(opt[0], ast.Labeled):
                labels.append(opt[0])
                opt = [opt[0].stmt] + opt[1:]
            options.append(opt)
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

    def transitions(self, n: Node, depth: int = 0) -> list[tuple[Node, Node]]:
        """(node holding the statement, target) for each transition out of ``n``."""
        if depth > 200:
            raise self.error(n.pos, "options nested too deeply")
        if n.kind == BASIC:
            return [(n, self.canonical(n.next))]
        if n.kind == "loop":
            return [(n, self.canonical(self.target(n)))]
        if n.kind == BRANCH:
            out = []
            for opt in n.options:
                if opt.kind == JUMP:         # goto/break as an option's first statement
                    out.append((opt, self.canonical(self.target(opt))))
                else:
                    out.extend(self.transitions(opt, depth + 1))
            elses = [t for t in out if isinstance(t[0].stmt, ast.Else)]
            if len(elses) > 1:
                raise self.error(n.pos, "more than one 'else' at the same point")
            return [t for t in out if not isinstance(t[0].stmt, ast.Else)] + elses
        return []

    def build(self, body: list[ast.Stmt]) -> Flow:
        pos = body[-1].pos if body else self.proc.pos
        end = self.node(END, pos)
        entry = self.canonical(self.seq(body, end, None))
        order: dict[int, Location] = {}
        pending = [entry, end]
        nodes: dict[int, Node] = {}
        while pending:
            n = pending.pop(0)
            if n.id in order:
                continue
            order[n.id] = Location(len(order), n.pos, inside=n.inside,
                                   terminal=n.kind == END)
            nodes[n.id] = n
            if n.kind == BASIC and isinstance(n.stmt, ast.Else):
                raise self.error(n.pos, "'else' can only start an option of an if or do")
            for _src, dest in self.transitions(n):
                pending.append(dest)
        for node in list(self.labels.values()):
            for target in (node, node.head):
                if target is not None and self.canonical(target).id in order:
                    c = self.canonical(target)
                    for lab in node.labels:
                        if lab not in order[c.id].labels:
                            order[c.id].labels.append(lab)
        for nid, loc in order.items():
            for src, dest in self.transitions(nodes[nid]):
                d = order[dest.id]
                loc.transitions.append(Transition(src.stmt, d.pc, keeps=d.inside,
                                                  dstep=src.dstep))
            loc.end = loc.terminal or any(x.startswith("end") for x in loc.labels)
            loc.progress = any(x.startswith("progress") for x in loc.labels)
            loc.accept = any(x.startswith("accept") for x in loc.labels)
        return Flow(list(order.values()), order[entry.id].pc, order[end.id].pc)


def build_flow(model: Model, proc: ProcType) -> Flow:
    """The locations and transitions of ``proc``'s body."""
    return _Builder(model, proc).build(proc.body)
