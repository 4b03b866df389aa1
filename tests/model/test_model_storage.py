"""Hash-compact and bitstate storage: what they store, what they miss, what they report,
and that the nested depth-first search finds the cycles the exact search finds."""

from __future__ import annotations

import pytest
from aioctx.model import Claim, Model, check
from aioctx.model.examples.classic import peterson, philosophers
from aioctx.model.store import BitState, HashCompact


def ring(n: int) -> Model:
    """One process walking round a ring of ``n`` values: n states, one cycle."""
    m = Model("ring")
    m.var("x", 0)
    p = m.process("P")
    p.label("loop", end=True)
    p.step("x = (x + 1) % n", lambda s: s.set(x=(s.x + 1) % n), goto="loop")
    return m


def test_hash_compact_stores_fingerprints_and_grows():
    store = HashCompact(slots=8)
    keys = [bytes([i % 256, i // 256]) for i in range(5000)]
    assert all(store.add(k) for k in keys)
    assert not any(store.add(k) for k in keys)
    assert len(store) == 5000 and all(k in store for k in keys)
    assert b"absent" not in store
    assert len(store.table) >= 2 * 5000          # grown, never more than half full
    report = store.report(generated=10_000)
    assert report.storage == "hash-compact" and 0 < report.omission_probability < 1e-10
    # TLC's estimate: n (g - n) / 2**64
    assert report.omission_probability == pytest.approx(5000 * 5000 / 2**64)


def test_bitstate_misses_states_once_the_array_fills():
    keys = [bytes([i % 256, i // 256]) for i in range(20_000)]
    roomy = BitState(bits=1 << 22)
    assert sum(roomy.add(k) for k in keys) == 20_000
    assert all(k in roomy for k in keys)
    cramped = BitState(bits=1 << 12, k=2)
    stored = sum(cramped.add(k) for k in keys)
    assert stored < 20_000 and len(cramped) == stored
    report = cramped.report(generated=20_000)
    assert report.hash_factor < 2 and report.expected_missed > 1000
    assert roomy.report(generated=20_000).expected_missed < 1


def test_different_seeds_are_different_hash_functions():
    keys = [bytes([i % 256, i // 256]) for i in range(3000)]
    kept = []
    for seed in (1, 2):
        store = BitState(bits=1 << 12, k=1, seed=seed)
        kept.append([k for k in keys if store.add(k)])
    assert kept[0] != kept[1]


def test_bitstate_array_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        BitState(bits=1000)


@pytest.mark.parametrize("storage", ["hash-compact", "bitstate"])
def test_lossy_safety_search_finds_what_the_exact_one_finds(storage):
    ok = philosophers(4, ordered=True).system()
    exact = check(ok)
    lossy = check(ok, storage=storage, bits=1 << 20)
    assert lossy.ok and lossy.states == exact.states and lossy.storage == storage
    broken = check(peterson("turn-first").system(), storage=storage, bits=1 << 20)
    assert broken.violated and broken.counterexample is not None


def test_a_cramped_bitstate_search_says_it_is_not_a_proof():
    system = philosophers(5, ordered=True).system()
    exact = check(system)
    lossy = check(system, storage="bitstate", bits=1 << 6, hashes=2)
    assert lossy.ok and lossy.states < exact.states
    text = lossy.summary()
    assert "bitstate" in text and "not a proof" in text and "missed" in text
    assert lossy.as_dict()["store"]["bits"] == 64


@pytest.mark.parametrize("storage", ["hash-compact", "bitstate"])
@pytest.mark.parametrize("fair", [False, True])
def test_nested_search_finds_an_acceptance_cycle(storage, fair):
    claim = Claim.infinitely_often(lambda s: s.x == 3)
    result = ring(5).check("acceptance", claim=claim, fair=fair, storage=storage,
                           bits=1 << 16)
    assert result.violated and result.kind == "acceptance cycle"
    cx = result.counterexample
    assert cx.cycle and cx.liveness
    # the cycle really closes: it ends in the state it starts from
    start = cx.prefix[-1].state if cx.prefix else cx.initial
    assert cx.cycle[-1].state == start


def test_bfs_refuses_lossy_storage():
    with pytest.raises(ValueError, match="depth-first"):
        check(ring(3).system(), search="bfs", storage="bitstate")
