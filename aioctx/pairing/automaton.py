"""The model as an automaton over the code's labelled operations.

Every state of the model variant that an execution can reach is a node (the graph is
explored on demand, from the states the executions lead to).  A move of a mapped process out
of a location whose statement label is mapped is *visible*: it reads the event
(thread, impl label); every other move (unlabelled statements, unmapped processes) is
*silent*.  The code conforms on one execution when the execution's labelled operations,
in order, are the visible events of some path of the model, silent moves anywhere in
between (weak trace inclusion).  ``run`` follows an execution through the automaton
with the set of states the model can be in (closed under silent moves); a step to the
empty set is where the code does what the model does not allow.

Values.  An event also carries what the operation found and left in the object it
touched (``sim.strategies.ordered.observed``); when the mapping pairs that object with a
model variable, a visible move matches only if the variable held the same value before
the move (a read, the old value of a read-modify-write) and after it (a write, the new
value).  Booleans count as 0/1.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.system import AssertionViolation
from ..sim.strategies.ordered import observed

if TYPE_CHECKING:
    from ..sim.trace import Step
    from .correspondence import Correspondence

#: states the automaton explores before it gives up (what it explored stays in memory)
MAX_STATES = 1_000_000


@dataclass(frozen=True)
class Event:
    """One labelled operation of the code, as the model sees it."""

    thread: str
    label: str
    obj: str = ""
    before: int | None = None
    after: int | None = None

    def describe(self) -> str:
        text = f"{self.thread}: {self.label}"
        if self.before is not None:
            text += f" finds {self.obj} = {self.before}"
        if self.after is not None:
            text += f" leaves {self.obj} = {self.after}"
        return text


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) else None


def event_of(step: Step, thread: str) -> Event:
    """The event of a traced operation (values kept only when they are numbers)."""
    found, left = observed(step.op, step.value)
    return Event(thread, step.label or "", step.obj, _number(found), _number(left))


def project(trace: list[Step], threads: list[str], alphabet: dict[str, frozenset[str]]
            ) -> list[tuple[int, Event]]:
    """(trace index, event) of each operation the model speaks of, in order."""
    out = []
    for i, step in enumerate(trace):
        if not 0 <= step.tid < len(threads):
            continue
        name = threads[step.tid]
        labels = alphabet.get(name)
        if labels is not None and step.label in labels:
            out.append((i, event_of(step, name)))
    return out


@dataclass(frozen=True)
class Move:
    """A visible move: who, which label, from and to which node, by which step."""

    thread: str
    label: str
    source: int
    target: int
    pid: int
    step: int


class Automaton:
    """The state graph of ``corr.system`` split into silent and visible moves, built
    on demand: only the states an execution can reach are ever explored."""

    def __init__(self, corr: Correspondence, max_states: int = MAX_STATES) -> None:
        self.corr = corr
        self.system = corr.system
        self.max_states = max_states
        self.states: list[Any] = []
        self.index: dict[Any, int] = {}
        self._moves: list[tuple[list[int], list[Move]] | None] = []
        self.errors: dict[int, str] = {}        # node -> assertion its moves violate
        self._names: dict[int, str] = {}        # pid -> proctype name (fixed per model)
        self._closure: dict[int, frozenset[int]] = {}
        self._after: dict[tuple[frozenset[int], Event], frozenset[int]] = {}
        self._values: dict[int, dict[str, Any]] = {}
        self.initial = self._node(self.system.initial_states()[0])
        self.start = self.closure([self.initial])

    def _node(self, state: Any) -> int:
        n = self.index.get(state)
        if n is None:
            if len(self.states) >= self.max_states:
                raise ValueError(f"{self.system.name}: the executions reach more than "
                                 f"{self.max_states:,} model states; too large to pair "
                                 "with the code")
            n = self.index[state] = len(self.states)
            self.states.append(state)
            self._moves.append(None)
        return n

    def moves(self, n: int) -> tuple[list[int], list[Move]]:
        """(silent targets, visible moves) out of node ``n``."""
        found = self._moves[n]
        if found is not None:
            return found
        silent: list[int] = []
        visible: list[Move] = []
        s = self.states[n]
        try:
            moves = list(self.system.successors(s))
        except AssertionViolation as exc:
            self.errors[n] = exc.message
            moves = []
        corr = self.corr
        for pid, step, t in moves:
            m = self._node(t)
            proc = self._names.get(pid)
            if proc is None:
                proc = self._names[pid] = self.system.process_name(s, pid).split("(", 1)[0]
            thread = corr.threads.get(proc)
            label = corr.visible.get(step) if thread is not None else None
            if label is None:
                silent.append(m)
            else:
                visible.append(Move(thread, label, n, m, pid, step))
        found = self._moves[n] = (silent, visible)
        return found

    def __len__(self) -> int:
        return len(self.states)

    # ---- silent moves ----

    def closure(self, nodes: list[int] | frozenset[int]) -> frozenset[int]:
        """Every node reachable from ``nodes`` by silent moves (``nodes`` included)."""
        out: set[int] = set()
        for n in nodes:
            cached = self._closure.get(n)
            if cached is None:
                cached = self._closure[n] = self._reach(n)
            out |= cached
        return frozenset(out)

    def _reach(self, n: int) -> frozenset[int]:
        seen = {n}
        stack = [n]
        while stack:
            for m in self.moves(stack.pop())[0]:
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
        return frozenset(seen)

    # ---- visible moves ----

    def value(self, node: int, var: str) -> Any:
        table = self._values.get(node)
        if table is None:
            all_vars = self.system.variables(self.states[node])
            table = self._values[node] = {v: all_vars.get(v) for v in self.corr.variables}
        return table.get(var)

    def agrees(self, move: Move, event: Event) -> bool:
        """Does ``move`` read ``event``, values included?"""
        if move.thread != event.thread or move.label != event.label:
            return False
        for var, obj in self.corr.variables.items():
            if obj != event.obj:
                continue
            if event.before is not None and self.value(move.source, var) != event.before:
                return False
            if event.after is not None and self.value(move.target, var) != event.after:
                return False
        return True

    def after(self, nodes: frozenset[int], event: Event) -> frozenset[int]:
        """The nodes the model can be in after ``event`` from ``nodes`` (silent moves
        after it included); empty if the model does not allow it there."""
        key = (nodes, event)
        found = self._after.get(key)
        if found is None:
            targets = [mv.target for n in nodes for mv in self.moves(n)[1]
                       if self.agrees(mv, event)]
            found = self._after[key] = self.closure(targets)
        return found

    def allowed(self, nodes: frozenset[int]) -> list[Move]:
        """The visible moves the model could make next from ``nodes`` (one per thread,
        label and variable values)."""
        out: dict[tuple, Move] = {}
        for n in sorted(nodes):
            for mv in self.moves(n)[1]:
                key = (mv.thread, mv.label, tuple(self.value(n, v) for v in self.corr.variables))
                out.setdefault(key, mv)
        return list(out.values())

    def run(self, events: list[Event]) -> tuple[int, frozenset[int]]:
        """Follow ``events``: (how many the model allows, the nodes before the first it
        does not allow, or after the last)."""
        nodes = self.start
        for i, ev in enumerate(events):
            nxt = self.after(nodes, ev)
            if not nxt:
                return i, nodes
            nodes = nxt
        return len(events), nodes

    def path_to(self, events: list[Event], upto: int) -> list[tuple[int, int, int]]:
        """A model path reading ``events[:upto]``: (pid, step, node) moves from the
        initial state, silent ones included (for pictures and reports)."""
        frontier: dict[int, list[tuple[int, int, int]]] = {self.initial: []}
        frontier = self._silent_paths(frontier)
        for ev in events[:upto]:
            nxt: dict[int, list[tuple[int, int, int]]] = {}
            for n, path in frontier.items():
                for mv in self.moves(n)[1]:
                    if mv.target not in nxt and self.agrees(mv, ev):
                        nxt[mv.target] = path + [(mv.pid, mv.step, mv.target)]
            frontier = self._silent_paths(nxt)
        return min(frontier.values(), key=len) if frontier else []

    def _silent_paths(self, frontier: dict[int, list[tuple[int, int, int]]]
                      ) -> dict[int, list[tuple[int, int, int]]]:
        """Extend each path by silent moves (shortest first) to every node they reach."""
        out = dict(frontier)
        queue = deque(frontier)
        while queue:
            n = queue.popleft()
            for pid, step, t in self._silent_moves(n):
                if t not in out:
                    out[t] = out[n] + [(pid, step, t)]
                    queue.append(t)
        return out

    def _silent_moves(self, n: int) -> list[tuple[int, int, int]]:
        visible = {(mv.pid, mv.step, mv.target) for mv in self.moves(n)[1]}
        out = []
        try:
            moves = self.system.successors(self.states[n])
        except AssertionViolation:
            return []
        for pid, step, t in moves:
            m = self.index[t]
            if (pid, step, m) not in visible:
                out.append((pid, step, m))
        return out
