"""QemuLockCnt: QEMU's counter-plus-mutex semantics (util/lockcnt.c contract)."""

from __future__ import annotations

import threading
import time

import pytest
from aioctx.impl import QemuAssertionError, QemuLockCnt


def test_counting_and_the_mutex_are_independent() -> None:
    lc = QemuLockCnt()
    assert lc.count() == 0
    lc.inc()
    lc.inc()
    assert lc.count() == 2
    lc.lock()                      # the mutex does not touch the count
    assert lc.count() == 2
    lc.unlock()
    lc.dec()
    lc.dec()
    assert lc.count() == 0


def test_inc_from_zero_waits_for_the_mutex_but_not_from_nonzero() -> None:
    lc = QemuLockCnt()
    lc.lock()
    entered = threading.Event()

    def reader() -> None:
        lc.inc()
        entered.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    assert not entered.wait(0.05)          # count was 0 and the mutex is held: waits
    assert lc.count() == 0                 # so the holder may free nodes now
    lc.inc_and_unlock()                    # holder takes a count as it unlocks
    assert entered.wait(5)
    t.join()
    assert lc.count() == 2

    lc.lock()                              # count > 0: inc does not wait for the mutex
    done = threading.Event()
    threading.Thread(target=lambda: (lc.inc(), done.set()), daemon=True).start()
    assert done.wait(5)
    assert lc.count() == 3
    lc.unlock()


def test_dec_and_lock_locks_only_on_the_last_count() -> None:
    lc = QemuLockCnt()
    lc.inc()
    lc.inc()
    assert lc.dec_and_lock() is False and lc.count() == 1
    assert lc.dec_and_lock() is True and lc.count() == 0
    assert lc._mutex.trylock() is False    # we hold it now
    lc.unlock()


def test_dec_if_lock_only_when_ours_is_the_only_count() -> None:
    lc = QemuLockCnt()
    lc.inc()
    lc.inc()
    assert lc.dec_if_lock() is False and lc.count() == 2
    lc.dec()
    assert lc.dec_if_lock() is True and lc.count() == 0
    lc.inc_and_unlock()
    assert lc.count() == 1


def test_dec_without_inc_and_dec_if_lock_without_count_are_errors() -> None:
    lc = QemuLockCnt()
    with pytest.raises(QemuAssertionError, match="dec without a matching inc"):
        lc.dec()
    lc2 = QemuLockCnt()
    with pytest.raises(QemuAssertionError, match="without holding a count"):
        lc2.dec_if_lock()


def test_writer_with_mutex_and_zero_count_excludes_readers() -> None:
    """Readers inc/dec in a loop; a writer that sees count 0 under the mutex must keep
    seeing 0 until it unlocks (readers cannot start walking meanwhile)."""
    lc = QemuLockCnt()
    stop = time.monotonic() + 0.3
    violations = []

    def reader() -> None:
        while time.monotonic() < stop:
            lc.inc()
            lc.dec()

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for t in readers:
        t.start()
    checks = 0
    while time.monotonic() < stop:
        lc.lock()
        if lc.count() == 0:
            checks += 1
            for _ in range(50):
                if lc.count() != 0:
                    violations.append(lc.count())
        lc.unlock()
    for t in readers:
        t.join()
    assert checks > 0 and violations == []
