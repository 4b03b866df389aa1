"""The standard library's threading behaviour, on real threads and under the scheduler.

Each check below is a plain-``threading`` program with the behaviour CPython's own
test_threading and test_queue expect of it (said here in our words); each runs twice:
as it is, on OS threads, and under ``sim.explore`` (a random walk, and for the short
ones every schedule with up to one preemption), where the classes it builds are
aioctx's simulated ones.  A check passes only if it passes both ways, so the
simulated classes keep the semantics programs rely on.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest

from aioctx import sim

SHORT = 0.05          # a timeout: real seconds on OS threads, virtual under the scheduler


def run_both(mode: str, program, strategy: str = "random") -> None:
    if mode == "real":
        program()
        return
    result = sim.explore(program, strategy, runs=40, seed=3, max_steps=50_000)
    assert not result.failed, str(result)
    assert result.most_threads >= 1


MODES = ["real", "sim"]


def started(*targets) -> list[threading.Thread]:
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    return threads


def joined(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join()


# --------------------------------------------------------------------------- Lock, RLock


def lock_basics() -> None:
    lock = threading.Lock()
    assert lock.acquire() is True and lock.locked()
    assert lock.acquire(False) is False              # held: a try fails
    assert lock.acquire(timeout=SHORT) is False      # and a timed wait gives up
    lock.release()
    assert not lock.locked()
    with pytest.raises(RuntimeError):
        lock.release()                               # releasing a free lock
    with pytest.raises(ValueError):
        lock.acquire(False, 1)                       # a timeout on a non-blocking call
    got: list[bool] = []
    lock.acquire()
    t = threading.Thread(target=lambda: got.append(lock.acquire(timeout=10)))
    t.start()
    lock.release()                                   # another thread may take it now
    t.join()
    assert got == [True] and lock.locked()
    lock.release()


def lock_released_by_another_thread() -> None:
    lock = threading.Lock()
    lock.acquire()
    joined(started(lock.release))                    # Lock has no owner
    assert not lock.locked()


def rlock_basics() -> None:
    rlock = threading.RLock()
    assert rlock.acquire() and rlock.acquire()       # the holder takes it again
    errors: list[type] = []

    def other() -> None:
        try:
            rlock.release()
        except RuntimeError as exc:
            errors.append(type(exc))
        errors.append(rlock.acquire(blocking=False))

    joined(started(other))
    assert errors == [RuntimeError, False]           # not its lock; still held
    rlock.release()
    rlock.release()
    with pytest.raises(RuntimeError):
        rlock.release()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [lock_basics, lock_released_by_another_thread, rlock_basics])
def test_locks(mode, check):
    run_both(mode, check, "dfs" if check is not lock_basics else "random")


# --------------------------------------------------------------------------- Condition


def condition_misuse() -> None:
    cond = threading.Condition()
    with pytest.raises(RuntimeError):
        cond.wait(SHORT)                             # without its lock
    with pytest.raises(RuntimeError):
        cond.notify()
    with cond:
        assert cond.wait(SHORT) is False             # nobody notifies: time runs out
        assert cond.wait_for(lambda: False, SHORT) is False


def condition_notify_counts() -> None:
    lock = threading.Lock()
    cond, arrived = threading.Condition(lock), threading.Condition(lock)
    woken: list[int] = []
    waiting = [0]

    def waiter(i: int) -> None:
        with cond:
            waiting[0] += 1
            arrived.notify()                         # tell the main thread
            cond.wait()
            woken.append(i)
            arrived.notify()

    threads = [threading.Thread(target=waiter, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    with cond:
        arrived.wait_for(lambda: waiting[0] == 3)
        cond.notify(2)                               # exactly two wake
        arrived.wait_for(lambda: len(woken) == 2)
        assert len(woken) == 2
        cond.notify_all()
    joined(threads)
    assert sorted(woken) == [0, 1, 2]


def condition_rlock_depth() -> None:
    cond = threading.Condition(threading.RLock())
    done = []

    def notifier() -> None:
        with cond:
            done.append(1)
            cond.notify()

    with cond, cond:                                 # held twice: wait gives both up
        t = started(notifier)
        assert cond.wait_for(lambda: done, 10)
    joined(t)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [condition_misuse, condition_notify_counts,
                                   condition_rlock_depth])
def test_condition(mode, check):
    run_both(mode, check)


# --------------------------------------------------------------------------- Event, Semaphore


def event_basics() -> None:
    ev = threading.Event()
    assert not ev.is_set() and ev.wait(SHORT) is False
    seen: list[bool] = []
    t = started(lambda: seen.append(ev.wait()))
    ev.set()
    joined(t)
    assert seen == [True] and ev.is_set() and ev.wait() is True
    ev.clear()
    assert not ev.is_set()


def semaphore_basics() -> None:
    with pytest.raises(ValueError):
        threading.Semaphore(-1)
    sem = threading.Semaphore(2)
    assert sem.acquire() and sem.acquire(blocking=False)
    assert sem.acquire(blocking=False) is False and sem.acquire(timeout=SHORT) is False
    with pytest.raises(ValueError):
        sem.acquire(False, 1)
    with pytest.raises(ValueError):
        sem.release(0)
    got: list[bool] = []
    t = started(lambda: got.append(sem.acquire()))
    sem.release(2)                                   # release n (3.9+)
    joined(t)
    assert got == [True] and sem.acquire(blocking=False)
    bounded = threading.BoundedSemaphore(1)
    bounded.acquire()
    bounded.release()
    with pytest.raises(ValueError):
        bounded.release()                            # past its initial value


def semaphore_limits_holders() -> None:
    sem = threading.Semaphore(2)
    inside, most = [0], [0]

    def worker() -> None:
        with sem:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.001)
            inside[0] -= 1

    joined(started(worker, worker, worker))
    assert 1 <= most[0] <= 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [event_basics, semaphore_basics, semaphore_limits_holders])
def test_event_and_semaphore(mode, check):
    run_both(mode, check)


# --------------------------------------------------------------------------- Barrier


def barrier_basics() -> None:
    actions: list[str] = []
    barrier = threading.Barrier(3, action=lambda: actions.append("tripped"))
    indices: list[int] = []
    joined(started(*[lambda: indices.append(barrier.wait())] * 3))
    assert sorted(indices) == [0, 1, 2] and actions == ["tripped"]
    assert barrier.parties == 3 and barrier.n_waiting == 0 and not barrier.broken
    joined(started(*[lambda: indices.append(barrier.wait())] * 3))   # reusable
    assert len(indices) == 6 and actions == ["tripped", "tripped"]


def barrier_broken() -> None:
    barrier = threading.Barrier(2)
    with pytest.raises(threading.BrokenBarrierError):
        barrier.wait(SHORT)                          # alone: times out and breaks it
    assert barrier.broken
    with pytest.raises(threading.BrokenBarrierError):
        barrier.wait()                               # broken until reset
    barrier.reset()
    assert not barrier.broken
    errors: list[type] = []

    def waiter() -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError as exc:
            errors.append(type(exc))

    t = started(waiter)
    while barrier.n_waiting == 0:
        time.sleep(0.001)
    barrier.abort()                                  # the waiter is let go, broken
    joined(t)
    assert errors == [threading.BrokenBarrierError] and barrier.broken


def barrier_action_raises() -> None:
    def action() -> None:
        raise ZeroDivisionError

    barrier = threading.Barrier(2, action=action)
    outcomes: list[str] = []

    def waiter() -> None:
        try:
            barrier.wait()
            outcomes.append("passed")
        except threading.BrokenBarrierError:
            outcomes.append("broken")
        except ZeroDivisionError:
            outcomes.append("action raised")

    joined(started(waiter, waiter))
    assert sorted(outcomes) == ["action raised", "broken"] and barrier.broken


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [barrier_basics, barrier_broken, barrier_action_raises])
def test_barrier(mode, check):
    run_both(mode, check)


# --------------------------------------------------------------------------- queue


def queue_orders() -> None:
    fifo, lifo, prio = queue.Queue(), queue.LifoQueue(), queue.PriorityQueue()
    for q in (fifo, lifo, prio):
        for item in (2, 3, 1):
            q.put(item)
    assert [fifo.get() for _ in range(3)] == [2, 3, 1]
    assert [lifo.get() for _ in range(3)] == [1, 3, 2]
    assert [prio.get() for _ in range(3)] == [1, 2, 3]
    simple = queue.SimpleQueue()
    simple.put("a")
    assert simple.qsize() == 1 and simple.get() == "a" and simple.empty()
    with pytest.raises(queue.Empty):
        simple.get(timeout=SHORT)


def queue_bounds_and_timeouts() -> None:
    q = queue.Queue(maxsize=1)
    q.put(1)
    assert q.full()
    with pytest.raises(queue.Full):
        q.put(2, block=False)
    with pytest.raises(queue.Full):
        q.put(2, timeout=SHORT)
    assert q.get_nowait() == 1
    with pytest.raises(queue.Empty):
        q.get(timeout=SHORT)
    with pytest.raises(ValueError):
        q.put(1, timeout=-1)


def queue_join_task_done() -> None:
    q = queue.Queue()
    handled: list[int] = []

    def worker() -> None:
        while True:
            item = q.get()
            if item is None:
                q.task_done()
                return
            handled.append(item)
            q.task_done()

    t = started(worker)
    for i in range(3):
        q.put(i)
    q.join()                                         # every put item is done
    assert handled == [0, 1, 2]
    q.put(None)
    joined(t)
    with pytest.raises(ValueError):
        q.task_done()                                # more than were put


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [queue_orders, queue_bounds_and_timeouts,
                                   queue_join_task_done])
def test_queue(mode, check):
    run_both(mode, check)


# --------------------------------------------------------------------------- Thread, time


class Doubler(threading.Thread):
    def __init__(self, n: int) -> None:
        super().__init__(name="doubler")
        self.n, self.out = n, None

    def run(self) -> None:
        self.out = self.n * 2


def thread_identity() -> None:
    names: list[str] = []
    idents: list[int] = []
    local = threading.local()
    local.value = "main"

    def body() -> None:
        names.append(threading.current_thread().name)
        idents.append(threading.get_ident())
        assert not hasattr(local, "value")           # thread-locals start empty
        local.value = "worker"

    t = threading.Thread(target=body, name="worker-1")
    assert not t.is_alive() and t.ident is None
    with pytest.raises(RuntimeError):
        t.join()                                     # not started yet
    t.start()
    with pytest.raises(RuntimeError):
        t.start()                                    # only once
    t.join()
    assert not t.is_alive() and names == ["worker-1"]
    assert idents == [t.ident] and t.ident != threading.get_ident()
    assert local.value == "main"
    d = Doubler(21)
    d.start()
    d.join()
    assert d.out == 42 and d.name == "doubler"
    with pytest.raises(RuntimeError):
        threading.current_thread().join()            # joining oneself


def join_timeout_and_sleep() -> None:
    gate = threading.Event()
    t = threading.Thread(target=gate.wait, daemon=True)
    t.start()
    start = time.monotonic()
    t.join(SHORT)                                    # gives up: still running
    assert t.is_alive() and time.monotonic() - start >= SHORT * 0.9
    gate.set()
    t.join()
    assert not t.is_alive()
    fired: list[str] = []
    timer = threading.Timer(SHORT, lambda: fired.append("fired"))
    timer.start()
    timer.join()
    assert fired == ["fired"]
    cancelled = threading.Timer(10, lambda: fired.append("late"))
    cancelled.start()
    cancelled.cancel()
    cancelled.join()
    assert fired == ["fired"]
    before = time.monotonic()
    time.sleep(SHORT)
    assert time.monotonic() - before >= SHORT * 0.9


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("check", [thread_identity, join_timeout_and_sleep])
def test_threads(mode, check):
    run_both(mode, check)


def thread_pool() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(pow, 2, n) for n in range(4)]
        assert [f.result() for f in futures] == [1, 2, 4, 8]
        assert list(pool.map(abs, [-1, -2])) == [1, 2]
        failing = pool.submit(divmod, 1, 0)
        assert isinstance(failing.exception(), ZeroDivisionError)


@pytest.mark.parametrize("mode", MODES)
def test_thread_pool(mode):
    run_both(mode, thread_pool)
