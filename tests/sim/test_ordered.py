"""The ``ordered`` strategy: only schedules in which the named operations of different
threads happen in the given order; it says how far the code could follow, and why not
further."""

from __future__ import annotations

import re

from aioctx.impl import sync
from aioctx.sim.strategies.ordered import LabelledOp, Ordered

from aioctx import sim


def lost_update():
    x = sync.Atomic(0, name="x")

    def inc():
        seen = x.load(label="inc.load")
        x.store(seen + 1, label="inc.store")

    threads = [sync.Thread(target=inc, name=f"t{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert x.load() == 2, "lost update"


def op(thread, label, before=None, after=None):
    return LabelledOp(thread, label, (("x", before, after),))


def test_the_racy_order_is_followed_on_the_first_execution():
    order = (op("t0", "inc.load", 0), op("t1", "inc.load", 0), op("t0", "inc.store"),
             op("t1", "inc.store", after=1))
    strategy = Ordered(order, ("exception",))
    result = sim.explore(lost_update, strategy, runs=5, seed=1, shrink=False)
    assert result.failed and result.executions == 1
    trace = result.counterexample.trace
    labelled = [(result.counterexample.threads[s.tid], s.label) for s in trace
                if s.label in ("inc.load", "inc.store")]
    assert labelled[:4] == [("t0", "inc.load"), ("t1", "inc.load"), ("t0", "inc.store"),
                            ("t1", "inc.store")]
    assert strategy.progress[-1].matched == 4 and strategy.progress[-1].reason == ""


def test_the_serial_order_never_fails_and_says_so():
    order = (op("t0", "inc.load"), op("t0", "inc.store"), op("t1", "inc.load"),
             op("t1", "inc.store"))
    strategy = Ordered(order, ("exception",))
    result = sim.explore(lost_update, strategy, runs=3, seed=1)
    assert not result.failed and result.executions == 3
    assert all(p.matched == 4 for p in strategy.progress)
    assert "followed the whole order, and then the run ended without a failure" in \
        strategy.furthest().reason


def test_a_value_the_code_cannot_produce_is_where_it_stops():
    # t1 cannot read 5: nothing ever stores it
    order = (op("t0", "inc.load", 0), op("t1", "inc.load", 5))
    strategy = Ordered(order)
    result = sim.explore(lost_update, strategy, runs=2, seed=1)
    assert not result.failed
    best = strategy.furthest()
    assert best.matched == 1
    assert re.fullmatch(r"at ordered operation 2 \(t1: inc.load\): it found x = [01] "
                        r"where the order has 5", best.reason), best.reason


def test_an_order_against_program_order_cannot_be_followed():
    # t1 stores after it loads: its load, not the next operation of its part of the
    # order, runs as an extra one, and the load the order wants second never comes
    order = (op("t1", "inc.store"), op("t1", "inc.load"))
    strategy = Ordered(order)
    result = sim.explore(lost_update, strategy, runs=2, seed=1)
    assert not result.failed
    best = strategy.furthest()
    assert best.matched == 1
    assert best.reason == ("at ordered operation 2 (t1: inc.load): the run ended first; "
                           "it finished")


def test_registered_by_name():
    assert "ordered" in sim.strategy_names()
    built = sim.make_strategy("ordered")
    assert isinstance(built, Ordered) and built.order == ()
