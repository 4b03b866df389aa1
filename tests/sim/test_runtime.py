"""The runtime: substitution, blocking, virtual time, thread-locals, failure reports."""

from __future__ import annotations

import functools

import pytest
from aioctx.impl import sync
from aioctx.sim.decider import Decider
from aioctx.sim.runner import Runner, RunSpec

from aioctx import sim

from . import programs as P


def run_once(program, engine: str = "fiber", trace: bool = True, max_steps: int = 2_000):
    with Runner(RunSpec(program, engine, max_steps)) as runner:
        return runner.run(Decider(), trace=trace)


def test_primitives_built_inside_an_execution_are_simulated() -> None:
    seen = {}

    def program() -> None:
        seen["atomic"] = type(sync.Atomic(0))
        seen["notifier"] = sync.EventNotifier(name="n")
        seen["fd"] = seen["notifier"].get_fd()

    assert run_once(program).failure is None
    assert seen["atomic"] is not sync.Atomic and issubclass(seen["atomic"], sync.Atomic)
    assert seen["fd"] >= 1000                       # a virtual fd, no eventfd was opened
    assert type(sync.Atomic(0)) is sync.Atomic      # outside: the real class again


def test_mutex_blocks_and_cond_wakes_in_order() -> None:
    order = []

    def program() -> None:
        m, c = sync.Mutex(name="m"), sync.Cond(name="c")
        ready = sync.Atomic(0, name="ready")

        def waiter() -> None:
            with m:
                while not ready.load():
                    c.wait(m)
                order.append("woken")

        t = sync.Thread(waiter, name="waiter")
        t.start()
        with m:
            ready.store(1)
            c.signal()
            order.append("signalled")
        t.join()

    for strategy in (sim.DFS(3), sim.DPOR()):
        result = sim.explore(program, strategy)
        assert not result.failed and result.exhaustive, result
    ex = run_once(program)
    assert ex.failure is None and order[-2:] == ["signalled", "woken"]


def test_virtual_time_jumps_to_the_next_deadline() -> None:
    stamps = []

    def program() -> None:
        clock = sync.Clock(name="clock")
        m, c = sync.Mutex(), sync.Cond()

        def sleeper() -> None:
            clock.sleep_ns(5_000_000_000)
            stamps.append(("slept", clock.now_ns()))

        t = sync.Thread(sleeper, name="sleeper")
        t.start()
        with m:
            timed_out = not c.timedwait(m, 2_000_000_000)
        stamps.append(("timedwait", clock.now_ns(), timed_out))
        poller, n = sync.Poller(), sync.EventNotifier(name="n")
        revents = poller.poll([(n.get_fd(), sync.POLLIN)], 1_000_000_000)
        stamps.append(("poll", clock.now_ns(), revents))
        t.join()

    ex = run_once(program)
    assert ex.failure is None
    assert stamps == [("timedwait", 2_000_000_000, True), ("poll", 3_000_000_000, [0]),
                      ("slept", 5_000_000_000)]


def test_poll_returns_when_a_notifier_is_set() -> None:
    got = []

    def program() -> None:
        n = sync.EventNotifier(name="n")
        poller = sync.Poller(name="poller")

        def setter() -> None:
            n.set("setter.set")

        t = sync.Thread(setter, name="setter")
        t.start()
        got.append(poller.poll([(n.get_fd(), sync.POLLIN)], -1, "wait"))
        got.append(n.test_and_clear())
        t.join()

    assert run_once(program).failure is None
    assert got == [[sync.POLLIN], True]


def test_thread_locals_are_per_controlled_thread_and_per_execution() -> None:
    slot = sync.ThreadLocal("slot")
    seen = []

    def program() -> None:
        assert slot.get() is None                   # nothing left from an earlier run
        slot.set("main")

        def other() -> None:
            seen.append(slot.get())
            slot.set("other")

        t = sync.Thread(other, name="other")
        t.start()
        t.join()
        seen.append(slot.get())

    result = sim.explore(program, sim.DFS(2))
    assert not result.failed, result
    assert seen[:2] == [None, "main"]


def test_global_state_is_per_execution() -> None:
    def program() -> None:
        table = sync.global_state("test.table", dict)
        assert not table, "leaked from a previous execution"
        table["x"] = sync.Atomic(1)

    assert not sim.explore(program, sim.RandomWalk(), runs=20).failed


def test_exception_in_any_thread_is_a_failure_with_its_line() -> None:
    def program() -> None:
        def boom() -> None:
            raise ValueError("broken invariant")

        t = sync.Thread(boom, name="boomer")
        t.start()
        t.join()

    ex = run_once(program)
    assert ex.failure.kind == "exception"
    assert ex.failure.thread == "boomer"
    assert "ValueError: broken invariant" in ex.failure.message
    assert ex.failure.where.endswith("test_runtime.py:" + str(boom_line(program)))


def boom_line(program) -> int:
    import inspect
    src, start = inspect.getsourcelines(program)
    return start + next(i for i, line in enumerate(src) if "raise ValueError" in line)


def test_deadlock_report_names_each_blocked_thread_what_and_where() -> None:
    result = sim.explore(functools.partial(P.abba, False), sim.DFS(1))
    failure = result.counterexample.failure
    assert failure.kind == "deadlock"
    blocked = {b.thread: b for b in failure.blocked}
    assert set(blocked) == {"main", "one", "two"}
    assert blocked["one"].waits_on == "lock on B" and blocked["two"].waits_on == "lock on A"
    assert blocked["one"].where.startswith("tests/sim/programs.py:")
    text = str(result.counterexample)
    assert "blocked: two waits on lock on A at tests/sim/programs.py:" in text


def test_lost_wakeup_is_told_apart_from_deadlock() -> None:
    result = sim.explore(functools.partial(P.lost_wakeup, False), sim.DFS(1))
    assert result.counterexample.failure.kind == "lost-wakeup"
    assert "the flag is set but the waiter sleeps" in result.counterexample.failure.message


def test_invariant_checked_at_the_end() -> None:
    def program() -> None:
        x = sync.Atomic(0, name="x")
        sim.invariant(lambda: x.load() == 1, "x ends at 1")

    result = sim.explore(program, sim.DFS(0))
    assert result.counterexample.failure.kind == "invariant"
    assert "x ends at 1" in result.counterexample.failure.message


def test_step_budget_reports_a_livelock() -> None:
    def program() -> None:
        flag = sync.Atomic(0, name="flag")
        while not flag.load(label="spin"):
            sync.cpu_relax("spin.relax")

    result = sim.explore(program, sim.DFS(0), max_steps=500)
    failure = result.counterexample.failure
    assert failure.kind == "step-budget" and "500" in failure.message


def test_unlocking_a_mutex_one_does_not_hold_fails() -> None:
    def program() -> None:
        sync.Mutex(name="m").unlock()

    assert "m unlocked by main, held by nobody" in run_once(program).failure.message


@pytest.mark.parametrize("engine", ["fiber", "thread"])
def test_cpu_relax_lets_the_other_thread_run(engine: str) -> None:
    result = sim.explore(functools.partial(P.message_passing, True), sim.DFS(2),
                         engine=engine)
    assert not result.failed and result.exhaustive, result
