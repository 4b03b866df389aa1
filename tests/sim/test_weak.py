"""The simulation under a weak memory model, end to end: every strategy explores
flushes, a weak-memory counterexample shows why (buffered stores, flushes, stale
reads) and replays exactly from its version 2 schedule document, and "sc" is what it
was.  The store-buffer rules themselves are in test_memory.py, the litmus verdicts in
test_litmus.py."""

from __future__ import annotations

import json

import pytest
from aioctx.impl import sync

from aioctx import sim


def publish_then_check_after_rmw() -> None:
    """A user's mistake (the SB-after-RMW shape): the consumer announces itself with a
    sequentially consistent RMW and then checks the flag with a relaxed load; the
    producer publishes the flag with a relaxed store, a full barrier, and checks for
    waiters.  One of them must see the other, and does under SC and TSO (the RMW is a
    full barrier there); under ARM the RMW's store may become visible after the
    consumer's load, so both miss."""
    flag = sync.Atomic(0, name="flag")
    waiters = sync.Atomic(0, name="waiters")
    seen: dict[str, int] = {}

    def consumer() -> None:
        waiters.fetch_add(1, label="consumer.announce")
        seen["flag"] = flag.load(label="consumer.check_flag")

    def producer() -> None:
        flag.store(1, label="producer.publish")
        sync.smp_mb()
        seen["waiters"] = waiters.load(label="producer.check_waiters")

    threads = [sync.Thread(consumer, name="consumer"), sync.Thread(producer, name="producer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["flag"] or seen["waiters"], "lost wake-up: neither side saw the other"


def store_buffering() -> None:
    """SB without barriers: both loads may read 0 under TSO and ARM."""
    x, y = sync.Atomic(0, name="x"), sync.Atomic(0, name="y")
    got: list[int] = []
    a = sync.Thread(lambda: (x.store(1), got.append(y.load())), name="a")
    b = sync.Thread(lambda: (y.store(1), got.append(x.load())), name="b")
    a.start(), b.start()
    a.join(), b.join()
    assert got != [0, 0], "store buffering"


@pytest.mark.parametrize(("model", "fails"), [("sc", False), ("tso", False), ("arm", True)])
def test_a_relaxed_publish_checked_after_an_rmw_fails_only_under_arm(model: str,
                                                                     fails: bool) -> None:
    result = sim.explore(publish_then_check_after_rmw, sim.DFS(preemption_bound=None),
                         memory_model=model)
    assert result.failed == fails, result.summary()
    if not fails:
        assert result.exhaustive
        return
    assert "lost wake-up" in str(result.counterexample)
    steps = {s.label: s for s in result.counterexample.trace if s.label}
    # the consumer's RMW store is still buffered when the producer reads waiters
    assert steps["consumer.announce"].note == "its store buffered"
    assert steps["producer.check_waiters"].value == 0
    assert steps["producer.check_waiters"].note == "stale: consumer's store 1 still buffered"
    assert steps["consumer.check_flag"].value == 0


@pytest.mark.parametrize("strategy", ["pct", "random", "dfs", "dpor", "hypothesis"])
def test_every_strategy_explores_flushes(strategy: str) -> None:
    tso = sim.explore(store_buffering, strategy, runs=300, seed=2, memory_model="tso")
    assert tso.failed, tso.summary()
    assert tso.counterexample.failure.kind == "exception"
    sc = sim.explore(store_buffering, strategy, runs=300, seed=2)
    assert not sc.failed


def test_a_weak_counterexample_replays_exactly_from_its_document() -> None:
    result = sim.explore(store_buffering, sim.PCT(3), runs=500, seed=1, memory_model="tso")
    doc = result.counterexample.schedule
    assert doc["version"] == 2 and doc["memory_model"] == "tso"
    text = json.dumps(doc)
    again = sim.replay(store_buffering, text)
    assert again.divergence is None
    assert again.failure is not None and again.failure.kind == "exception"
    assert [s.row() for s in again.trace] == [s.row() for s in result.counterexample.trace]
    # the same decisions under SC do not fit: flushes are not options there
    sc = sim.replay(store_buffering, text, memory_model="sc")
    assert sc.failure is None and sc.divergence is not None


def test_a_weak_trace_shows_buffered_stores_stale_reads_and_what_drained() -> None:
    result = sim.explore(store_buffering, sim.DFS(preemption_bound=None),
                         memory_model="tso")
    steps = result.counterexample.trace
    assert [(s.obj, s.note) for s in steps if s.op == "store"] == [
        ("x", "buffered"), ("y", "buffered")]
    assert [(s.obj, s.value, s.note) for s in steps if s.note.startswith("stale")] == [
        ("x", 0, "stale: a's store 1 still buffered")]
    assert [s.note for s in steps if s.op == "thread_exit"] == [
        "makes visible b's y=1", "makes visible a's x=1"]


def lost_update() -> None:
    x = sync.Atomic(0, name="x")
    threads = [sync.Thread(lambda: x.store(x.load() + 1), name=f"inc{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert x.load() == 2, "lost update"


def test_sc_schedules_stay_version_1() -> None:
    doc = sim.explore(lost_update, sim.DFS(2)).counterexample.schedule
    assert doc["version"] == 1 and "memory_model" not in doc
    assert all(isinstance(d, int) for d in doc["decisions"])
    weak = sim.explore(lost_update, sim.DFS(2), memory_model="tso").counterexample.schedule
    assert weak["version"] == 2 and weak["memory_model"] == "tso"


@pytest.mark.parametrize(("change", "message"), [
    ({"memory_model": "pso"}, 'memory_model: "pso" is not "tso" or "arm"'),
    ({"version": 1}, 'unknown field "memory_model"'),      # a version 1 schedule has none
    ({"decisions": [0, "flush"]}, "decisions\\[1\\]: \"flush\" is not a flush"),
    ({"decisions": [0, True]}, "true is neither a thread number nor a flush"),
])
def test_bad_weak_schedules_are_refused_in_one_line(change: dict[str, object],
                                                    message: str) -> None:
    doc = {"format": "aioctx.sim.schedule", "version": 2, "memory_model": "tso",
           "decisions": [0, "f1"], **change}
    with pytest.raises(sim.ScheduleError, match=message):
        sim.replay(store_buffering, doc)


def test_a_flush_in_an_sc_schedule_is_refused() -> None:
    doc = {"format": "aioctx.sim.schedule", "version": 1, "decisions": [0, "f1"]}
    with pytest.raises(sim.ScheduleError,
                       match=r"decisions\[1\]: should be a whole number, not a string$"):
        sim.replay(store_buffering, doc)


def test_an_unknown_memory_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown memory model 'pso'; known: sc, tso, arm"):
        sim.explore(store_buffering, "pct", runs=1, memory_model="pso")
