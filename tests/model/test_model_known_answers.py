"""Safety searches on models whose answers are known independently.

Counts come from SPIN 6.5.2 on the Promela twins in promela/ (``spin -a -o1 -o2 -o3``,
``gcc -DNOREDUCE``, ``./pan``; test_model_spin.py re-runs SPIN live), or from a
derivation written next to the assertion.  SPIN's "transitions" is stored + matched,
which counts the insertion of the initial state as well: our edge count is one less.
"""

from __future__ import annotations

import pytest
from aioctx.model.examples.classic import peterson, philosophers


@pytest.mark.parametrize("search", ["bfs", "dfs"])
def test_peterson_is_safe(search):
    result = peterson().check(search=search)
    assert result.ok and result.counterexample is None
    # SPIN, promela/peterson.pml: "38 states, stored", "65 transitions"
    assert (result.states, result.transitions) == (38, 64)
    assert result.mode == "safety" and result.search == search


@pytest.mark.parametrize("bug, states, transitions, length", [
    # SPIN -DBFS on peterson.pml -DTURN_FIRST: "assertion violated (at depth 8)", 70 states
    # stored and 108 transitions when it stopped; the trail is 8 moves + the assert.
    ("turn-first", 70, 107, 9),
    # The twin of "no-turn" (test P(other flag == 0), then raise the flag) under SPIN
    # -DBFS: depth 6, 28 states, 39 transitions.  It is the textbook race: both test,
    # both raise, both enter: 6 moves + the assert.
    ("no-turn", 28, 38, 7),
])
def test_broken_peterson_fails_mutual_exclusion(bug, states, transitions, length):
    model = peterson(bug)
    result = model.check(search="bfs")
    assert result.violated and result.kind == "assertion"
    assert "critical == 1" in result.message
    assert (result.states, result.transitions) == (states, transitions)
    ce = result.counterexample
    assert len(ce) == length
    last = ce.steps[-1]
    assert last.note.startswith("assertion violated")
    # both processes are in the critical section when the assertion fails
    assert model.view(ce.states[-1]).critical == 2
    assert {s.process for s in ce.steps if s.label == "critical++"} == {"P0", "P1"}


def test_broken_peterson_dfs_counterexample_is_a_real_path():
    result = peterson("turn-first").check(search="dfs")
    assert result.violated
    system = peterson("turn-first").system()
    state = result.counterexample.initial
    for step in result.counterexample.steps[:-1]:
        assert step.state in [t for _, _, t in system.successors(state)]
        state = step.state
    assert len(result.counterexample) >= 9      # BFS found the shortest: 9


def _dining_states(n: int) -> int:
    """Reachable states of ``philosophers(n)``, derived without the checker.

    Each philosopher is thinking (0, no fork), holding its left fork (1) or both (2);
    the forks follow from that.  Fork i is wanted by philosopher i (states 1, 2) and by
    philosopher i-1 (state 2), so a configuration is possible iff no philosopher in
    state 2 is followed by one in state 1 or 2.  Counting cyclic words with a transfer
    matrix T[a][b] = 0 iff a == 2 and b > 0 gives trace(T^n); every possible
    configuration is reachable (take the forks in a suitable order).
    """
    t = [[1, 1, 1], [1, 1, 1], [1, 0, 0]]
    power = [[int(i == j) for j in range(3)] for i in range(3)]
    for _ in range(n):
        power = [[sum(power[i][k] * t[k][j] for k in range(3)) for j in range(3)]
                 for i in range(3)]
    return sum(power[i][i] for i in range(3))


@pytest.mark.parametrize("n", [3, 4, 5])
def test_dining_philosophers_deadlock(n):
    model = philosophers(n)
    result = model.check(search="bfs")
    assert result.violated and result.kind == "invalid end state"
    ce = result.counterexample
    # shortest deadlock: each philosopher takes its left fork once (n moves; fewer
    # moves leave someone thinking, and a thinking philosopher can always move on)
    assert len(ce) == n
    assert sorted(s.label for s in ce.steps) == sorted(f"take fork[{i}]" for i in range(n))
    assert model.view(ce.states[-1]).fork == (1,) * n
    assert model.graph(max_states=1000).number_of_nodes() == _dining_states(n)
    assert _dining_states(3) == 14 and _dining_states(4) == 34   # SPIN agrees (oracle test)


@pytest.mark.parametrize("n", [3, 4, 5])
def test_ordered_philosophers_have_no_deadlock(n):
    result = philosophers(n, ordered=True).check(search="dfs")
    assert result.ok


def test_bfs_and_dfs_explore_the_same_graph():
    for model in (peterson(), philosophers(4, ordered=True)):
        bfs, dfs = model.check(search="bfs"), model.check(search="dfs")
        assert (bfs.states, bfs.transitions) == (dfs.states, dfs.transitions)
        assert bfs.max_depth <= dfs.max_depth
