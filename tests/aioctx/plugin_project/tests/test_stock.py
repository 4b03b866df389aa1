"""Race tests for stock.py: plain threading code, tested as it is."""

import _thread
import threading

import pytest
from stock import BoundedQueue, FixedBoundedQueue, LockedStock, Stock


def take_twice(stock: Stock) -> None:
    takers = [threading.Thread(target=stock.take) for _ in range(2)]
    for t in takers:
        t.start()
    for t in takers:
        t.join()
    assert stock.count == 0, f"a take was lost: {stock.count} left"


@pytest.mark.aioctx(strategy="dfs", bound=2)
def test_racy_stock_loses_no_take():
    take_twice(Stock(2))


@pytest.mark.aioctx(strategy="dfs", bound=2)
def test_locked_stock_loses_no_take():
    take_twice(LockedStock(2))


def two_producers_two_consumers(q: BoundedQueue) -> None:
    got = []
    consumers = [threading.Thread(target=lambda: got.append(q.get()), name=f"consumer{i}")
                 for i in range(2)]
    producers = [threading.Thread(target=q.put, args=(i,), name=f"producer{i}")
                 for i in range(2)]
    for t in producers + consumers:
        t.start()
    for t in producers + consumers:
        t.join()
    assert sorted(got) == [0, 1]


@pytest.mark.aioctx(strategy="pct", runs=300, seed=1)
def test_bounded_queue_wakes_the_right_waiter():
    two_producers_two_consumers(BoundedQueue(1))


@pytest.mark.aioctx(strategy="pct", runs=300, seed=1)
def test_fixed_bounded_queue_wakes_the_right_waiter():
    two_producers_two_consumers(FixedBoundedQueue(1))


@pytest.mark.aioctx(strategy="dfs", bound=1)
def test_threads_out_of_reach():
    """The work runs on a thread started with _thread, which aioctx does not control."""
    done = _thread.allocate_lock()
    done.acquire()
    stock = Stock(1)

    def work() -> None:
        stock.take()
        done.release()

    _thread.start_new_thread(work, ())
    done.acquire()
    assert stock.count == 0


@pytest.mark.aioctx(allow_no_switch=True)
def test_single_threaded_on_purpose():
    stock = Stock(1)
    stock.take()
    assert stock.count == 0
