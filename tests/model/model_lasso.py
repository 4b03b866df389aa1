"""Independent validation of counterexamples: replay them on the system.

A counterexample is only trusted if every step is a real transition (same process,
same next state), the cycle returns to where it started, and the cycle satisfies what
the search claimed: an accepting state (acceptance), no progress state (non-progress),
and, under weak fairness, every process moves on the cycle or is blocked in one of its
states.  This code shares nothing with the search it checks.
"""

from __future__ import annotations

from aioctx.model import STUTTER, Counterexample, TransitionSystem


def replay(system: TransitionSystem, start, steps) -> list:
    """The states visited by ``steps`` from ``start``; fails if a step is not possible."""
    states = [start]
    for step in steps:
        moves = list(system.successors(states[-1]))
        assert any(pid == step.pid and t == step.state for pid, _, t in moves), (
            f"step {step.describe()} is not a transition of {system.name}")
        states.append(step.state)
    return states


def check_lasso(system: TransitionSystem, ce: Counterexample, *, mode: str,
                fair: bool) -> list:
    """Validate a liveness counterexample; return the states of its cycle."""
    assert ce.initial in list(system.initial_states())
    prefix = replay(system, ce.initial, ce.prefix)
    if not ce.cycle:
        # a dead end repeated forever: nothing can move and the state is accepting
        assert mode == "acceptance" and system.extend_dead_ends
        assert not list(system.successors(prefix[-1]))
        assert system.accepting(prefix[-1])
        return [prefix[-1]]
    cycle = replay(system, prefix[-1], ce.cycle)
    assert cycle[-1] == cycle[0], "the cycle does not close"
    states = cycle[:-1]
    if mode == "acceptance":
        assert any(system.accepting(s) for s in states)
    else:
        assert not any(system.progress and system.progress(s) for s in states)
    if fair:
        moved = {step.pid for step in ce.cycle if step.pid != STUTTER}
        every = set(moved)
        blocked: set[int] = set()
        for s in states:
            movers = {pid for pid, _, _ in system.successors(s) if pid != STUTTER}
            every |= movers
            if system.exclusive is None or system.exclusive(s) is None:
                blocked |= {p for p in range(64) if p not in movers}
        unfair = {p for p in every if p not in moved and p not in blocked}
        assert not unfair, f"processes {unfair} are always enabled and never move"
    return states
