"""Asynchronous request handles and their cancellation (QEMU util/aiocb.c, block/io.c).

A ``BlockAIOCB`` is what an asynchronous submission returns: the completion callback
``cb(opaque, ret)``, a reference count (the submitter's reference is dropped by the
completion path), and the ``AIOCBInfo`` of whoever implements it, which may offer
``cancel_async``.  Cancelling never suppresses the completion callback: the request
either finishes normally or completes early with ``-ECANCELED``.  Reference counts are
only touched in the home thread of the context that completes the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .aio_wait import AIO_WAIT_WHILE_UNLOCKED, qemu_in_main_thread
from .errors import UseAfterFree, qemu_assert

BlockCompletionFunc = Callable[[Any, int], None]


@dataclass(frozen=True)
class AIOCBInfo:
    """What the implementer of a kind of request offers (``aiocb_size`` has no use here)."""

    cancel_async: Callable[[BlockAIOCB], None] | None = None


class BlockAIOCB:
    """One asynchronous request (``qemu_aio_get`` creates it with one reference)."""

    def __init__(self, aiocb_info: AIOCBInfo, cb: BlockCompletionFunc | None,
                 opaque: Any) -> None:
        self.aiocb_info = aiocb_info
        self.cb = cb
        self.opaque = opaque
        self.refcnt = 1
        self.freed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} refcnt={self.refcnt}{' freed' if self.freed else ''}>"


def qemu_aio_ref(acb: BlockAIOCB) -> None:
    if acb.freed:
        raise UseAfterFree(f"qemu_aio_ref: {acb!r} was already freed")
    acb.refcnt += 1


def qemu_aio_unref(acb: BlockAIOCB) -> None:
    """Drop a reference; the last one frees the request."""
    if acb.freed:
        raise UseAfterFree(f"qemu_aio_unref: {acb!r} was already freed")
    qemu_assert(acb.refcnt > 0, "qemu_aio_unref: reference count underflow")
    acb.refcnt -= 1
    if acb.refcnt == 0:
        acb.freed = True


def bdrv_aio_cancel_async(acb: BlockAIOCB) -> None:
    """Ask for cancellation and return at once; the callback still runs, later."""
    if acb.aiocb_info.cancel_async is not None:
        acb.aiocb_info.cancel_async(acb)


def bdrv_aio_cancel(acb: BlockAIOCB) -> None:
    """Main loop only: cancel if possible, then wait until the request completed."""
    qemu_assert(qemu_in_main_thread(), "bdrv_aio_cancel: not called from the main loop")
    qemu_aio_ref(acb)
    bdrv_aio_cancel_async(acb)
    AIO_WAIT_WHILE_UNLOCKED(None, lambda: acb.refcnt > 1)
    qemu_aio_unref(acb)
