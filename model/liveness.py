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

Non-progress cycles are cycles of the subgraph of non-progress states: a progress state
is never pushed as a DFS child of a non-progress state; it is queued and explored later
as the root of a tree of its own, so no component ever contains it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .monitor import TICK_MASK, Monitor
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
from .safety import check_invariant, predicate_error, successors_error, unhashable
from .system import AssertionViolation, ModelError, State, TransitionSystem

_PENDING = -1            # discovered, not explored, not a progress state
_PENDING_PROGRESS = -2   # discovered, not explored, a progress state
_DEAD = 0                # explored, its component is complete

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
    max_states, max_depth = monitor.max_states, monitor.max_depth

    H: dict[Any, int] = {}
    live: list[Any] = []
    # SCC roots: dfs number, position in ``live``, acc, moved, always, bit of entry edge
    r_num: list[int] = []
    r_live: list[int] = []
    r_acc: list[bool] = []
    r_moved: list[int] = []
    r_always: list[int] = []
    r_in: list[int] = []
    # DFS frames: state, its successors, next position, is a progress state
    f_state: list[Any] = []
    f_succ: list[list] = []
    f_pos: list[int] = []
    f_prog: list[bool] = []
    pending: list[Any] = []
    counter = 0
    ntrans = 0
    deepest = 0
    universe = 0
    truncated: str | None = None

    def is_progress(s: State) -> bool:
        try:
            return bool(progress(s))
        except ModelError:
            raise
        except Exception as exc:
            raise predicate_error(system, "progress predicate", exc) from exc

    def is_accepting(s: State) -> bool:
        try:
            return bool(accepting(s))
        except ModelError:
            raise
        except Exception as exc:
            raise predicate_error(system, "accepting predicate", exc) from exc

    def discover(s: State) -> None:
        """Checks made once per new state: its invariant."""
        if invariant is not None:
            msg = check_invariant(system, s)
            if msg:
                _report_path(system, result, "invariant", msg, s, None)
                raise _Found

    def push(s: State, inbit: int, prog: bool) -> None:
        nonlocal counter, universe, deepest
        try:
            ts = succ(s)
            if not isinstance(ts, list):
                ts = list(ts)
        except AssertionViolation as exc:
            _report_path(system, result, exc.kind, exc.message, s, exc)
            raise _Found from None
        except ModelError:
            raise
        except Exception as exc:
            raise successors_error(system, exc) from exc
        counter += 1
        H[s] = counter
        live.append(s)
        acc = accepting is not None and is_accepting(s)
        if acc and not ts and system.extend_dead_ends:
            _report_stutter(system, result, s)
            raise _Found
        always = -1
        if fair:
            movers = 0
            for move in ts:
                if move[0] >= 0:
                    movers |= 1 << move[0]
            universe |= movers
            if exclusive is None or exclusive(s) is None:
                always = movers
        r_num.append(counter)
        r_live.append(len(live) - 1)
        r_acc.append(acc)
        r_moved.append(0)
        r_always.append(always)
        r_in.append(inbit)
        f_state.append(s)
        f_succ.append(ts)
        f_pos.append(0)
        f_prog.append(prog)
        if len(f_state) > deepest:
            deepest = len(f_state)

    def new_target(t: State) -> bool:
        """Classify a never-seen state; True if it is a progress state."""
        discover(t)
        return progress is not None and is_progress(t)

    expansions = 0
    try:
        for s0 in system.initial_states():
            try:
                known = s0 in H
            except TypeError as exc:
                raise ModelError(f"{system.name}: an initial state is unhashable "
                                 f"({exc})") from exc
            if not known:
                H[s0] = _PENDING_PROGRESS if new_target(s0) else _PENDING
                pending.append(s0)
        pending.reverse()
        while pending:
            s0 = pending.pop()
            h0 = H[s0]
            if h0 >= 0:
                continue
            push(s0, 0, h0 == _PENDING_PROGRESS)
            while f_state:
                ts = f_succ[-1]
                pos = f_pos[-1]
                if pos < len(ts):
                    f_pos[-1] = pos + 1
                    pid, step, t = ts[pos]
                    ntrans += 1
                    try:
                        h = H.get(t)
                    except TypeError as exc:
                        raise unhashable(system, f_state[-1], pid, step, exc) from exc
                    if h is None:
                        if len(H) >= max_states:
                            truncated = "states"
                            break
                        if new_target(t):
                            H[t] = _PENDING_PROGRESS
                            pending.append(t)
                            continue
                        if f_prog[-1]:
                            H[t] = _PENDING
                            pending.append(t)
                            continue
                        h = _PENDING
                    if h > 0:
                        if f_prog[-1]:
                            continue
                        # back edge into the live component of ``t``: merge
                        acc = False
                        moved = 1 << pid if pid >= 0 else 0
                        always = -1
                        while r_num[-1] > h:
                            r_num.pop()
                            r_live.pop()
                            acc |= r_acc.pop()
                            moved |= r_moved.pop() | r_in.pop()
                            always &= r_always.pop()
                        if acc:
                            r_acc[-1] = True
                        moved = r_moved[-1] = r_moved[-1] | moved
                        always = r_always[-1] = r_always[-1] & always
                        if (nonprogress or r_acc[-1]) and (
                                not fair or not universe & ~moved & always):
                            _report_cycle(system, result, mode, fair, live[r_live[-1]:],
                                          universe, progress)
                            raise _Found
                    elif h == _PENDING:
                        if f_prog[-1]:
                            continue
                        if len(f_state) >= max_depth:
                            truncated = "depth"
                            continue
                        push(t, 1 << pid if pid >= 0 else 0, False)
                        expansions += 1
                        if not expansions & TICK_MASK and monitor.tick(len(H), ntrans,
                                                                       len(f_state)):
                            truncated = "time"
                            break
                    # _PENDING_PROGRESS and _DEAD targets add nothing
                else:
                    s = f_state.pop()
                    f_succ.pop()
                    f_pos.pop()
                    f_prog.pop()
                    if r_num[-1] == H[s]:
                        pos = r_live.pop()
                        r_num.pop()
                        r_acc.pop()
                        r_moved.pop()
                        r_always.pop()
                        r_in.pop()
                        for x in live[pos:]:
                            H[x] = _DEAD
                        del live[pos:]
            if truncated in ("states", "time"):
                break
    except _Found:
        pass
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
    from .safety import path_counterexample
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
                  component: list[State], universe: int, progress: Any) -> None:
    cycle_start = component[0]
    cycle = _component_cycle(system, component, mode, fair, universe, progress)
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


def _component_cycle(system: TransitionSystem, component: list[State], mode: str,
                     fair: bool, universe: int, progress: Any) -> list[Move]:
    """A cycle inside ``component`` (strongly connected) that meets the condition."""
    members = set(component)
    edges: dict[Any, list[Move]] = {}
    movers: dict[Any, int] = {}
    exclusive = system.exclusive
    for s in component:
        ts = list(system.successors(s))
        edges[s] = [m for m in ts if m[2] in members]
        movers[s] = sum({1 << m[0] for m in ts if m[0] >= 0})
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
