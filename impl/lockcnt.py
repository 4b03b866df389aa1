"""QemuLockCnt: a reader count and a mutex that cooperate (QEMU util/lockcnt.c).

Readers that walk a list take a count (``inc``/``dec``) and never wait while someone
else already counts.  A writer takes the mutex; if it then sees the count at zero it
knows no reader can start walking until it unlocks (``inc`` from zero has to take the
mutex first), so it may free nodes right away; otherwise it defers the free.  This is
the mutex-plus-counter build of QEMU's LockCnt, written on impl.sync so the simulation
sees every step.
"""

from __future__ import annotations

from . import sync
from .errors import qemu_assert


class QemuLockCnt:
    """A counter of concurrent readers combined with a mutex for writers."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "lockcnt"
        self._count = sync.Atomic(0, name=f"{self.name}.count")
        self._mutex = sync.Mutex(name=f"{self.name}.mutex")

    def inc(self) -> None:
        """Take a count.  From zero this waits for the mutex; otherwise it never waits."""
        while True:
            old = self._count.load(label="qemu_lockcnt_inc.load")
            if old == 0:
                self.lock()
                self.inc_and_unlock()
                return
            if self._count.cmpxchg(old, old + 1, label="qemu_lockcnt_inc.cmpxchg") == old:
                return

    def dec(self) -> None:
        """Drop a count; never waits."""
        old = self._count.fetch_sub(1, label="qemu_lockcnt_dec.fetch_sub")
        qemu_assert(old > 0, f"{self.name}: dec without a matching inc")

    def dec_and_lock(self) -> bool:
        """Drop a count; if it was the last one, also take the mutex and return True."""
        val = self._count.load(label="qemu_lockcnt_dec_and_lock.load")
        while val > 1:
            old = self._count.cmpxchg(val, val - 1, label="qemu_lockcnt_dec_and_lock.cmpxchg")
            if old == val:
                return False
            val = old
        self.lock()
        if self._count.fetch_sub(1, label="qemu_lockcnt_dec_and_lock.fetch_sub") == 1:
            return True
        self.unlock()
        return False

    def dec_if_lock(self) -> bool:
        """If ours is the only count, drop it, take the mutex and return True; otherwise
        change nothing and return False."""
        val = self._count.load(label="qemu_lockcnt_dec_if_lock.load")
        qemu_assert(val >= 1, f"{self.name}: dec_if_lock without holding a count")
        if val > 1:
            return False
        self.lock()
        if self._count.fetch_sub(1, label="qemu_lockcnt_dec_if_lock.fetch_sub") == 1:
            return True
        self.inc_and_unlock()
        return False

    def lock(self) -> None:
        """Take the mutex (the count is unaffected)."""
        self._mutex.lock(label="qemu_lockcnt_lock")

    def unlock(self) -> None:
        self._mutex.unlock(label="qemu_lockcnt_unlock")

    def inc_and_unlock(self) -> None:
        """Take a count and release the mutex, so no writer can slip in between."""
        self._count.fetch_add(1, label="qemu_lockcnt_inc_and_unlock.fetch_add")
        self._mutex.unlock(label="qemu_lockcnt_inc_and_unlock.unlock")

    def count(self) -> int:
        """The number of counts held; meaningful (as zero / non-zero) with the mutex held."""
        return self._count.load(label="qemu_lockcnt_count.load")
