"""The safety DFS freezes the deep part of its path (model/deepstack.py): with a window of
a few levels it must search exactly what it searches with every level kept, and its
counterexamples must still start at an initial state and follow real moves."""

from __future__ import annotations

import pytest
from aioctx.model import check, deepstack
from aioctx.model.examples.classic import philosophers
from aioctx.model.system import AssertionViolation

from aioctx import promela

DEEP_ASSERT = """
byte x, y;
active proctype count() {
    do
    :: x < 200 -> x++
    :: else -> break
    od
}
active proctype flip() {
    do
    :: y = 1 - y
    :: x == 150 -> assert(y == 7)
    od
}
"""


class Spy:
    """Counts freezes and thaws and the longest hot path seen at a freeze."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.freezes = self.thaws = self.longest = 0
        freeze, thaw = deepstack.DeepStack.freeze, deepstack.DeepStack.thaw

        def spy_freeze(stack, path, frames, succs):
            self.freezes += 1
            self.longest = max(self.longest, len(path))
            return freeze(stack, path, frames, succs)

        def spy_thaw(stack, path, frames, succs):
            self.thaws += 1
            return thaw(stack, path, frames, succs)

        monkeypatch.setattr(deepstack.DeepStack, "freeze", spy_freeze)
        monkeypatch.setattr(deepstack.DeepStack, "thaw", spy_thaw)


def small_window(monkeypatch: pytest.MonkeyPatch, window: int = 8, segment: int = 3) -> Spy:
    monkeypatch.setattr(deepstack, "WINDOW", window)
    monkeypatch.setattr(deepstack, "SEGMENT", segment)
    return Spy(monkeypatch)


def outcome(result) -> tuple:
    return result.verdict, result.states, result.transitions, result.max_depth


@pytest.mark.parametrize("storage", ["exact", "bitstate"])
def test_a_small_window_searches_the_same_states(monkeypatch, storage):
    system = philosophers(6, ordered=True).system()
    options = {"storage": storage, "bits": 1 << 20} if storage == "bitstate" else {}
    whole = check(system, **options)
    spy = small_window(monkeypatch)
    frozen = check(system, **options)
    assert outcome(frozen) == outcome(whole)
    assert whole.verdict == "ok" and whole.max_depth > 40
    assert spy.freezes > 10 and spy.thaws == spy.freezes   # every segment came back
    assert spy.longest == 9                                 # never more than the window


def test_a_small_window_searches_the_same_promela_states(monkeypatch):
    path = "benchmarks/models/pipeline.pml"
    whole, _ = promela.check(path, defines=["N=3"])
    spy = small_window(monkeypatch, window=32, segment=5)
    frozen, _ = promela.check(path, defines=["N=3"])
    assert outcome(frozen) == outcome(whole) and whole.states == 2592
    assert spy.freezes > 100


def test_a_swarm_order_is_kept_apart_from_the_frozen_numbers(monkeypatch):
    system = philosophers(6, ordered=True).system()
    whole = check(system, order=list.reverse)
    small_window(monkeypatch)
    frozen = check(system, order=list.reverse)
    assert frozen.verdict == "ok" and frozen.states == whole.states
    assert frozen.transitions == whole.transitions


def test_a_counterexample_runs_through_the_frozen_levels(monkeypatch):
    whole, system = promela.check("deep.pml", text=DEEP_ASSERT)
    spy = small_window(monkeypatch)
    frozen, system = promela.check("deep.pml", text=DEEP_ASSERT)
    assert frozen.verdict == whole.verdict == "violation"
    assert frozen.kind == "assertion" and spy.freezes > 10
    cx = frozen.counterexample
    states = cx.states
    assert states[0] in system.initial_states()
    for a, b in zip(states[:-2], states[1:-1], strict=True):
        assert b in system.next_states(a)
    with pytest.raises(AssertionViolation):         # the assertion fails in its last move
        system.next_states(states[-2])
    assert len(cx) == len(whole.counterexample) > 150


def test_a_deadlock_below_the_window_is_found_with_its_path(monkeypatch):
    system = philosophers(6).system()
    whole = check(system)
    small_window(monkeypatch, window=4, segment=2)
    frozen = check(system)
    assert frozen.verdict == "violation" and frozen.kind == whole.kind
    states = frozen.counterexample.states
    assert states == whole.counterexample.states


def test_the_stack_refuses_a_segment_as_long_as_its_window():
    with pytest.raises(ValueError, match="shorter than the window"):
        deepstack.DeepStack(lambda s: [], window=4, segment=4)

