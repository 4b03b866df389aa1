"""The store-buffer rules of ``sim.memory`` on their own, without a scheduler: what a
load reads, which stores may become visible next, and what a barrier, a release, an
acquire or a read-modify-write makes visible first, under x86-TSO and the ARM model."""

from __future__ import annotations

import pytest
from aioctx.sim.memory import ARM, TSO, Memory, check_memory_model


class Word:
    """A stand-in for a simulated Atomic: memory is ``_value``."""

    def __init__(self, name: str, value: int = 0) -> None:
        self.name = name
        self._value = value


def visible(mem: Memory) -> list[tuple[int, str, int]]:
    return [(tid, e.atom.name, e.value) for tid, e in mem.flushable()]


def test_unknown_model_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: sc, tso, arm"):
        check_memory_model("pso")
    with pytest.raises(ValueError, match="no store buffers"):
        Memory("sc")


@pytest.mark.parametrize("model", [TSO, ARM])
def test_own_store_is_read_from_the_buffer_others_read_memory(model: str) -> None:
    mem, x = Memory(model), Word("x")
    mem.store(0, x, 1, "relaxed", step=1)
    assert mem.load(0, x, "relaxed")[0] == 1
    assert mem.load(1, x, "relaxed")[0] == 0 and x._value == 0
    assert [e.value for e in mem.others_pending(1, x)] == [1]
    (tid, entry), = mem.flushable()
    mem.flush(tid, entry)
    assert mem.load(1, x, "relaxed")[0] == 1 and mem.pending == 0


def test_tso_flushes_oldest_first_only() -> None:
    mem, x, y = Memory(TSO), Word("x"), Word("y")
    mem.store(0, x, 1, "relaxed", 1)
    mem.store(0, y, 1, "relaxed", 2)
    mem.store(1, y, 2, "relaxed", 3)
    assert visible(mem) == [(0, "x", 1), (1, "y", 2)]


def test_arm_flushes_each_location_oldest_first_in_any_order() -> None:
    mem, x, y = Memory(ARM), Word("x"), Word("y")
    mem.store(0, x, 1, "relaxed", 1)
    mem.store(0, y, 1, "relaxed", 2)
    mem.store(0, x, 2, "relaxed", 3)
    assert visible(mem) == [(0, "x", 1), (0, "y", 1)]      # x=2 waits for x=1 (coherence)


def test_arm_wmb_orders_earlier_stores_before_later_ones() -> None:
    mem, x, y = Memory(ARM), Word("x"), Word("y")
    mem.store(0, x, 1, "relaxed", 1)
    assert mem.fence(0, "wmb") == []
    mem.store(0, y, 1, "relaxed", 2)
    assert visible(mem) == [(0, "x", 1)]
    mem.flush(0, mem.flushable()[0][1])
    assert visible(mem) == [(0, "y", 1)]


def test_arm_release_store_waits_for_every_older_store() -> None:
    mem, x, y, z = Memory(ARM), Word("x"), Word("y"), Word("z")
    mem.store(0, x, 1, "relaxed", 1)
    mem.store(0, y, 1, "release", 2)
    mem.store(0, z, 1, "relaxed", 3)
    assert visible(mem) == [(0, "x", 1), (0, "z", 1)]     # z may pass the release store


def test_arm_acquire_load_first_makes_own_release_stores_visible() -> None:
    mem, x, y = Memory(ARM), Word("x"), Word("y")
    mem.store(0, x, 1, "relaxed", 1)
    mem.store(0, y, 1, "release", 2)
    mem.store(0, x, 2, "relaxed", 3)
    value, flushed = mem.load(0, y, "acquire")
    assert value == 1 and [(e.atom.name, e.value) for e in flushed] == [("x", 1), ("y", 1)]
    assert [e.value for e in mem.buffers[0]] == [2]
    assert mem.load(0, y, "relaxed")[1] == []               # a relaxed load drains nothing


def test_tso_rmw_drains_and_is_atomic_on_memory() -> None:
    mem, x, n = Memory(TSO), Word("x"), Word("n", 5)
    mem.store(0, x, 1, "relaxed", 1)
    old, new, flushed = mem.rmw(0, n, 2, lambda v: (v + 1, True))
    assert (old, new, n._value, x._value) == (5, 6, 6, 1) and mem.pending == 0
    assert [e.atom.name for e in flushed] == ["x"]


def test_arm_rmw_store_may_stay_buffered_past_later_loads() -> None:
    """SB after a seq-cst RMW: the RMW's store is not visible to the other thread
    while the RMW thread reads y, unless smp_mb__after_rmw follows."""
    mem, x = Memory(ARM), Word("x")
    old, new, _ = mem.rmw(0, x, 1, lambda v: (v + 1, True))
    assert (old, new) == (0, 1) and x._value == 0
    assert mem.load(0, x, "relaxed")[0] == 1 and mem.load(1, x, "relaxed")[0] == 0
    assert [(e.atom.name, e.value) for e in mem.fence(0, "mb_after_rmw")] == [("x", 1)]
    assert Memory(TSO).fence(0, "mb_after_rmw") == []


def test_arm_rmws_never_lose_an_update() -> None:
    mem, n = Memory(ARM), Word("n")
    mem.rmw(0, n, 1, lambda v: (v + 1, True))
    old, _, flushed = mem.rmw(1, n, 2, lambda v: (v + 1, True))
    assert old == 1 and [(e.tid, e.value) for e in flushed] == [(0, 1)]
    mem.drain_all()
    assert n._value == 2


def test_arm_plain_store_cannot_overtake_a_pending_rmw_to_the_same_word() -> None:
    mem, n, y = Memory(ARM), Word("n"), Word("y")
    mem.store(1, y, 7, "relaxed", 1)
    mem.rmw(0, n, 2, lambda v: (v + 1, True))
    mem.store(1, n, 10, "relaxed", 3)            # coherence-after the RMW
    assert visible(mem) == [(0, "n", 1), (1, "y", 7)]
    flushed = mem.drain(1)                       # forces the RMW's store first
    assert [(e.tid, e.atom.name) for e in flushed] == [(1, "y"), (0, "n"), (1, "n")]
    assert n._value == 10


def test_arm_rmw_joins_the_coherence_order_after_buffered_stores() -> None:
    mem, n = Memory(ARM), Word("n")
    mem.store(1, n, 10, "relaxed", 1)
    old, _, flushed = mem.rmw(0, n, 2, lambda v: (v + 1, True))
    assert old == 10 and [e.value for e in flushed] == [10]


def test_failed_cmpxchg_writes_nothing() -> None:
    for model in (TSO, ARM):
        mem, n = Memory(model), Word("n", 3)
        old, _, _ = mem.rmw(0, n, 1, lambda v: (v, False))
        assert old == 3 and mem.pending == 0 and n._value == 3


def test_field_stores_merge_with_the_word() -> None:
    mem, flags = Memory(TSO), Word("flags", 0b111)
    mem.store(0, flags, 0, "relaxed", 1, mask=0b010)
    assert mem.load(0, flags, "relaxed")[0] == 0b101
    flags._value = 0b1111                        # another field changed meanwhile
    mem.drain(0)
    assert flags._value == 0b1101


def test_tso_seq_cst_store_drains_after_itself() -> None:
    mem, x, y = Memory(TSO), Word("x"), Word("y")
    mem.store(0, x, 1, "relaxed", 1)
    assert len(mem.store(0, y, 1, "seq_cst", 2)) == 2 and (x._value, y._value) == (1, 1)
    arm = Memory(ARM)
    assert arm.store(0, x, 1, "seq_cst", 1) == [] and arm.buffers[0][0].release
