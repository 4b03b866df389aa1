"""What the safety and liveness searches share: turning a broken model into one
``ModelError`` that names the part at fault, the initial states, a counterexample
along a path of moves, and which processes weak fairness counts as able to move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .result import Counterexample, build_steps, describe_move, mover_name
from .system import STUTTER, AssertionViolation, ModelError, State, TransitionSystem


def unhashable(system: TransitionSystem, source: State, pid: int, step: int,
               exc: Exception) -> ModelError:
    """The error for a transition whose next state cannot be stored."""
    info = system.step_info(step)
    who = mover_name(system, source, pid)
    return ModelError(f"{system.name}: step {info.label!r} of {who} at {info.location} "
                      f"produced an unhashable state ({exc})")


def successors_error(system: TransitionSystem, exc: Exception) -> ModelError:
    return ModelError(f"{system.name}: computing successors raised "
                      f"{type(exc).__name__}: {exc}")


def call_predicate(system: TransitionSystem, what: str, pred: Callable[[State], Any],
                   state: State) -> Any:
    """``pred(state)``; anything it raises except a ``ModelError`` becomes one that
    names ``what`` ("invariant", "progress predicate", ...)."""
    try:
        return pred(state)
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{system.name}: the {what} raised {type(exc).__name__}: "
                         f"{exc}") from exc


def path_counterexample(system: TransitionSystem, kind: str, message: str,
                        initial: State, moves: list[tuple[int, int, State]],
                        failed: AssertionViolation | None = None) -> Counterexample:
    """A counterexample along ``moves``; ``failed`` adds the step whose assertion failed."""
    steps = build_steps(system, initial, moves)
    if failed is not None:
        last = moves[-1][2] if moves else initial
        steps.append(describe_move(system, last, failed.pid, failed.step, last, {},
                                   note=f"{failed.kind} violated: {failed.message}"))
    return Counterexample(kind, message, initial, system.variables(initial), steps)


def distinct_initial_states(system: TransitionSystem) -> list[State]:
    """The system's initial states, each once; an unhashable one is a model error."""
    states: list[State] = []
    seen: set[Any] = set()
    for s in system.initial_states():
        try:
            if s in seen:
                continue
            seen.add(s)
        except TypeError as exc:
            raise ModelError(f"{system.name}: an initial state is unhashable ({exc})") from exc
        states.append(s)
    return states


def check_invariant(system: TransitionSystem, state: State) -> str | None:
    """The invariant's message for ``state`` (None: it holds)."""
    return call_predicate(system, "invariant", system.invariant, state)


def fair_movers(system: TransitionSystem, state: State, moves: list) -> set[int]:
    """The processes that can move in ``state``, whose transitions are ``moves``, as weak
    fairness counts them (the never claim's own stutter move is nobody's): the movers
    of ``moves``, unless they are one process's alone and ``system.movers`` is set,
    which then says whether the others were postponed rather than blocked."""
    pids = {move[0] for move in moves}
    if len(pids) == 1 and system.movers is not None:
        (pid,) = pids
        if pid >= 0:
            return set(system.movers(state, pid))
    pids.discard(STUTTER)
    return pids
