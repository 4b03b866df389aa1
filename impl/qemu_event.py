"""QemuEvent (util/qemu-thread-posix.c): a manual-reset event built from the primitives
of ``sync``, as QEMU builds it from an atomic word and a futex.

It is not a primitive of its own: the simulation sees the atomic word and the
mutex/condition pair standing in for the futex, and so explores the event's internal
interleavings (the reset/set race of qemuevent-reset-rmw-no-fence lives there).
"""

from __future__ import annotations

from collections.abc import Sequence

from .sync import ACQUIRE, Atomic, Cond, Mutex, smp_mb, smp_mb__after_rmw


class QemuEvent:
    """QemuEvent: a manual-reset event with QEMU's FREE/SET/BUSY protocol.

    The Linux (futex) code of util/qemu-thread-posix.c after the 2023 clean-up: ``set``
    is a full barrier, a load and, unless already SET, an exchange followed by
    ``smp_mb__after_rmw``; ``reset`` is an RMW followed by ``smp_mb__after_rmw``;
    ``wait`` loops on a load-acquire and a FREE->BUSY cmpxchg.  Built from the
    primitives of ``sync`` (an ``Atomic`` word plus a mutex/cond pair standing in for the
    futex), so the simulation explores its internal interleavings.  The bug switch
    ``qemuevent-reset-rmw-no-fence`` drops the barrier after the reset's RMW.
    """

    SET = 0
    FREE = 1
    BUSY = -1

    def __init__(self, init: bool = False, name: str | None = None,
                 bugs: Sequence[str] = ()) -> None:
        self.name = name
        self.value = Atomic(self.SET if init else self.FREE, name=f"{name or 'event'}.value")
        self._futex_lock = Mutex(name=f"{name or 'event'}.futex_lock")
        self._futex_cond = Cond(name=f"{name or 'event'}.futex_cond")
        self._reset_no_fence = "qemuevent-reset-rmw-no-fence" in bugs

    def set(self, label: str | None = None) -> None:
        """Wake every waiter; the event stays set until ``reset``."""
        smp_mb("qemu_event_set.mb")
        if self.value.load(label="qemu_event_set.load") != self.SET:
            old = self.value.xchg(self.SET, label="qemu_event_set.xchg")
            smp_mb__after_rmw("qemu_event_set.mb_after_rmw")
            if old == self.BUSY:
                self._futex_wake()

    def reset(self, label: str | None = None) -> None:
        """Make the event not-set, so that a later ``wait`` blocks until the next ``set``."""
        self.value.fetch_or(self.FREE, label="qemu_event_reset.fetch_or")
        if not self._reset_no_fence:
            smp_mb__after_rmw("qemu_event_reset.mb_after_rmw")

    def wait(self, label: str | None = None) -> None:
        """Block until the event is set (a wake-up that finds it reset again waits
        again, as QEMU's loop does)."""
        while True:
            value = self.value.load(ACQUIRE, label="qemu_event_wait.load")
            if value == self.SET:
                return
            if value == self.FREE:
                if self.value.cmpxchg(self.FREE, self.BUSY,
                                      label="qemu_event_wait.cmpxchg") == self.SET:
                    return
            self._futex_wait()

    def _futex_wait(self) -> None:
        """``qemu_futex_wait(ev, EV_BUSY)``: sleep only if the word is still BUSY."""
        self._futex_lock.lock("qemu_event_wait.futex_lock")
        if self.value.load(label="qemu_event_wait.recheck") == self.BUSY:
            self._futex_cond.wait(self._futex_lock, "qemu_event_wait.futex_wait")
        self._futex_lock.unlock("qemu_event_wait.futex_unlock")

    def _futex_wake(self) -> None:
        self._futex_lock.lock("qemu_event_set.futex_lock")
        self._futex_cond.broadcast("qemu_event_set.futex_wake")
        self._futex_lock.unlock("qemu_event_set.futex_unlock")
