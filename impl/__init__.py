"""aioctx.impl: QEMU's AioContext event loop, for real, on OS threads.

Everything shared between threads goes through ``aioctx.impl.sync``, which is what lets
aioctx.sim run this same code one step at a time.  Names follow QEMU: context methods
drop the ``ctx`` argument (``ctx.aio_poll(True)``), BH and timer functions keep theirs.
"""

from .aio_context import AioContext, aio_context_new
from .aio_coroutine import aio_co_enter, aio_co_reschedule_self, aio_co_schedule, aio_co_wake
from .aio_wait import (
    AIO_WAIT_WHILE,
    AIO_WAIT_WHILE_UNLOCKED,
    aio_wait_bh_oneshot,
    aio_wait_kick,
    global_aio_wait,
    qemu_in_main_thread,
)
from .aiocb import (
    AIOCBInfo,
    BlockAIOCB,
    bdrv_aio_cancel,
    bdrv_aio_cancel_async,
    qemu_aio_ref,
    qemu_aio_unref,
)
from .bottom_half import (
    BH_DELETED,
    BH_IDLE,
    BH_ONESHOT,
    BH_PENDING,
    BH_SCHEDULED,
    QEMUBH,
    MemReentrancyGuard,
    aio_bh_call,
    aio_bh_poll,
    qemu_bh_cancel,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_bh_schedule_idle,
)
from .coqueue import (
    CoQueue,
    qemu_co_enter_all,
    qemu_co_enter_next,
    qemu_co_queue_empty,
    qemu_co_queue_next,
    qemu_co_queue_restart_all,
    qemu_co_queue_wait,
)
from .coroutine import (
    Coroutine,
    qemu_aio_coroutine_enter,
    qemu_coroutine_create,
    qemu_coroutine_enter,
    qemu_coroutine_enter_if_inactive,
    qemu_coroutine_entered,
    qemu_coroutine_get_aio_context,
    qemu_coroutine_self,
    qemu_coroutine_yield,
    qemu_in_coroutine,
)
from .errors import QemuAssertionError, UseAfterFree
from .fd_handlers import AioHandler
from .graph_lock import (
    GRAPH_RDLOCK_GUARD,
    GRAPH_RDLOCK_GUARD_MAINLOOP,
    WITH_GRAPH_RDLOCK_GUARD,
    assert_bdrv_graph_readable,
    assert_bdrv_graph_writable,
    bdrv_graph_co_rdlock,
    bdrv_graph_co_rdunlock,
    bdrv_graph_rdlock_main_loop,
    bdrv_graph_rdunlock_main_loop,
    bdrv_graph_wrlock,
    bdrv_graph_wrunlock,
)
from .graph_lock_invariants import (
    GraphLockSnapshot,
    check_graph_lock_invariants,
    graph_lock_snapshot,
    graph_lock_violations,
)
from .gsource import AioContextSource, GMainContext, GSource, g_main_context_default
from .home_thread import (
    bql_lock,
    bql_locked,
    bql_unlock,
    in_aio_context_home_thread,
    qemu_get_aio_context,
    qemu_get_current_aio_context,
    qemu_set_current_aio_context,
)
from .iothread import IOThread
from .lockcnt import QemuLockCnt
from .main_loop import qemu_init_main_loop
from .qemu_event import QemuEvent
from .thread_pool import (
    THREAD_POOL_MAX_THREADS_DEFAULT,
    ThreadPoolAio,
    aio_context_set_thread_pool_params,
    aio_get_thread_pool,
    thread_pool_submit,
    thread_pool_submit_aio,
    thread_pool_submit_co,
)
from .timers import (
    QEMU_CLOCK_HOST,
    QEMU_CLOCK_REALTIME,
    QEMU_CLOCK_VIRTUAL,
    QEMU_CLOCK_VIRTUAL_RT,
    SCALE_MS,
    SCALE_NS,
    SCALE_US,
    QEMUTimer,
    qemu_clock_get_ms,
    qemu_clock_get_ns,
    qemu_clock_get_us,
    qemu_soonest_timeout,
    qemu_timeout_ns_to_ms,
    timer_del,
    timer_expire_time_ns,
    timer_expired,
    timer_free,
    timer_mod,
    timer_mod_ns,
    timer_pending,
)

__all__ = [
    "AioContext", "aio_context_new", "AioHandler", "AioContextSource", "GMainContext",
    "GSource", "g_main_context_default", "QemuLockCnt", "QEMUBH", "MemReentrancyGuard",
    "BH_PENDING", "BH_SCHEDULED", "BH_DELETED", "BH_ONESHOT", "BH_IDLE",
    "aio_bh_call", "aio_bh_poll", "qemu_bh_schedule", "qemu_bh_schedule_idle",
    "qemu_bh_cancel", "qemu_bh_delete",
    "QemuAssertionError", "UseAfterFree",
    "bql_lock", "bql_unlock", "bql_locked", "in_aio_context_home_thread",
    "qemu_get_aio_context", "qemu_get_current_aio_context", "qemu_set_current_aio_context",
    "qemu_init_main_loop",
    "QEMUTimer", "QEMU_CLOCK_REALTIME", "QEMU_CLOCK_VIRTUAL", "QEMU_CLOCK_HOST",
    "QEMU_CLOCK_VIRTUAL_RT", "SCALE_NS", "SCALE_US", "SCALE_MS", "qemu_clock_get_ns",
    "qemu_clock_get_us", "qemu_clock_get_ms", "qemu_soonest_timeout",
    "qemu_timeout_ns_to_ms", "timer_mod", "timer_mod_ns", "timer_del", "timer_free",
    "timer_pending", "timer_expired", "timer_expire_time_ns",
    # coroutines, thread pool, AIO_WAIT and the graph lock
    "Coroutine", "qemu_coroutine_create", "qemu_coroutine_enter", "qemu_aio_coroutine_enter",
    "qemu_coroutine_enter_if_inactive", "qemu_coroutine_entered", "qemu_coroutine_self",
    "qemu_coroutine_yield", "qemu_in_coroutine", "qemu_coroutine_get_aio_context",
    "aio_co_enter", "aio_co_schedule", "aio_co_wake", "aio_co_reschedule_self",
    "CoQueue", "qemu_co_queue_wait", "qemu_co_queue_next", "qemu_co_queue_restart_all",
    "qemu_co_enter_next", "qemu_co_enter_all", "qemu_co_queue_empty",
    "AIO_WAIT_WHILE", "AIO_WAIT_WHILE_UNLOCKED", "aio_wait_kick", "aio_wait_bh_oneshot",
    "global_aio_wait", "qemu_in_main_thread",
    "AIOCBInfo", "BlockAIOCB", "qemu_aio_ref", "qemu_aio_unref", "bdrv_aio_cancel",
    "bdrv_aio_cancel_async",
    "THREAD_POOL_MAX_THREADS_DEFAULT", "ThreadPoolAio", "aio_get_thread_pool",
    "aio_context_set_thread_pool_params", "thread_pool_submit", "thread_pool_submit_aio",
    "thread_pool_submit_co",
    "bdrv_graph_wrlock", "bdrv_graph_wrunlock", "bdrv_graph_co_rdlock",
    "bdrv_graph_co_rdunlock", "bdrv_graph_rdlock_main_loop", "bdrv_graph_rdunlock_main_loop",
    "assert_bdrv_graph_readable", "assert_bdrv_graph_writable", "GRAPH_RDLOCK_GUARD",
    "WITH_GRAPH_RDLOCK_GUARD", "GRAPH_RDLOCK_GUARD_MAINLOOP",
    "GraphLockSnapshot", "graph_lock_snapshot", "graph_lock_violations",
    "check_graph_lock_invariants", "IOThread", "QemuEvent",
]
