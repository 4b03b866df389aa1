"""aioctx.impl: QEMU's AioContext event loop, for real, on OS threads.

Everything shared between threads goes through ``aioctx.impl.sync``, which is what lets
aioctx.sim run this same code one step at a time.  Names follow QEMU: context methods
drop the ``ctx`` argument (``ctx.aio_poll(True)``), BH and timer functions keep theirs.
"""

from .aio_context import AioContext, aio_context_new
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
from .errors import QemuAssertionError, UseAfterFree
from .fd_handlers import AioHandler
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
from .lockcnt import QemuLockCnt
from .main_loop import qemu_init_main_loop
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
]
