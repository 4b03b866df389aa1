"""Liveness search: acceptance cycles and non-progress cycles, optionally weakly fair.

One depth-first pass computes strongly connected components on the fly (Couvreur's
algorithm, a Tarjan variant with a stack of SCC roots) and keeps, per component, what
its internal cycles can achieve:

* ``acc``: it contains an accepting state;
* ``moved``: the pids that take a transition inside it (bit masks);
* ``always``: the pids that can move in *every* non-exclusive state of it.

A component (with at least one internal edge) holds a weakly fair cycle iff every
process moves in it or is blocked in one of its states, i.e. ``universe & ~moved &
always == 0``; such a cycle visits every state and edge of the component, so the test
is exact (weak fairness is a generalized Büchi condition).  This decides the same
question as SPIN's ``-f`` construction with its (N+2) copies of the graph, without
multiplying the states.

The processes fairness is about are those that move somewhere in the explored graph; a
process that never moves is blocked everywhere and so never makes a cycle unfair.

A component in which only the never claim moves (the system is at a dead end and the
claim stutters) is judged, where ``system.spin_stutter_fairness`` asks for it, as
SPIN's ``pan -f`` judges it: it holds a weakly fair acceptance cycle only if it holds
a cycle of accepting states alone (``pan -a`` needs one accepting state, as for any
cycle).  Found by experiment with SPIN 6.5.2 on never claims of a dozen shapes
(tests/promela/models/claim_stutter_fair.pml).

Non-progress cycles are cycles of the subgraph of non-progress states: a progress state
is never pushed as a DFS child of a non-progress state; it is queued and explored later
as the root of a tree of its own, so no component ever contains it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .monitor import TICK_MASK, Monitor, table_bytes
from .result import (
    ACCEPTANCE,
    INCOMPLETE,
    NON_PROGRESS,
    OK,
    VIOLATION,
    Counterexample,
    Result,
    build_steps,
)
from .search import (
    call_predicate,
    check_invariant,
    distinct_initial_states,
    fair_movers,
    path_counterexample,
    successors_error,
    unhashable,
)
from .system import AssertionViolation, ModelError, State, TransitionSystem

_PENDING = -1            # discovered, not explored, not a progress state
_PENDING_PROGRESS = -2   # discovered, not explored, a progress state
# An explored state keeps its DFS number in H; ``dead[number]`` becomes 1 when its
# component is complete.  A component's states are numbered from its root's number up
# to the last number given so far, so completing it is one slice assignment.

Move = tuple[int, int, State]


class _Found(Exception):
    """Unwinds the search once ``result`` holds a violation."""


def cycle_search(system: TransitionSystem, monitor: Monitor, result: Result,
                 mode: str, fair: bool) -> None:
    """Search ``system`` for an acceptance (or non-progress) cycle; fills ``result``."""
    succ = system.successors
    invariant = system.invariant
    exclusive = system.exclusive
    nonprogress = mode == "non-progress"
    accepting = None if nonprogress else system.accepting
    progress = system.progress if nonprogress else None
    extend_dead_ends = system.extend_dead_ends
    max_states, max_depth = monitor.max_states, monitor.max_depth

    H: dict[Any, int] = {}
    setdefault = H.setdefault
    monitor.watch(H)
    live: list[Any] = []
    # SCC roots, innermost last: [dfs number, position in ``live``, acc, moved, always,
    # bit of the tree edge that entered the root].  Process p is bit p + 1 of the masks;
    # bit 0 stands for the never claim moving alone, which no fairness is about.  A
    # component with an internal edge has a non-zero ``moved``.
    roots: list[list] = []
    # DFS frames: (state, iterator over its successors, is it a progress state, number)
    frames: list[tuple[Any, Any, bool, int]] = []
    dead = bytearray(1)
    pending: list[Any] = []
    counter = 0
    ntrans = 0
    deepest = 0
    universe = 0
    truncated: str | None = None

    def new_target(t: State) -> bool:
        """Checks made once per new state (its invariant); True if it is a progress
        state."""
        if invariant is not None:
            msg = check_invariant(system, t)
            if msg:
                _report_path(system, result, "invariant", msg, t, None)
                raise _Found
        return progress is not None and bool(
            call_predicate(system, "progress predicate", progress, t))

    try:
        for s0 in distinct_initial_states(system):
            H[s0] = _PENDING_PROGRESS if new_target(s0) else _PENDING
            pending.append(s0)
        pending.reverse()
        # ``enter`` is the state to push next (with ``inbit``, ``prog``), or None
        enter: Any = None
        inbit = 0
        prog = False
        numbered = False
        while True:
            if enter is not None:
                # -- push ``enter``: a new DFS frame and a new (trivial) component
                s = enter
                enter = None
                try:
                    ts = succ(s)
                    if ts.__class__ is not list:
                        ts = list(ts)
                except AssertionViolation as exc:
                    _report_path(system, result, exc.kind, exc.message, s, exc)
                    raise _Found from None
                except ModelError:
                    raise
                except Exception as exc:
                    raise successors_error(system, exc) from exc
                ntrans += len(ts)
                counter += 1
                if not numbered:
                    H[s] = counter
                live.append(s)
                acc = False
                if accepting is not None:
                    acc = bool(call_predicate(system, "accepting predicate", accepting, s))
                    if acc and not ts and extend_dead_ends:
                        _report_stutter(system, result, s)
                        raise _Found
                always = -1
                if fair:
                    movers = 0
                    for pid in fair_movers(system, s, ts):
                        movers |= 1 << (pid + 1)
                    universe |= movers
                    if exclusive is None or exclusive(s) is None:
                        always = movers
                roots.append([counter, len(live) - 1, acc, 0, always, inbit])
                frames.append((s, iter(ts), prog, counter))
                dead.append(0)
                if len(frames) > deepest:
                    deepest = len(frames)
                if not counter & TICK_MASK:
                    reason = monitor.tick(len(H), ntrans, len(frames))
                    if reason:
                        truncated = reason
                        break
            if not frames:
                # -- the next tree: a pending state nobody has explored yet
                while pending:
                    s0 = pending.pop()
                    h0 = H[s0]
                    if h0 < 0:
                        enter, inbit, numbered = s0, 0, False
                        prog = h0 == _PENDING_PROGRESS
                        break
                if enter is None:
                    break
                continue
            source, successors, prog, number = frames[-1]
            fresh = counter + 1                 # the number the next new state gets
            for pid, step, t in successors:
                try:
                    h = setdefault(t, fresh)
                except TypeError as exc:
                    raise unhashable(system, source, pid, step, exc) from exc
                if h == fresh:
                    # a state never seen: provisionally numbered, pushed unless it is
                    # a progress state or reached from one (then it waits its turn)
                    if len(H) > max_states:
                        del H[t]
                        truncated = "states"
                        break
                    if new_target(t):
                        H[t] = _PENDING_PROGRESS
                        pending.append(t)
                        continue
                    if prog:
                        H[t] = _PENDING
                        pending.append(t)
                        continue
                    if len(frames) >= max_depth:
                        del H[t]
                        truncated = "depth"
                        continue
                    enter, inbit, numbered = t, 1 << (pid + 1), True
                    break
                if h > 0:
                    if prog or dead[h]:
                        continue
                    # an edge inside the live part of the graph: merge components
                    bit = 1 << (pid + 1)        # pid -1 (the claim alone) -> bit 0
                    top = roots[-1]
                    if top[0] <= h:
                        if top[3] & bit and (top[3] != 1 or not fair):
                            continue            # nothing new for this component
                        moved = top[3] = top[3] | bit
                    else:
                        acc = False
                        moved = bit
                        always = -1
                        while top[0] > h:
                            roots.pop()
                            acc |= top[2]
                            moved |= top[3] | top[5]
                            always &= top[4]
                            top = roots[-1]
                        if acc:
                            top[2] = True
                        moved = top[3] = top[3] | moved
                        top[4] &= always
                    component = live[top[1]:]
                    if (nonprogress or top[2]) and fair and moved == 1 and \
                            system.spin_stutter_fairness:
                        component = _accepting_core(system, component)
                    if (nonprogress or top[2]) and component and (
                            not fair or not universe & ~moved & top[4]):
                        _report_cycle(system, result, mode, fair, component,
                                      universe >> 1)
                        raise _Found
                elif h == _PENDING and not prog:
                    if len(frames) >= max_depth:
                        truncated = "depth"
                        continue
                    enter, inbit, numbered = t, 1 << (pid + 1), False
                    break
                # other targets (pending progress states) add nothing
            else:
                frames.pop()
                if roots[-1][0] == number:
                    del live[roots.pop()[1]:]
                    if number == counter:
                        dead[number] = 1
                    else:
                        dead[number:] = b"\1" * (counter + 1 - number)
                continue
            if truncated == "states":
                break
    except _Found:
        pass
    monitor.account(table_bytes(H, live, roots, frames))
    result.states, result.transitions, result.max_depth = len(H), ntrans, deepest
    if result.verdict != VIOLATION:
        result.verdict = INCOMPLETE if truncated else OK
        result.limit = truncated


# -- counterexamples ----------------------------------------------------------------

def shortest_path(system: TransitionSystem, goal: State) -> tuple[State, list[Move]]:
    """A shortest path from an initial state to ``goal`` (by breadth-first search)."""
    parents: dict[Any, tuple[Any, int, int] | None] = {}
    queue: deque = deque()
    for s in system.initial_states():
        if s not in parents:
            parents[s] = None
            queue.append(s)
    while queue:
        s = queue.popleft()
        if s == goal:
            break
        try:
            moves = list(system.successors(s))
        except AssertionViolation:
            continue
        for pid, step, t in moves:
            if t not in parents:
                parents[t] = (s, pid, step)
                queue.append(t)
    moves_back: list[Move] = []
    s = goal
    while parents[s] is not None:
        prev, pid, step = parents[s]
        moves_back.append((pid, step, s))
        s = prev
    moves_back.reverse()
    return s, moves_back


def _report_path(system: TransitionSystem, result: Result, kind: str, message: str,
                 state: State, failed: AssertionViolation | None) -> None:
    initial, moves = shortest_path(system, state)
    result.verdict, result.kind, result.message = VIOLATION, kind, message
    result.counterexample = path_counterexample(system, kind, message, initial, moves, failed)


def _report_stutter(system: TransitionSystem, result: Result, state: State) -> None:
    initial, moves = shortest_path(system, state)
    msg = "an accepting state in which no process can move (it repeats forever)"
    result.verdict, result.kind, result.message = VIOLATION, ACCEPTANCE, msg
    result.counterexample = Counterexample(
        ACCEPTANCE, msg, initial, system.variables(initial),
        build_steps(system, initial, moves), [], liveness=True)


def _report_cycle(system: TransitionSystem, result: Result, mode: str, fair: bool,
                  component: list[State], universe: int) -> None:
    cycle_start = component[0]
    cycle = _component_cycle(system, component, mode, fair, universe)
    initial, prefix = shortest_path(system, cycle_start)
    kind = NON_PROGRESS if mode == "non-progress" else ACCEPTANCE
    msg = ("a cycle that never passes a progress state" if kind == NON_PROGRESS
           else "a cycle through an accepting state")
    if fair:
        msg += " (weakly fair: every process moves or is blocked on it)"
    prefix_steps = build_steps(system, initial, prefix)
    cycle_steps = build_steps(system, cycle_start, cycle)
    result.verdict, result.kind, result.message = VIOLATION, kind, msg
    result.counterexample = Counterexample(kind, msg, initial, system.variables(initial),
                                           prefix_steps, cycle_steps, liveness=True)


def _accepting_core(system: TransitionSystem, component: list[State]) -> list[State]:
    """The states of a cycle of accepting states alone in ``component``, strongly
    connected; empty if there is none."""
    accepting = [s for s in component if system.accepting(s)]
    members = set(accepting)
    succ = {s: [t for _, _, t in system.successors(s) if t in members] for s in accepting}
    pred: dict[Any, list[State]] = {s: [] for s in accepting}
    for s in accepting:
        for t in succ[s]:
            pred[t].append(s)
    for s in accepting:
        ahead = _reach(s, succ)
        if s in ahead:
            behind = _reach(s, pred)
            return [t for t in accepting if t in ahead and t in behind]
    return []


def _reach(start: State, edges: dict[Any, list[State]]) -> set:
    """The states one or more edges away from ``start``."""
    seen: set = set()
    stack = list(edges[start])
    while stack:
        s = stack.pop()
        if s not in seen:
            seen.add(s)
            stack.extend(edges[s])
    return seen


def _report_cycle_path(system: TransitionSystem, result: Result, mode: str, fair: bool,
                       initial: State, prefix: list[Move], cycle_start: State,
                       cycle: list[Move]) -> None:
    """Report a cycle found along known moves: ``prefix`` from ``initial`` to
    ``cycle_start``, then ``cycle`` back to it."""
    kind = NON_PROGRESS if mode == "non-progress" else ACCEPTANCE
    msg = ("a cycle that never passes a progress state" if kind == NON_PROGRESS
           else "a cycle through an accepting state")
    if fair:
        msg += " (weakly fair: every process moves or is blocked on it)"
    result.verdict, result.kind, result.message = VIOLATION, kind, msg
    result.counterexample = Counterexample(
        kind, msg, initial, system.variables(initial), build_steps(system, initial, prefix),
        build_steps(system, cycle_start, cycle), liveness=True)


def _component_cycle(system: TransitionSystem, component: list[State], mode: str,
                     fair: bool, universe: int) -> list[Move]:
    """A cycle inside ``component`` (strongly connected) that meets the condition."""
    members = set(component)
    edges: dict[Any, list[Move]] = {}
    movers: dict[Any, int] = {}
    exclusive = system.exclusive
    for s in component:
        ts = list(system.successors(s))
        edges[s] = [m for m in ts if m[2] in members]
        movers[s] = sum(1 << pid for pid in fair_movers(system, s, ts))
    start = component[0]
    goals: list[tuple[State, Move | None]] = []       # (state, then this edge) to visit
    if mode == "acceptance":
        accepting = next(s for s in component if system.accepting(s))
        goals.append((accepting, None))
    if fair:
        for pid in range(universe.bit_length()):
            bit = 1 << pid
            if not universe & bit:
                continue
            blocked_at = next((s for s in component if not movers[s] & bit and
                               (exclusive is None or exclusive(s) is None)), None)
            if blocked_at is not None:
                goals.append((blocked_at, None))
                continue
            edge = next((s, m) for s in component for m in edges[s] if m[0] == pid)
            goals.append(edge)
    cycle: list[Move] = []
    here = start
    for state, move in goals:
        cycle += _path_within(edges, here, state)
        here = state
        if move is not None:
            cycle.append(move)
            here = move[2]
    if not cycle and here == start:
        first = edges[start][0]
        cycle.append(first)
        here = first[2]
    cycle += _path_within(edges, here, start)
    return cycle


def _path_within(edges: dict[Any, list[Move]], source: State, goal: State) -> list[Move]:
    if source == goal:
        return []
    parents: dict[Any, tuple[Any, Move]] = {}
    queue = deque([source])
    seen = {source}
    while queue:
        s = queue.popleft()
        for move in edges[s]:
            t = move[2]
            if t in seen:
                continue
            seen.add(t)
            parents[t] = (s, move)
            if t == goal:
                path = []
                while t != source:
                    s, m = parents[t]
                    path.append(m)
                    t = s
                path.reverse()
                return path
            queue.append(t)
    raise AssertionError("component is not strongly connected")
