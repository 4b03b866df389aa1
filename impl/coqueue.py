"""CoQueue: a FIFO of coroutines waiting for something (QEMU util/qemu-coroutine-lock.c).

A CoQueue is not thread-safe by itself: every operation happens under some external
lock (a ``QemuLockable``: anything with ``lock(label)``/``unlock(label)``, such as
``sync.Mutex``), which the wait and enter functions drop around the yield or the
wake-up.  A waiter enqueues itself and drops the lock before yielding; a waker from
another context ends up in ``aio_co_schedule``, whose BH can only enter the waiter
after it yielded, so no wake-up is lost.  A woken waiter takes the lock again before
``qemu_co_queue_wait`` returns.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from .aio_coroutine import aio_co_wake
from .coroutine import Coroutine, qemu_coroutine_self, qemu_coroutine_yield, qemu_in_coroutine
from .errors import qemu_assert


class QemuLockable(Protocol):
    def lock(self, label: str | None = None) -> None: ...

    def unlock(self, label: str | None = None) -> None: ...


class CoQueue:
    """``CoQueue``: coroutines waiting, oldest first (``qemu_co_queue_init``)."""

    __slots__ = ("name", "entries")

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "co_queue"
        self.entries: deque[Coroutine] = deque()

    def __repr__(self) -> str:
        return f"<CoQueue {self.name} {[co.name for co in self.entries]}>"


async def qemu_co_queue_wait(queue: CoQueue, lock: QemuLockable | None = None,
                             front: bool = False) -> None:
    """coroutine_fn: sleep on ``queue`` until woken, with ``lock`` dropped meanwhile.

    ``front`` is ``CO_QUEUE_WAIT_FRONT``: wait at the head of the queue.
    """
    qemu_assert(qemu_in_coroutine(), "qemu_co_queue_wait: not in a coroutine")
    self = qemu_coroutine_self()
    if front:
        queue.entries.appendleft(self)
    else:
        queue.entries.append(self)
    if lock is not None:
        lock.unlock(label="qemu_co_queue_wait.unlock")
    await qemu_coroutine_yield()
    qemu_assert(qemu_in_coroutine(), "qemu_co_queue_wait: resumed outside a coroutine")
    if lock is not None:
        lock.lock(label="qemu_co_queue_wait.lock")


def qemu_co_enter_next(queue: CoQueue, lock: QemuLockable | None = None) -> bool:
    """Wake the oldest waiter (``lock`` dropped around the wake-up); False if none.

    From outside a coroutine, in the waiter's own context, the waiter runs before this
    returns; from a coroutine it runs when the caller yields; from elsewhere it is
    scheduled in its context.
    """
    if not queue.entries:
        return False
    co = queue.entries.popleft()
    if lock is not None:
        lock.unlock(label="qemu_co_enter_next.unlock")
    aio_co_wake(co)
    if lock is not None:
        lock.lock(label="qemu_co_enter_next.lock")
    return True


def qemu_co_enter_all(queue: CoQueue, lock: QemuLockable | None = None) -> None:
    """Wake every waiter, oldest first, including any that queue up meanwhile."""
    while qemu_co_enter_next(queue, lock):
        pass


def qemu_co_queue_next(queue: CoQueue) -> bool:
    """Wake the oldest waiter; False if there was none."""
    return qemu_co_enter_next(queue, None)


def qemu_co_queue_restart_all(queue: CoQueue) -> None:
    """Wake every waiter."""
    qemu_co_enter_all(queue, None)


def qemu_co_queue_empty(queue: CoQueue) -> bool:
    return not queue.entries
