"""The per-context thread pool (QEMU util/thread-pool.c, the 10.x ``…_aio`` names).

A context's home thread submits blocking work (``func(arg)``) and gets its result back
in the same thread, through the pool's completion BH.  Workers are created on demand
up to ``max_threads`` (from the context's home thread, through a BH, and then each new
worker starts the next one), keep ``min_threads`` warm, and exit after 10 s idle.

Request states go ``QUEUED -> ACTIVE -> DONE`` (a worker) or ``QUEUED -> DONE`` with
``-ECANCELED`` (cancellation); only the pool lock moves a request out of QUEUED, so a
request is either run or cancelled, never both.  The worker publishes ``ret`` before
``state`` (write barrier), the completion BH reads them in the opposite order.

The completion BH schedules itself again before each callback, so that a callback that
runs a nested ``aio_poll`` to wait for another finished request gets it delivered.
Bug switch ``threadpool-nested-aio-poll`` (owned by the context) drops that (pre-2014).
"""

from __future__ import annotations

import errno
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sync
from .aio_coroutine import aio_co_wake
from .aiocb import AIOCBInfo, BlockAIOCB, BlockCompletionFunc, qemu_aio_unref
from .bottom_half import qemu_bh_cancel, qemu_bh_delete, qemu_bh_schedule
from .coroutine import qemu_coroutine_self, qemu_coroutine_yield, qemu_in_coroutine
from .errors import QemuAssertionError, qemu_assert
from .home_thread import qemu_get_current_aio_context

if TYPE_CHECKING:
    from .aio_context import AioContext

THREAD_POOL_MAX_THREADS_DEFAULT = 64
INT_MAX = 2**31 - 1
EINPROGRESS = errno.EINPROGRESS
ECANCELED = errno.ECANCELED

THREAD_QUEUED = 0
THREAD_ACTIVE = 1
THREAD_DONE = 2

# How long an idle worker above min_threads waits for work before it exits.
THREAD_POOL_IDLE_TIMEOUT_NS = 10_000_000_000

ThreadPoolFunc = Callable[[Any], int]


class ThreadPoolElementAio(BlockAIOCB):
    """One request: a BlockAIOCB plus the work and its state."""

    def __init__(self, pool: ThreadPoolAio, func: ThreadPoolFunc, arg: Any,
                 cb: BlockCompletionFunc | None, opaque: Any) -> None:
        super().__init__(_THREAD_POOL_AIOCB_INFO, cb, opaque)
        self.pool = pool
        self.func = func
        self.arg = arg
        self.state = sync.Atomic(THREAD_QUEUED, name="thread_pool_elem.state")
        self.ret = sync.Atomic(0, name="thread_pool_elem.ret")


class ThreadPoolAio:
    """A context's pool (``thread_pool_new_aio``)."""

    def __init__(self, ctx: AioContext) -> None:
        self.ctx = ctx
        self.completion_bh = ctx.aio_bh_new(thread_pool_completion_bh, self,
                                            name="thread_pool_completion_bh")
        self.new_thread_bh = ctx.aio_bh_new(spawn_thread_bh_fn, self, name="spawn_thread_bh")
        self.lock = sync.Mutex(name=f"{ctx.name}.thread_pool.lock")
        self.request_cond = sync.Cond(name=f"{ctx.name}.thread_pool.request_cond")
        self.worker_stopped = sync.Cond(name=f"{ctx.name}.thread_pool.worker_stopped")
        self.head: deque[ThreadPoolElementAio] = deque()    # home thread only
        # the rest is protected by `lock`
        self.request_list: deque[ThreadPoolElementAio] = deque()
        self.cur_threads = 0
        self.idle_threads = 0
        self.new_threads = 0        # backlog of workers still to be created
        self.pending_threads = 0    # created, not running yet
        self.min_threads = 0
        self.max_threads = 0
        self.workers_started = 0    # names the worker threads
        thread_pool_update_params(self, ctx)


# --------------------------------------------------------------------------- workers


def worker_thread(pool: ThreadPoolAio) -> None:
    """A worker: run queued requests; exit when idle too long or above max_threads."""
    pool.lock.lock(label="worker_thread.lock")
    pool.pending_threads -= 1
    do_spawn_thread(pool)
    while pool.cur_threads <= pool.max_threads:
        if not pool.request_list:
            pool.idle_threads += 1
            signalled = pool.request_cond.timedwait(pool.lock, THREAD_POOL_IDLE_TIMEOUT_NS,
                                                    label="worker_thread.timedwait")
            pool.idle_threads -= 1
            if (not signalled and not pool.request_list
                    and pool.cur_threads > pool.min_threads):
                break                   # timed out, nothing to do, not needed warm
            continue                    # re-check max_threads before taking work
        req = pool.request_list.popleft()
        req.state.store(THREAD_ACTIVE, label="worker_thread.store_active")
        pool.lock.unlock(label="worker_thread.unlock")
        ret = req.func(req.arg)
        req.ret.store(ret, label="worker_thread.store_ret")
        sync.smp_wmb("worker_thread.wmb")                 # ret before state
        req.state.store(THREAD_DONE, label="worker_thread.store_done")
        qemu_bh_schedule(pool.completion_bh)
        pool.lock.lock(label="worker_thread.relock")
    pool.cur_threads -= 1
    pool.worker_stopped.signal(label="worker_thread.signal_stopped")
    # pass on a wake-up we may have taken while deciding to exit above max_threads
    pool.request_cond.signal(label="worker_thread.signal_request")
    pool.lock.unlock(label="worker_thread.exit_unlock")


def do_spawn_thread(pool: ThreadPoolAio) -> None:
    """Start one worker from the backlog (lock held)."""
    if not pool.new_threads:
        return
    pool.new_threads -= 1
    pool.pending_threads += 1
    pool.workers_started += 1
    sync.Thread(worker_thread, (pool,),
                name=f"{pool.ctx.name}.worker{pool.workers_started}").start()


def spawn_thread_bh_fn(pool: ThreadPoolAio) -> None:
    pool.lock.lock(label="spawn_thread_bh_fn.lock")
    do_spawn_thread(pool)
    pool.lock.unlock(label="spawn_thread_bh_fn.unlock")


def spawn_thread(pool: ThreadPoolAio) -> None:
    """Count one more worker (lock held); the context's thread creates it unless
    workers being created already will (each new worker starts the next)."""
    pool.cur_threads += 1
    pool.new_threads += 1
    if not pool.pending_threads:
        qemu_bh_schedule(pool.new_thread_bh)


# --------------------------------------------------------------------------- completion


def thread_pool_completion_bh(pool: ThreadPoolAio) -> None:
    """Home thread: deliver every finished request, rescanning after each callback
    (a callback may submit, complete or cancel other requests)."""
    nested_fix = "threadpool-nested-aio-poll" not in pool.ctx.bugs
    restart = True
    while restart:
        restart = False
        for elem in list(pool.head):
            if elem.state.load(label="thread_pool_completion_bh.load_state") != THREAD_DONE:
                continue
            pool.head.remove(elem)
            if elem.cb is None:
                qemu_aio_unref(elem)
                continue
            sync.smp_rmb("thread_pool_completion_bh.rmb")  # state before ret
            if nested_fix:
                qemu_bh_schedule(pool.completion_bh)   # for a nested aio_poll in cb
            elem.cb(elem.opaque, elem.ret.load(label="thread_pool_completion_bh.load_ret"))
            # cancelling is fine even if someone scheduled it meanwhile: we rescan anyway
            qemu_bh_cancel(pool.completion_bh)
            qemu_aio_unref(elem)
            restart = True
            break


def thread_pool_cancel(acb: BlockAIOCB) -> None:
    """``cancel_async``: a request still queued completes at once with -ECANCELED;
    one already running or done is left to finish normally."""
    assert isinstance(acb, ThreadPoolElementAio)
    pool = acb.pool
    pool.lock.lock(label="thread_pool_cancel.lock")
    if acb.state.load(label="thread_pool_cancel.load_state") == THREAD_QUEUED:
        pool.request_list.remove(acb)
        qemu_bh_schedule(pool.completion_bh)
        acb.state.store(THREAD_DONE, label="thread_pool_cancel.store_done")
        acb.ret.store(-ECANCELED, label="thread_pool_cancel.store_ret")
    pool.lock.unlock(label="thread_pool_cancel.unlock")


_THREAD_POOL_AIOCB_INFO = AIOCBInfo(cancel_async=thread_pool_cancel)


# --------------------------------------------------------------------------- submission


def thread_pool_submit_aio(func: ThreadPoolFunc, arg: Any, cb: BlockCompletionFunc | None,
                           opaque: Any = None) -> ThreadPoolElementAio:
    """Run ``func(arg)`` in a worker of the calling thread's context's pool, then
    ``cb(opaque, ret)`` in this thread (never before the caller returns to its loop)."""
    ctx = qemu_get_current_aio_context()
    qemu_assert(ctx is not None, "thread_pool_submit_aio: the calling thread has no AioContext")
    assert ctx is not None
    pool = aio_get_thread_pool(ctx)
    req = ThreadPoolElementAio(pool, func, arg, cb, opaque)
    pool.head.appendleft(req)
    pool.lock.lock(label="thread_pool_submit_aio.lock")
    if pool.idle_threads == 0 and pool.cur_threads < pool.max_threads:
        spawn_thread(pool)
    pool.request_list.append(req)
    pool.lock.unlock(label="thread_pool_submit_aio.unlock")
    pool.request_cond.signal(label="thread_pool_submit_aio.signal")
    return req


def thread_pool_submit(func: ThreadPoolFunc, arg: Any) -> ThreadPoolElementAio:
    """Fire and forget: run ``func(arg)`` in the pool, with no completion callback."""
    return thread_pool_submit_aio(func, arg, None, None)


class _ThreadPoolCo:
    __slots__ = ("co", "ret")

    def __init__(self) -> None:
        self.co = qemu_coroutine_self()
        self.ret = -EINPROGRESS


def _thread_pool_co_cb(tpc: _ThreadPoolCo, ret: int) -> None:
    tpc.ret = ret
    aio_co_wake(tpc.co)


async def thread_pool_submit_co(func: ThreadPoolFunc, arg: Any) -> int:
    """coroutine_fn: run ``func(arg)`` in the pool and return its result."""
    qemu_assert(qemu_in_coroutine(), "thread_pool_submit_co: not in a coroutine")
    tpc = _ThreadPoolCo()
    thread_pool_submit_aio(func, arg, _thread_pool_co_cb, tpc)
    await qemu_coroutine_yield()
    return tpc.ret


# --------------------------------------------------------------------------- life cycle


def thread_pool_update_params(pool: ThreadPoolAio, ctx: AioContext) -> None:
    """Apply the context's min/max: start workers up to min, wake surplus ones so
    they exit."""
    pool.lock.lock(label="thread_pool_update_params.lock")
    pool.min_threads = ctx.thread_pool_min
    pool.max_threads = ctx.thread_pool_max
    for _ in range(pool.cur_threads, pool.min_threads):
        spawn_thread(pool)
    for _ in range(pool.max_threads, pool.cur_threads):
        pool.request_cond.signal(label="thread_pool_update_params.signal")
    pool.lock.unlock(label="thread_pool_update_params.unlock")


def aio_get_thread_pool(ctx: AioContext) -> ThreadPoolAio:
    """The context's pool, created on first use."""
    if ctx.thread_pool is None:
        ctx.thread_pool = ThreadPoolAio(ctx)
    return ctx.thread_pool


def aio_context_set_thread_pool_params(ctx: AioContext, min_threads: int,
                                       max_threads: int) -> None:
    """Set the pool bounds, checked as QEMU does (0 <= min <= max, 0 < max <= INT_MAX);
    nothing changes on error."""
    for value in (min_threads, max_threads):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"thread-pool-min/thread-pool-max must be integers, "
                            f"not {type(value).__name__}")
    if (min_threads > max_threads or max_threads <= 0 or min_threads < 0
            or min_threads > INT_MAX or max_threads > INT_MAX):
        raise ValueError("bad thread-pool-min/thread-pool-max values")
    ctx.thread_pool_min = min_threads
    ctx.thread_pool_max = max_threads
    if ctx.thread_pool is not None:
        thread_pool_update_params(ctx.thread_pool, ctx)


def thread_pool_free_aio(pool: ThreadPoolAio | None) -> None:
    """From finalization: stop every worker and wait until they are gone."""
    if pool is None:
        return
    if pool.head:
        raise QemuAssertionError(f"thread_pool_free_aio: {len(pool.head)} request(s) of "
                                 f"{pool.ctx.name!r} still outstanding")
    pool.lock.lock(label="thread_pool_free_aio.lock")
    qemu_bh_delete(pool.new_thread_bh)
    pool.cur_threads -= pool.new_threads
    pool.new_threads = 0
    pool.max_threads = 0
    pool.request_cond.broadcast(label="thread_pool_free_aio.broadcast")
    while pool.cur_threads > 0:
        pool.worker_stopped.wait(pool.lock, label="thread_pool_free_aio.wait_stopped")
    pool.lock.unlock(label="thread_pool_free_aio.unlock")
    qemu_bh_delete(pool.completion_bh)
