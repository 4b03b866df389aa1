"""Safety search: assertions, invariants and invalid end states, by BFS or DFS.

BFS stores, per state, the index of its parent (one flat integer array); its
counterexamples are shortest, their moves found again among each parent's successors.
DFS keeps only the current path and a set of visited states; its counterexample is
that path.  Both stop at the first error, as SPIN does by default.

The inner loops are written for CPython: locals instead of attributes, one hash per
new state (``dict.setdefault`` / set length), no allocation per transition beyond what
the system's ``successors`` makes.
"""

from __future__ import annotations

from array import array
from typing import Any

from .monitor import TICK_MASK, Monitor, table_bytes
from .result import INCOMPLETE, INVALID_END, INVARIANT, OK, VIOLATION, Result
from .search import (
    call_predicate,
    check_invariant,
    distinct_initial_states,
    path_counterexample,
    successors_error,
    unhashable,
)
from .system import AssertionViolation, ModelError, State, TransitionSystem

INVALID_END_MESSAGE = "no process can move and some process is not at an end state"


def check_valid_end(system: TransitionSystem, state: State) -> bool:
    return bool(call_predicate(system, "end-state predicate", system.valid_end, state))


def safety_bfs(system: TransitionSystem, monitor: Monitor, result: Result) -> None:
    """Breadth-first safety search; fills ``result`` (shortest counterexample).

    Per state it stores only the index of its BFS parent; a counterexample's moves are
    found again, when needed, among the parent's successors.
    """
    succ = system.successors
    invariant = system.invariant
    valid_end = system.valid_end
    max_states, max_depth = monitor.max_states, monitor.max_depth
    seen: dict[Any, int] = {}
    states: list[Any] = []
    parent = array("q")

    def path_to(index: int) -> tuple[State, list[tuple[int, int, State]]]:
        chain = [index]
        while parent[chain[-1]] >= 0:
            chain.append(parent[chain[-1]])
        chain.reverse()
        moves = [move_between(system, states[a], states[b])
                 for a, b in zip(chain[:-1], chain[1:], strict=True)]
        return states[chain[0]], moves

    def fail(kind: str, message: str, index: int, failed: AssertionViolation | None = None):
        initial, moves = path_to(index)
        result.verdict, result.kind, result.message = VIOLATION, kind, message
        result.counterexample = path_counterexample(system, kind, message, initial, moves,
                                                    failed)

    for s in distinct_initial_states(system):
        seen[s] = len(states)
        states.append(s)
        parent.append(-1)
        if invariant is not None:
            msg = check_invariant(system, s)
            if msg:
                result.states = len(states)
                fail(INVARIANT, msg, len(states) - 1)
                return

    setdefault = seen.setdefault
    add_state = states.append
    add_parent = parent.append
    nstates = len(states)
    ntrans = 0
    depth = 0
    level_end = nstates
    i = 0
    truncated = None
    while i < nstates:
        if i == level_end:
            depth += 1
            level_end = nstates
        s = states[i]
        if not i & TICK_MASK and monitor.tick(nstates, ntrans, depth):
            truncated = "time"
            break
        try:
            ts = succ(s)
            if ts.__class__ is not list:
                ts = list(ts)
        except AssertionViolation as exc:
            result.states, result.transitions, result.max_depth = nstates, ntrans, depth
            fail(exc.kind, exc.message, i, exc)
            return
        except ModelError:
            raise
        except Exception as exc:
            raise successors_error(system, exc) from exc
        if not ts:
            if valid_end is not None and not check_valid_end(system, s):
                result.states, result.transitions, result.max_depth = nstates, ntrans, depth
                fail(INVALID_END, INVALID_END_MESSAGE, i)
                return
            i += 1
            continue
        ntrans += len(ts)
        for move in ts:
            t = move[2]
            try:
                k = setdefault(t, nstates)
            except TypeError as exc:
                raise unhashable(system, s, move[0], move[1], exc) from exc
            if k == nstates:
                if depth >= max_depth or nstates >= max_states:
                    del seen[t]
                    truncated = "depth" if depth >= max_depth else "states"
                    continue
                add_state(t)
                add_parent(i)
                nstates += 1
                if invariant is not None:
                    msg = check_invariant(system, t)
                    if msg:
                        result.states, result.transitions = nstates, ntrans
                        result.max_depth = depth + 1
                        fail(INVARIANT, msg, nstates - 1)
                        return
        if truncated == "states":
            break
        i += 1
    monitor.account(table_bytes(seen, states, parent))
    result.states, result.transitions = nstates, ntrans
    result.max_depth = depth
    result.verdict = INCOMPLETE if truncated else OK
    result.limit = truncated


def move_between(system: TransitionSystem, source: State,
                 target: State) -> tuple[int, int, State]:
    """A transition from ``source`` to ``target`` (the first one ``successors`` lists)."""
    for move in system.successors(source):
        if move[2] == target:
            return move
    raise ModelError(f"{system.name}: successors are not deterministic: a recorded "
                     "transition is gone")


def safety_dfs(system: TransitionSystem, monitor: Monitor, result: Result) -> None:
    """Depth-first safety search; fills ``result`` (counterexample = the DFS path)."""
    succ = system.successors
    invariant = system.invariant
    valid_end = system.valid_end
    max_states, max_depth = monitor.max_states, monitor.max_depth
    seen: set[Any] = set()
    add = seen.add
    path_states: list[Any] = []
    path_moves: list[tuple[int, int, Any]] = []
    iters: list[Any] = []
    ntrans = 0
    deepest = 0
    truncated = None

    def fail(kind: str, message: str, failed: AssertionViolation | None = None) -> None:
        result.verdict, result.kind, result.message = VIOLATION, kind, message
        result.counterexample = path_counterexample(system, kind, message, path_states[0],
                                                    list(path_moves), failed)

    def expand(s: State) -> list | None:
        """Successors of ``s`` as a list; None once an error has been reported."""
        nonlocal ntrans
        try:
            ts = succ(s)
            if ts.__class__ is not list:
                ts = list(ts)
        except AssertionViolation as exc:
            fail(exc.kind, exc.message, exc)
            return None
        except ModelError:
            raise
        except Exception as exc:
            raise successors_error(system, exc) from exc
        if not ts and valid_end is not None and not check_valid_end(system, s):
            fail(INVALID_END, INVALID_END_MESSAGE)
            return None
        ntrans += len(ts)
        return ts

    stop = False
    for s0 in distinct_initial_states(system):
        if s0 in seen:
            continue
        add(s0)
        path_states.append(s0)
        if invariant is not None:
            msg = check_invariant(system, s0)
            if msg:
                fail(INVARIANT, msg)
                break
        ts = expand(s0)
        if ts is None:
            break
        iters.append(iter(ts))
        while iters:
            for move in iters[-1]:
                t = move[2]
                n = len(seen)
                try:
                    add(t)
                except TypeError as exc:
                    raise unhashable(system, path_states[-1], move[0], move[1], exc) from exc
                if len(seen) == n:
                    continue
                depth = len(path_states)
                if depth > max_depth or n >= max_states:
                    seen.discard(t)
                    truncated = "depth" if depth > max_depth else "states"
                    if truncated == "states":
                        stop = True
                        break
                    continue
                path_states.append(t)
                path_moves.append(move)
                if depth > deepest:
                    deepest = depth
                if invariant is not None:
                    msg = check_invariant(system, t)
                    if msg:
                        fail(INVARIANT, msg)
                        stop = True
                        break
                if not n & TICK_MASK and monitor.tick(n, ntrans, depth):
                    truncated = "time"
                    stop = True
                    break
                ts = expand(t)
                if ts is None:
                    stop = True
                    break
                iters.append(iter(ts))
                break
            else:
                iters.pop()
                path_states.pop()
                if path_moves:
                    path_moves.pop()
                continue
            if stop:
                break
        if stop:
            break
        path_states.clear()
        path_moves.clear()
    monitor.account(table_bytes(seen, path_states, iters))
    result.states, result.transitions, result.max_depth = len(seen), ntrans, deepest
    if result.verdict != VIOLATION:
        result.verdict = INCOMPLETE if truncated else OK
        result.limit = truncated
