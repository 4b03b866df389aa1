"""Liveness search with lossy storage: SPIN's nested depth-first search.

The exact liveness search (liveness.py) numbers every state, which a hash-compact or
bitstate store cannot do: they only remember whether a state was seen.  The nested
depth-first search (Courcoubetis, Vardi, Wolper, Yannakakis; in SPIN's form, whose
inner search stops at any state on the outer stack) needs exactly that: an outer
search marks states as it enters them, and when it leaves an accepting state (in
post-order) an inner search, with marks of its own, looks for a path back to a state
on the outer stack.  That path closes a cycle through the accepting state.  A lossy
store can make it miss a cycle, never report a false one: every reported step is a
real transition.

It searches a product of the system with a little bookkeeping, ``(state, aux)``:

* non-progress cycles: a flag ``m`` (SPIN's built-in claim).  ``m = 1`` means "no
  progress from here on": such nodes are accepting and move only to non-progress
  states; a node with ``m = 0`` may switch to ``m = 1`` at any non-progress successor.
* weak fairness: a counter ``j`` (the standard reduction of the generalised Büchi
  condition to a Büchi one, in the spirit of SPIN's copies of the state space).
  ``j = 0`` waits for an accepting node; ``j = p + 1`` waits for process ``p`` to move
  or to be blocked (in a non-exclusive state with no move of its own), and ``j`` past
  the last process marks the node accepting and starts over.  A cycle through such a
  node is an accepting cycle on which every process moves or is blocked: the same
  fairness as liveness.py's, except for cycles made only of exclusive states (an
  atomic sequence looping for ever) while another process exists that never moves
  anywhere.
* the claim stuttering alone at a dead end of the system, under weak fairness with
  ``system.spin_stutter_fairness``: a flag ``c`` (the bit ``m`` uses in non-progress
  mode) judged as liveness.py judges it, a cycle there counting only if all its states
  accept.  Such a node may commit (``c = 1``) at any accepting successor; committed
  nodes are the accepting ones and move only to accepting states.  The system stays at
  its dead end while the claim moves, so these cycles never mix with the others.

Both kinds of mark and every ``aux`` go into the store as one 64-bit hash: the
state's hash mixed with a constant per (``aux``, inner or outer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .liveness import _report_cycle_path, _report_path, _report_stutter
from .monitor import TICK_MASK, Monitor
from .result import INCOMPLETE, OK, VIOLATION, Result
from .safety import STOPS
from .search import (
    call_predicate,
    check_invariant,
    distinct_initial_states,
    fair_movers,
    successors_error,
)
from .store import rehash
from .system import AssertionViolation, ModelError, State, TransitionSystem

MAX_PID = 255               # processes a fairness counter runs over (SPIN's limit)
DONE = MAX_PID + 2          # j once every process has been satisfied: accepting


class _Found(Exception):
    """Unwinds the search once ``result`` holds a violation."""


def _mix(index: int, cache: dict[int, int] = {}) -> int:     # noqa: B006 (a memo)
    """The constant mixed into the hash of a node with bookkeeping ``index``."""
    if index not in cache:
        cache[index] = rehash(index) if index else 0
    return cache[index]


def nested_search(system: TransitionSystem, monitor: Monitor, result: Result, mode: str,
                  fair: bool, store: Any, order: Callable[[list], None] | None = None) -> None:
    """Search ``system`` for an acceptance (or non-progress) cycle with ``store``
    keeping the marks; fills ``result``.  ``order`` reorders the edges out of each node
    the outer search enters (a swarm's diversification)."""
    search = _Nested(system, monitor, result, mode, fair, store, order)
    try:
        search.run()
    except _Found:
        pass
    monitor.account(store.nbytes())
    result.states, result.transitions = len(store), search.ntrans
    result.max_depth = search.deepest
    result.store = store.report(len(store) + search.ntrans)
    if result.verdict != VIOLATION:
        result.verdict = INCOMPLETE if search.truncated else OK
        result.limit = search.truncated


class _Nested:
    def __init__(self, system: TransitionSystem, monitor: Monitor, result: Result,
                 mode: str, fair: bool, store: Any,
                 order: Callable[[list], None] | None = None) -> None:
        self.system = system
        self.order = order
        self.monitor = monitor
        self.result = result
        self.mode = mode
        self.fair = fair
        self.nonprogress = mode == "non-progress"
        #: the rule for the claim stuttering alone under weak fairness (docstring)
        self.stutter_rule = fair and not self.nonprogress and system.spin_stutter_fairness
        self.store = store
        self.ntrans = 0
        self.deepest = 0
        self.entered = 0
        self.truncated: str | None = None
        #: nodes on the outer stack -> their position on it
        self.on_stack: dict[tuple[State, int], int] = {}

    # -- the product ------------------------------------------------------------

    def moves(self, s: State) -> list:
        try:
            ts = self.system.successors(s)
            return ts if ts.__class__ is list else list(ts)
        except AssertionViolation as exc:
            _report_path(self.system, self.result, exc.kind, exc.message, s, exc)
            raise _Found from None
        except ModelError:
            raise
        except Exception as exc:
            raise successors_error(self.system, exc) from exc

    def base_accepting(self, s: State, m: int) -> bool:
        """The accepting condition before fairness: ``m`` for non-progress, the
        system's accepting states otherwise."""
        if self.nonprogress:
            return bool(m)
        return bool(call_predicate(self.system, "accepting predicate",
                                   self.system.accepting, s))

    def accepting(self, s: State, aux: int) -> bool:
        if self.fair:
            return aux >> 1 == DONE or (self.stutter_rule and aux == 1)
        return self.base_accepting(s, aux & 1)

    def progress(self, t: State) -> bool:
        return bool(call_predicate(self.system, "progress predicate",
                                   self.system.progress, t))

    def successors(self, s: State, aux: int, moves: list) -> list[tuple[int, int, State, int]]:
        """The product's edges out of ``(s, aux)``: (pid, step, target, target aux)."""
        m = aux & 1
        j = aux >> 1
        out = []
        if self.fair:
            movers = sorted(fair_movers(self.system, s, moves))
            exclusive = self.system.exclusive
            excl = exclusive is not None and exclusive(s) is not None
            acc0 = self.base_accepting(s, m)
            if self.stutter_rule and not movers:
                return self.stuttering(moves, m)
        for pid, step, t in moves:
            if self.fair:
                j2 = _advance(j, acc0, pid, movers, excl)
            else:
                j2 = 0
            if not self.nonprogress:
                out.append((pid, step, t, j2 << 1))
                continue
            quiet = not self.progress(t)
            if not m:
                out.append((pid, step, t, j2 << 1))
            if quiet:
                out.append((pid, step, t, j2 << 1 | 1))
        return out

    def stuttering(self, moves: list, committed: int) -> list[tuple[int, int, State, int]]:
        """The edges out of a node where only the claim moves (``moves``), the node
        committed to a cycle of accepting states or not."""
        out = []
        for pid, step, t in moves:
            if not committed:
                out.append((pid, step, t, 0))
            if self.base_accepting(t, 0):
                out.append((pid, step, t, 1))
        return out

    def new_node(self, t: State, aux: int, inner: bool) -> bool:
        """Mark ``(t, aux)`` in the outer or inner search; True if it was unmarked
        (the outer search's new nodes go into the store's sketch, if it has one)."""
        if not self.store.add_hash(hash(t) ^ _mix(aux << 1 | inner)):
            return False
        if not inner and self.store.sketch is not None:
            self.store.sketch.add(t)
        return True

    # -- the searches -------------------------------------------------------------

    def run(self) -> None:
        system = self.system
        for s0 in distinct_initial_states(system):
            if self.new_node(s0, 0, False):
                self.check_invariant(s0)
                self.outer(s0)
                if self.truncated in STOPS:
                    return

    def check_invariant(self, t: State) -> None:
        if self.system.invariant is not None:
            msg = check_invariant(self.system, t)
            if msg:
                _report_path(self.system, self.result, "invariant", msg, t, None)
                raise _Found

    def enter(self, s: State, aux: int, frames: list) -> None:
        moves = self.moves(s)
        self.ntrans += len(moves)
        if not moves and not self.nonprogress and self.system.extend_dead_ends and \
                self.base_accepting(s, 0):
            _report_stutter(self.system, self.result, s)
            raise _Found
        edges = self.successors(s, aux, moves)
        if self.order is not None:
            self.order(edges)
        frames.append((s, aux, iter(edges)))
        self.on_stack[(s, aux)] = len(frames) - 1
        if len(frames) > self.deepest:
            self.deepest = len(frames)

    def outer(self, s0: State) -> None:
        monitor = self.monitor
        max_states, max_depth = monitor.max_states, monitor.max_depth
        frames: list = []
        entered_by: list = [None]           # the move that entered each frame's node
        self.enter(s0, 0, frames)
        while frames:
            s, aux, edges = frames[-1]
            for pid, step, t, aux2 in edges:
                if len(self.store) >= max_states:
                    self.truncated = "states"
                    return
                if not self.new_node(t, aux2, False):
                    continue
                if len(frames) >= max_depth:
                    self.truncated = "depth"
                    continue
                self.check_invariant(t)
                self.entered += 1
                if not self.entered & TICK_MASK:
                    reason = monitor.tick(len(self.store), self.ntrans, len(frames))
                    if reason:
                        self.truncated = reason
                        return
                self.enter(t, aux2, frames)
                entered_by.append((pid, step, t))
                break
            else:
                if self.accepting(s, aux):
                    self.inner(s, aux, frames, entered_by)
                frames.pop()
                entered_by.pop()
                del self.on_stack[(s, aux)]

    def inner(self, seed: State, seed_aux: int, outer: list, outer_moves: list) -> None:
        """From the accepting node ``(seed, seed_aux)``, look for a path back to a node
        on the outer stack."""
        on_stack = self.on_stack
        frames = [(seed, seed_aux, iter(self.successors(seed, seed_aux, self.moves(seed))))]
        path: list = []                     # the inner search's moves, seed first
        while frames:
            s, aux, edges = frames[-1]
            for pid, step, t, aux2 in edges:
                self.ntrans += 1
                at = on_stack.get((t, aux2))
                if at is not None:
                    self.report(outer, outer_moves, at, path + [(pid, step, t)])
                    raise _Found
                if not self.new_node(t, aux2, True):
                    continue
                moves = self.moves(t)
                frames.append((t, aux2, iter(self.successors(t, aux2, moves))))
                path.append((pid, step, t))
                break
            else:
                frames.pop()
                if path:
                    path.pop()

    def report(self, outer: list, outer_moves: list, at: int, back: list) -> None:
        """The counterexample: the outer stack up to node ``at``, then round the cycle:
        the outer stack from ``at`` to the seed and the inner path ``back``."""
        states = [frame[0] for frame in outer]
        prefix = outer_moves[1:at + 1]
        cycle = outer_moves[at + 1:] + back
        _report_cycle_path(self.system, self.result, self.mode, self.fair, states[0],
                           prefix, states[at], cycle)


def _advance(j: int, acc0: bool, pid: int, movers: list[int], excl: bool) -> int:
    """The fairness counter after a move by ``pid`` out of a node with counter ``j``
    (see the module docstring); ``movers``: the pids with a move there, sorted."""
    if j == DONE:
        j = 0
    if j == 0:
        if not acc0:
            return 0
        j = 1
    while j <= MAX_PID + 1:
        p = j - 1
        if p == pid:
            j += 1
            continue
        if excl or p in movers:
            return j
        if not movers or p > movers[-1]:
            return DONE             # no process from p on can move: all blocked
        j += 1
    return DONE
