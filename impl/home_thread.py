"""Which thread a context belongs to: the current-context thread-local, the main
context, and the Big QEMU Lock (QEMU util/async.c, system/cpus.c, include/block/aio-wait.h).

Each thread may declare one current AioContext (an IOThread its own, the main loop the
main context).  A thread that holds the BQL without a context of its own (a vCPU thread)
counts as the main context's thread.  Under aioctx.sim the thread-locals and the globals
below belong to the execution, so nothing leaks from one run into the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sync
from .errors import qemu_assert

if TYPE_CHECKING:
    from .aio_context import AioContext

_my_aiocontext = sync.ThreadLocal(name="my_aiocontext")
_bql_held = sync.ThreadLocal(name="bql_locked")


class _MainLoopGlobals:
    """QEMU's file-scope globals of the main loop (one set per process / execution)."""

    def __init__(self) -> None:
        self.qemu_aio_context: AioContext | None = None
        self.bql = sync.Mutex(name="bql")


def main_loop_globals() -> _MainLoopGlobals:
    return sync.global_state("impl.main_loop", _MainLoopGlobals)


def bql_lock() -> None:
    """Take the Big QEMU Lock (not recursive)."""
    qemu_assert(not bql_locked(), "bql_lock: this thread already holds the BQL")
    main_loop_globals().bql.lock(label="bql_lock")
    _bql_held.set(True)


def bql_unlock() -> None:
    qemu_assert(bql_locked(), "bql_unlock: this thread does not hold the BQL")
    _bql_held.set(False)
    main_loop_globals().bql.unlock(label="bql_unlock")


def bql_locked() -> bool:
    """Does the calling thread hold the BQL?"""
    return bool(_bql_held.get(False))


def qemu_get_aio_context() -> AioContext | None:
    """The main loop's context (None before ``qemu_init_main_loop``)."""
    return main_loop_globals().qemu_aio_context


def qemu_get_current_aio_context() -> AioContext | None:
    """The calling thread's context; the main context for a BQL holder; else None."""
    ctx = _my_aiocontext.get(None)
    if ctx is not None:
        return ctx
    if bql_locked():
        return qemu_get_aio_context()
    return None


def qemu_set_current_aio_context(ctx: Any) -> None:
    """Declare ``ctx`` the calling thread's context (once per thread, as in QEMU).

    Passing None forgets the declaration; QEMU has no such call, but Python code that
    reuses a thread for several contexts (a test runner) needs it.
    """
    if ctx is not None:
        qemu_assert(_my_aiocontext.get(None) is None,
                    "qemu_set_current_aio_context: this thread already has a current context")
    _my_aiocontext.set(ctx)


def in_aio_context_home_thread(ctx: AioContext) -> bool:
    """May the calling thread run ``ctx``'s event loop?"""
    if ctx is qemu_get_current_aio_context():
        return True
    if ctx is qemu_get_aio_context():
        return bql_locked()
    return False
