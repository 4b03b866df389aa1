"""Safety search: assertions, invariants and invalid end states, by BFS or DFS.

BFS stores, per state, the index of its parent (one flat integer array); its
counterexamples are shortest, their moves found again among each parent's successors.
DFS keeps the current path, the successors of each state on it that are still to be
explored, and the states seen; its counterexample is that path.  Both stop at the
first error, as SPIN does by default.

Both ask the system for successor *states* only (``next_states``); the moves of a
counterexample are found again at the end.  DFS marks a successor as seen when it is
generated, not when it is entered, so each frame of the path holds only the successors
no other path has reached, and a path of a million states costs little more than the
states themselves.  DFS stores the states exactly (a set) or in a lossy store of
store.py (hash compaction, bitstate); BFS always exactly.

The inner loops are written for CPython: locals instead of attributes, one hash per
state (``bytes`` keep theirs), no allocation per transition beyond what the system's
successor function makes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import filterfalse
from typing import Any

from .deepstack import DeepStack
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
    succ = system.next_states
    invariant = system.invariant
    valid_end = system.valid_end
    max_states, max_depth = monitor.max_states, monitor.max_depth
    seen: dict[Any, int] = {}
    states: list[Any] = []
    parent = array("q")
    monitor.watch(seen)

    def path_to(index: int) -> tuple[State, list[tuple[int, int, State]]]:
        chain = [index]
        while parent[chain[-1]] >= 0:
            chain.append(parent[chain[-1]])
        chain.reverse()
        return states[chain[0]], moves_along(system, [states[k] for k in chain])

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
        if not i & TICK_MASK:
            reason = monitor.tick(nstates, ntrans, depth)
            if reason:
                truncated = reason
                break
        try:
            ts = succ(s)
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
        for t in ts:
            try:
                k = setdefault(t, nstates)
            except TypeError as exc:
                raise unhashable_state(system, s, exc) from exc
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


def moves_along(system: TransitionSystem, path: list[State]) -> list[tuple[int, int, State]]:
    """The moves of a path of states (each the first move ``successors`` lists)."""
    return [move_between(system, a, b) for a, b in zip(path[:-1], path[1:], strict=True)]


def unhashable_state(system: TransitionSystem, source: State, exc: Exception) -> ModelError:
    """The error for a successor of ``source`` that cannot be stored, naming its move."""
    for pid, step, t in system.successors(source):
        try:
            hash(t)
        except TypeError:
            return unhashable(system, source, pid, step, exc)
    return ModelError(f"{system.name}: a successor state is unhashable ({exc})")


def safety_dfs(system: TransitionSystem, monitor: Monitor, result: Result,
               store: Any = None, order: Callable[[list], None] | None = None) -> None:
    """Depth-first safety search; fills ``result`` (counterexample = the DFS path).

    ``store`` is a lossy store of store.py (None: every state kept exactly);
    ``order``, if given, reorders each state's new successors in place before they are
    explored (a swarm search's diversification).

    ``frames[k]`` holds the successors of ``path[k - 1]`` still to explore, the next
    one last (``frames[0]``: the initial states); every state in a frame is already
    marked seen; ``succs[k]`` all the successors of ``path[k]``.  Below the top
    ``deepstack.WINDOW`` levels these lists are frozen into successor numbers
    (deepstack.py), so a path of tens of millions of states fits in memory.  One loop
    does everything, the rare cases (errors, budgets, a deep path) out of its way.
    """
    nxt = system.next_states
    invariant = system.invariant
    valid_end = system.valid_end
    max_states, max_depth = monitor.max_states, monitor.max_depth
    exact = store is None
    seen: Any = set() if exact else store
    add = seen.add
    if exact:
        contains, update = seen.__contains__, seen.update
        monitor.watch(seen)
    path: list[Any] = []
    frames: list[list] = [[]]
    succs: list[Any] = []
    deep = DeepStack(nxt)
    window, frozen = deep.window, 0
    for s0 in distinct_initial_states(system):
        if s0 not in seen and len(frames[0]) < max_states:
            add(s0)
            frames[0].append(s0)
    frames[0].reverse()
    ntrans = 0
    deepest = 0
    expanded = 0
    truncated: str | None = None

    def fail(kind: str, message: str, failed: AssertionViolation | None = None) -> None:
        result.verdict, result.kind, result.message = VIOLATION, kind, message
        full = deep.states() + path
        result.counterexample = path_counterexample(
            system, kind, message, full[0], moves_along(system, full), failed)

    ts: Any = None
    t: Any = None
    try:
        while frames:
            new = frames[-1]
            if not new:
                frames.pop()
                if path:
                    path.pop()
                    succs.pop()
                elif frozen:
                    frozen = deep.thaw(path, frames, succs)
                continue
            t = new.pop()
            path.append(t)
            if invariant is not None:
                msg = check_invariant(system, t)
                if msg:
                    fail(INVARIANT, msg)
                    break
            depth = frozen + len(path) - 1
            if depth > deepest:
                deepest = depth
            expanded += 1
            if not expanded & TICK_MASK:
                truncated = monitor.tick(len(seen), ntrans, depth) or truncated
                if truncated in STOPS:
                    break
            ts = None
            ts = nxt(t)
            succs.append(ts)
            if not ts:
                if valid_end is not None and not check_valid_end(system, t):
                    fail(INVALID_END, INVALID_END_MESSAGE)
                    break
                frames.append([])
                continue
            ntrans += len(ts)
            if depth >= max_depth:
                if any(u not in seen for u in ts):
                    truncated = "depth"
                frames.append([])
                continue
            if exact:
                # the unseen successors, in order, added to the table in C: one pass
                # of set.__contains__ and one update (a repeat among them is rare)
                new = list(filterfalse(contains, ts))
                before = len(seen)
                update(new)
                if len(seen) - before != len(new):
                    new = list(dict.fromkeys(new))
            else:
                new = [u for u in ts if add(u)]
            if len(seen) > max_states:
                truncated = "states"
                _trim(seen, new, len(seen) - max_states, exact)
                frames.append(new)
                break
            if order is not None:
                order(new)
            new.reverse()
            frames.append(new)
            if len(path) > window:
                frozen = deep.freeze(path, frames, succs)
    except AssertionViolation as exc:
        fail(exc.kind, exc.message, exc)
    except ModelError:
        raise
    except TypeError as exc:
        if ts is None:
            raise successors_error(system, exc) from exc
        raise unhashable_state(system, t, exc) from exc
    except Exception as exc:
        raise successors_error(system, exc) from exc
    monitor.account(table_bytes(seen, path, frames, succs) + deep.nbytes() if exact
                    else seen.nbytes())
    result.states, result.transitions, result.max_depth = len(seen), ntrans, deepest
    if not exact:
        result.store = seen.report(len(seen) + ntrans)
    if result.verdict != VIOLATION:
        result.verdict = INCOMPLETE if truncated else OK
        result.limit = truncated


#: budgets that end a search at once (a depth bound only prunes)
STOPS = ("states", "time", "memory", "interrupted", "stopped")


def _trim(seen: Any, new: list, excess: int, exact: bool) -> None:
    """Forget the last ``excess`` of the states just added (the state budget); a lossy
    store cannot forget, its states stay counted."""
    if exact:
        for u in new[len(new) - excess:]:
            seen.discard(u)
        del new[len(new) - excess:]
