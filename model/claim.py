"""Never claims (Büchi automata over state predicates) and their product with a system.

A claim describes the *bad* runs, as in SPIN: the checker looks for a run of the
product that passes an accepting claim state infinitely often (``mode="acceptance"``)
or drives the claim to an end state (any mode).  The product follows SPIN's rules:

* in each product step the claim moves first, its guard evaluated on the current
  system state, then the system makes one move;
* when the system cannot move, the claim moves alone (stutter extension), so a run
  that ends is judged as if its last state repeated forever;
* a claim move into an end state is a violation (SPIN: "end state in claim reached").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .system import STUTTER, AssertionViolation, ModelError, State, StepInfo, TransitionSystem

Predicate = Callable[[Any], Any]


class Claim:
    """A Büchi automaton whose edges are guarded by predicates on system states.

        c = Claim("starves")
        c.edge("init", "init").edge("init", "accept_stuck", when=lambda s: s.waiting)
        c.edge("accept_stuck", "accept_stuck", when=lambda s: s.waiting)

    The first state named is the initial one.  A state is accepting when declared so or
    when its name starts with ``accept`` (SPIN's convention).  Predicates receive the
    system state, or the view the product is given (``Model`` passes a read-only view
    with attribute access to the variables).
    """

    def __init__(self, name: str = "never") -> None:
        self.name = name
        self.names: list[str] = []
        self.accepting: list[bool] = []
        self.end: list[bool] = []
        self.edges: list[list[tuple[Predicate | None, int, int]]] = []
        self.edge_info: list[StepInfo] = []

    def state(self, name: str, *, accepting: bool | None = None, end: bool = False) -> Claim:
        """Declare ``name`` (optional: ``edge`` declares states it mentions)."""
        if name in self.names:
            index = self.names.index(name)
            if accepting is not None:
                self.accepting[index] = accepting
            self.end[index] = self.end[index] or end
            return self
        self.names.append(name)
        self.accepting.append(name.startswith("accept") if accepting is None else accepting)
        self.end.append(end)
        self.edges.append([])
        return self

    def edge(self, source: str, target: str, when: Predicate | None = None,
             label: str | None = None) -> Claim:
        """An edge taken when ``when`` (default: always) holds in the current state."""
        self.state(source)
        self.state(target)
        index = len(self.edge_info)
        name = getattr(when, "__name__", "<lambda>")
        text = label or (f"{source} -> {target}" if when is None else
                         f"{source} -> {target} if "
                         f"{'its condition' if name == '<lambda>' else name}")
        self.edge_info.append(StepInfo(text, f"never claim {self.name}", source))
        self.edges[self.names.index(source)].append((when, self.names.index(target), index))
        return self

    # -- common claims ------------------------------------------------------------

    @classmethod
    def eventually_always(cls, pred: Predicate, name: str = "eventually always") -> Claim:
        """Runs in which ``pred`` eventually holds forever (◇□p): the violation of
        "infinitely often not p", e.g. "the waiter sleeps forever with work pending"."""
        return (cls(name).edge("init", "init", label="true")
                .edge("init", "accept_forever", when=pred, label=f"{name}: holds")
                .edge("accept_forever", "accept_forever", when=pred,
                      label=f"{name}: still holds"))

    @classmethod
    def infinitely_often(cls, pred: Predicate, name: str = "infinitely often") -> Claim:
        """Runs in which ``pred`` holds infinitely often (□◇p)."""
        return (cls(name).edge("init", "init", label="true")
                .edge("init", "accept_again", when=pred, label=f"{name}: holds")
                .edge("accept_again", "init", label="true"))

    @classmethod
    def eventually(cls, pred: Predicate, name: str = "eventually") -> Claim:
        """Runs that reach a state where ``pred`` holds (◇p; a safety claim)."""
        return (cls(name).edge("init", "init", label="true")
                .state("reached", end=True)
                .edge("init", "reached", when=pred, label=f"{name}: reached"))


class ProductSystem(TransitionSystem):
    """``system`` × ``claim``: states are ``(system_state, claim_state)``.

    System steps keep their numbers; the claim's edge ``k`` is step ``-2 - k`` (shown
    when the claim moves alone or reaches its end).
    """

    extend_dead_ends = False      # the product stutters by itself; a dead end is a block

    def __init__(self, system: TransitionSystem, claim: Claim,
                 view: Callable[[State], Any] | None = None) -> None:
        if not claim.names:
            raise ModelError(f"never claim {claim.name!r} has no states")
        self.system = system
        self.claim = claim
        self.view = view
        self.name = f"{system.name} x never({claim.name})"
        accepting = claim.accepting
        self.accepting = lambda ps: accepting[ps[1]]
        for name in ("invariant", "valid_end", "progress", "exclusive"):
            pred = getattr(system, name)
            if pred is not None:
                setattr(self, name, _on_system_state(pred))

    def initial_states(self) -> Sequence[State]:
        return [(s, 0) for s in self.system.initial_states()]

    def _claim_moves(self, s: State, q: int) -> list[tuple[int, int]]:
        """The claim's enabled edges in claim state ``q``, judged on system state ``s``."""
        claim = self.claim
        arg = None
        moves = []
        for when, target, index in claim.edges[q]:
            if when is not None:
                if arg is None:
                    arg = self.view(s) if self.view is not None else s
                try:
                    if not when(arg):
                        continue
                except Exception as exc:
                    info = claim.edge_info[index]
                    raise ModelError(f"never claim {claim.name!r}: the guard of edge "
                                     f"{info.label!r} raised {type(exc).__name__}: "
                                     f"{exc}") from exc
            if claim.end[target]:
                raise AssertionViolation(STUTTER, -2 - index,
                                         f"end state in claim {claim.name!r} reached",
                                         kind="claim")
            moves.append((target, index))
        return moves

    def successors(self, state: State) -> list:
        s, q = state
        claim_moves = self._claim_moves(s, q)
        if not claim_moves:
            return []
        moves = self.system.successors(s)
        if moves.__class__ is not list:
            moves = list(moves)
        if not moves:
            return [(STUTTER, -2 - index, (s, target)) for target, index in claim_moves]
        if len(claim_moves) == 1:
            target = claim_moves[0][0]
            return [(pid, step, (t, target)) for pid, step, t in moves]
        return [(pid, step, (t, target)) for target, _ in claim_moves
                for pid, step, t in moves]

    def step_info(self, step: int) -> StepInfo:
        if step <= -2:
            return self.claim.edge_info[-2 - step]
        return self.system.step_info(step)

    def process_name(self, state: State, pid: int) -> str:
        if pid == STUTTER:
            return "never claim"
        return self.system.process_name(state[0], pid)

    def variables(self, state: State) -> dict[str, Any]:
        names = dict(self.system.variables(state[0]))
        names["never"] = self.claim.names[state[1]]
        return names


def _on_system_state(pred: Callable[[State], Any]) -> Callable[[State], Any]:
    """A predicate of the system lifted to product states (it ignores the claim)."""
    return lambda ps: pred(ps[0])


def product(system: TransitionSystem, claim: Claim,
            view: Callable[[State], Any] | None = None) -> ProductSystem:
    """The product of ``system`` with never claim ``claim`` (``view`` maps a system
    state to what the claim's predicates receive)."""
    return ProductSystem(system, claim, view)
