"""AioContext: QEMU's event loop context (util/async.c, util/aio-posix.c, include/block/aio.h).

A context owns bottom halves, fd handlers and timers, and is run by its home thread
with ``aio_poll`` (or through glib, see gsource.py).  Other threads hand it work by
scheduling BHs or arming timers; ``aio_notify`` wakes the home thread only when it is
(about to be) asleep, which is what the ``notify_me`` / ``notified`` protocol decides:

* ``notify_me``: +2 while a blocking ``aio_poll`` may sleep, bit 0 while the glib
  prepare/poll/check cycle may; written only by the home thread;
* ``notified``: set by every ``aio_notify``, cleared by ``aio_notify_accept`` right
  after the wait, before BHs and handlers are examined;
* the EventNotifier is written only if ``notify_me`` is non-zero, and drained by its
  own read handler.

``AioContext(bugs={...})`` switches historical races back on (impl/bugs.py);
``legacy_wakeup=True`` selects the 2015-2020 protocol.  The protocol is an object
chosen once, here in the constructor (``self.wakeup``, see impl/wakeup.py); the
methods below that depend on it delegate to it and never re-check.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from . import bugs as bug_catalogue
from . import sync
from .aio_coroutine import aio_context_fini_coroutines, aio_context_init_coroutines
from .bottom_half import (
    BH_DELETED,
    BH_ONESHOT,
    BH_SCHEDULED,
    QEMUBH,
    BHListSlice,
    MemReentrancyGuard,
    QEMUBHFunc,
    aio_bh_dequeue,
    aio_bh_enqueue,
    aio_compute_bh_timeout,
    bh_chain_has_runnable,
)
from .errors import Freed, QemuAssertionError, UseAfterFree, qemu_assert
from .fd_handlers import (
    AioPollFn,
    IOHandler,
    aio_free_deleted_handlers,
    aio_pending,
    aio_set_fd_handler,
    aio_set_fd_poll,
)
from .graph_lock import register_aiocontext, unregister_aiocontext
from .legacy_wakeup import LEGACY_ONLY_BUGS, LEGACY_WAKEUP
from .lockcnt import QemuLockCnt
from .poll_mode import poll_set_started
from .stats import AioStats
from .thread_pool import THREAD_POOL_MAX_THREADS_DEFAULT, ThreadPoolAio, thread_pool_free_aio
from .timers import (
    QEMUTimer,
    QEMUTimerCB,
    QEMUTimerListGroup,
    qemu_soonest_timeout,
    qemu_timeout_ns_to_ms,
)
from .wakeup import WAKEUP, WAKEUP_WITH_NOTIFY_BUGS, Wakeup

if TYPE_CHECKING:
    from .gsource import AioContextSource

INT64_MAX = 2**63 - 1

# Fields whose use after the context was finalized must fail loudly.
_FREED_FIELDS = ("bh_list", "notify_me", "notified", "dispatching", "notifier",
                 "list_lock", "aio_handlers", "deleted_aio_handlers", "tlg",
                 "scheduled_coroutines")


def _check_param(name: str, value: object) -> int:
    """QEMU's QOM range check for the poll/aio parameters (event-loop-base.c)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} value must be an integer, not {type(value).__name__}")
    if not 0 <= value <= INT64_MAX:
        raise ValueError(f"{name} value must be in range [0, {INT64_MAX}]")
    return value


class AioContext:
    """One event loop context (``aio_context_new``); reference-counted."""

    def __init__(self, bugs: Any = (), name: str | None = None,
                 legacy_wakeup: bool = False) -> None:
        self.bugs = bug_catalogue.validate(bugs, "AioContext")
        if not legacy_wakeup:
            for slug in LEGACY_ONLY_BUGS:
                if slug in self.bugs:
                    raise ValueError(f"bug {slug!r} lives in the 2015-2020 wake-up "
                                     "protocol: use AioContext(..., legacy_wakeup=True)")
        self.name = name or "aio_context"
        self.legacy_wakeup = legacy_wakeup
        self.bug_dispatching = "aio-dispatching-flag" in self.bugs
        self.bug_cleared_late = "aio-notifier-cleared-late" in self.bugs
        self.bug_notified_before_event = "notified-before-event" in self.bugs
        self.bug_skips_set = "notified-skips-set" in self.bugs
        self.bug_accept_stolen = "notify-accept-stolen-by-other-thread" in self.bugs
        self.bug_notify_me_rmw = "notify-me-seqcst-rmw-not-fence" in self.bugs
        self.bug_torn_update = "set-fd-handler-torn-update" in self.bugs
        self.wakeup: Wakeup = (LEGACY_WAKEUP if legacy_wakeup
                               else WAKEUP_WITH_NOTIFY_BUGS
                               if self.bug_skips_set or self.bug_dispatching else WAKEUP)

        n = self.name
        self.refcnt = sync.Atomic(1, name=f"{n}.refcnt")
        self.bh_list = sync.Atomic(None, name=f"{n}.bh_list")
        self.bh_slice_list: deque[BHListSlice] = deque()          # home thread only
        self.notify_me = sync.Atomic(0, name=f"{n}.notify_me")
        self.notified = sync.Atomic(False, name=f"{n}.notified")
        self.dispatching = sync.Atomic(False, name=f"{n}.dispatching")   # 2014 bug only
        self.notifier = sync.EventNotifier(name=f"{n}.notifier")
        self.list_lock = QemuLockCnt(name=f"{n}.list_lock")
        self.aio_handlers = sync.Atomic((), name=f"{n}.aio_handlers")
        self.deleted_aio_handlers = sync.Atomic((), name=f"{n}.deleted_aio_handlers")
        self.poll_aio_handlers: list[Any] = []                     # home thread only
        self.poll_disable_cnt = sync.Atomic(0, name=f"{n}.poll_disable_cnt")
        self.poll_started = False
        self.poller = sync.Poller(name=f"{n}.poller")
        self.lock = sync.RecMutex(name=f"{n}.lock")
        self.tlg = QEMUTimerListGroup(self._timerlist_notify, name=f"{n}.tlg")
        self.poll_max_ns = 0
        self.poll_grow = 0
        self.poll_shrink = 0
        self.aio_max_batch = 0
        self.source: AioContextSource | None = None
        self.stats = AioStats()
        self._finalized = False
        self.aio_set_event_notifier(self.notifier, self._notifier_cb, self._notifier_poll,
                                    self._notifier_poll_ready)
        # coroutines, thread pool and graph lock (aio_coroutine.py, thread_pool.py,
        # graph_lock.py)
        aio_context_init_coroutines(self)
        self.thread_pool: ThreadPoolAio | None = None
        self.thread_pool_min = 0
        self.thread_pool_max = THREAD_POOL_MAX_THREADS_DEFAULT
        register_aiocontext(self)

    def __repr__(self) -> str:
        return f"<AioContext {self.name}{' finalized' if self._finalized else ''}>"

    def _check_alive(self, what: str) -> None:
        if self._finalized:
            raise UseAfterFree(f"{what}: AioContext {self.name!r} was already finalized")

    # ------------------------------------------------------------------ wake-up

    def aio_notify(self) -> None:
        """Make the home thread look at its BHs, timers and fds again; any thread."""
        self.wakeup.aio_notify(self)

    def aio_notify_accept(self) -> None:
        """Right after the wait: forget the notification before looking at the work it
        announced."""
        self.wakeup.aio_notify_accept(self)

    def event_notifier_set(self) -> None:
        """Write the context's EventNotifier (and count the write)."""
        self.stats.notifier_writes.bump()
        self.notifier.set(label="aio_notify.event_notifier_set")

    def _notifier_cb(self, notifier: sync.EventNotifier) -> None:
        self.wakeup.notifier_read(self, notifier)

    def _notifier_poll(self, notifier: sync.EventNotifier) -> bool:
        return bool(self.notified.load(label="aio_context_notifier_poll.load_notified"))

    def _notifier_poll_ready(self, notifier: sync.EventNotifier) -> None:
        """Nothing to do: polling it only had to kick the loop."""

    def _timerlist_notify(self, clock_type: int) -> None:
        self.aio_notify()

    # ------------------------------------------------------------------ the loop

    def aio_poll(self, blocking: bool) -> bool:
        """One loop iteration (see impl.aio_poll); True if progress was made."""
        return self.wakeup.aio_poll(self, blocking)

    def aio_compute_timeout(self) -> int:
        """ns the loop may sleep: 0 if a BH or timer is due, -1 if nothing is armed."""
        timeout = aio_compute_bh_timeout(
            self.bh_list.load(label="aio_compute_timeout.load_bh_list"), -1)
        if timeout == 0:
            return 0
        for bh_slice in self.bh_slice_list:
            timeout = aio_compute_bh_timeout(bh_slice.bh_list, timeout)
            if timeout == 0:
                return 0
        deadline = self.tlg.deadline_ns()
        if deadline == 0:
            return 0
        return qemu_soonest_timeout(timeout, deadline)

    def aio_poll_disabled(self) -> bool:
        """Is some handler without io_poll registered (so ppoll cannot be skipped)?"""
        return self.poll_disable_cnt.load(label="aio_poll_disabled.load") != 0

    # ------------------------------------------------------------------ glib path

    def aio_prepare(self) -> bool:
        """Leave busy-poll mode before glib polls; always False."""
        poll_set_started(self, [], False)
        return False

    def aio_pending(self) -> bool:
        return aio_pending(self)

    def aio_dispatch(self) -> None:
        """Run BHs, the handlers glib found ready, deferred frees and timers."""
        self.list_lock.inc()
        try:
            self.wakeup.dispatch(self)
        finally:
            self.list_lock.dec()
        self.tlg.run_timers()

    def aio_ctx_prepare(self) -> tuple[bool, int]:
        """GSource prepare: announce the glib poll in bit 0; (ready now?, timeout ms)."""
        self.wakeup.gsource_prepare(self)
        timeout = qemu_timeout_ns_to_ms(self.aio_compute_timeout())
        if self.aio_prepare():
            timeout = 0
        return timeout == 0, timeout

    def aio_ctx_check(self) -> bool:
        """GSource check: drop bit 0, accept, then is anything due?"""
        self.wakeup.gsource_check(self)
        if bh_chain_has_runnable(self.bh_list.load(label="aio_ctx_check.load_bh_list")):
            return True
        for bh_slice in self.bh_slice_list:
            if bh_chain_has_runnable(bh_slice.bh_list):
                return True
        return self.aio_pending() or self.tlg.deadline_ns() == 0

    def aio_get_g_source(self) -> AioContextSource:
        """The context as a glib source (takes a reference)."""
        from .gsource import AioContextSource

        self._check_alive("aio_get_g_source")
        if self.source is None:
            self.source = AioContextSource(self)
        self.aio_context_ref()
        return self.source

    # ------------------------------------------------------------------ BHs

    def aio_bh_new(self, cb: QEMUBHFunc, opaque: Any = None,
                   name: str | None = None) -> QEMUBH:
        """A BH that runs ``cb(opaque)`` here each time it is scheduled."""
        self._check_alive("aio_bh_new")
        return QEMUBH(self, cb, opaque, name)

    def aio_bh_new_guarded(self, cb: QEMUBHFunc, opaque: Any,
                           guard: MemReentrancyGuard, name: str | None = None) -> QEMUBH:
        self._check_alive("aio_bh_new_guarded")
        return QEMUBH(self, cb, opaque, name, reentrancy_guard=guard)

    def aio_bh_schedule_oneshot(self, cb: QEMUBHFunc, opaque: Any = None,
                                name: str | None = None) -> None:
        """Run ``cb(opaque)`` once, soon, in the home thread; any thread may call it."""
        if self._finalized:
            self._check_alive("aio_bh_schedule_oneshot")
        aio_bh_enqueue(QEMUBH(self, cb, opaque, name), BH_SCHEDULED | BH_ONESHOT)

    # ------------------------------------------------------------------ fds

    def aio_set_fd_handler(self, fd: int, io_read: IOHandler | None,
                           io_write: IOHandler | None = None,
                           io_poll: AioPollFn | None = None,
                           io_poll_ready: IOHandler | None = None,
                           opaque: Any = None) -> None:
        """Register, replace or (all None) remove the handler for ``fd``."""
        aio_set_fd_handler(self, fd, io_read, io_write, io_poll, io_poll_ready, opaque)

    def aio_set_event_notifier(self, notifier: sync.EventNotifier,
                               io_read: IOHandler | None,
                               io_poll: AioPollFn | None = None,
                               io_poll_ready: IOHandler | None = None) -> None:
        """Handle ``notifier``'s fd; the callbacks receive the notifier itself."""
        aio_set_fd_handler(self, notifier.get_fd(), io_read, None, io_poll, io_poll_ready,
                           notifier)

    def aio_set_event_notifier_poll(self, notifier: sync.EventNotifier,
                                    io_poll_begin: IOHandler | None,
                                    io_poll_end: IOHandler | None) -> None:
        aio_set_fd_poll(self, notifier.get_fd(), io_poll_begin, io_poll_end)

    # ------------------------------------------------------------------ timers

    def aio_timer_new(self, clock_type: int, scale: int, cb: QEMUTimerCB,
                      opaque: Any = None, attributes: int = 0) -> QEMUTimer:
        """A timer of ``clock_type`` whose callback runs in this context."""
        self._check_alive("aio_timer_new")
        return QEMUTimer(self.tlg.tl[clock_type], scale, cb, opaque, attributes)

    def aio_timer_init(self, ts: QEMUTimer, clock_type: int, scale: int, cb: QEMUTimerCB,
                       opaque: Any = None, attributes: int = 0) -> None:
        """(Re)initialise an unarmed timer for this context."""
        self._check_alive("aio_timer_init")
        qemu_assert(ts.expire_time < 0, "aio_timer_init: the timer is still armed")
        ts.__init__(self.tlg.tl[clock_type], scale, cb, opaque, attributes)  # type: ignore[misc]

    # ------------------------------------------------------------------ parameters

    def aio_context_set_poll_params(self, max_ns: int, grow: int, shrink: int) -> None:
        """Adaptive polling: budget cap (0 disables), growth and shrink factors (0 means
        x2 and reset).  Checked like QEMU's iothread properties; nothing changes on error."""
        max_ns = _check_param("poll-max-ns", max_ns)
        grow = _check_param("poll-grow", grow)
        shrink = _check_param("poll-shrink", shrink)
        self.list_lock.inc()
        try:
            for node in self.aio_handlers.load(sync.ACQUIRE, label="set_poll_params.load"):
                node.poll_ns = 0
        finally:
            self.list_lock.dec()
        self.poll_max_ns, self.poll_grow, self.poll_shrink = max_ns, grow, shrink
        self.aio_notify()

    def aio_context_set_aio_params(self, max_batch: int) -> None:
        """Batch limit for AIO engines (0: engine default)."""
        self.aio_max_batch = _check_param("aio-max-batch", max_batch)
        self.aio_notify()

    # ------------------------------------------------------------------ lifetime

    def aio_context_ref(self) -> None:
        old = self.refcnt.fetch_add(1, label="aio_context_ref.fetch_add")
        if old <= 0:
            raise UseAfterFree(f"aio_context_ref: AioContext {self.name!r} was finalized")

    def aio_context_unref(self) -> None:
        """Drop a reference; the last one finalizes the context."""
        old = self.refcnt.fetch_sub(1, label="aio_context_unref.fetch_sub")
        if old <= 0:
            raise UseAfterFree(f"aio_context_unref: AioContext {self.name!r} was finalized")
        if old == 1:
            self._finalize()

    def _finalize(self) -> None:
        """aio_ctx_finalize: free every BH (a non-deleted one is a leak), unregister and
        close the notifier; afterwards any use of the context raises UseAfterFree."""
        leaked: list[str] = []
        try:
            thread_pool_free_aio(self.thread_pool)
            self.thread_pool = None
            aio_context_fini_coroutines(self)
            heads = [self.bh_list.xchg(None, label="aio_ctx_finalize.take_bh_list")]
            heads += [s.bh_list for s in self.bh_slice_list]   # left by a raising callback
            self.bh_slice_list.clear()
            for head in heads:
                bh_slice = BHListSlice(head)
                while True:
                    bh, flags = aio_bh_dequeue(bh_slice)
                    if bh is None:
                        break
                    if not flags & BH_DELETED:
                        leaked.append(bh.name)
                    bh.free()
            self.aio_set_event_notifier(self.notifier, None)
            self.list_lock.inc()
            aio_free_deleted_handlers(self)
            self.list_lock.dec()
            self.notifier.cleanup()
            unregister_aiocontext(self)
        finally:
            self._finalized = True
            for field in _FREED_FIELDS:
                setattr(self, field, Freed(f"AioContext {self.name!r}"))
        if leaked:
            raise QemuAssertionError(f"aio_ctx_finalize: BH {leaked[0]!r} leaked, aborting")

    # ------------------------------------------------------------------ legacy lock

    def aio_context_acquire(self) -> None:
        """The old recursive AioContext lock (removed from QEMU in 9.0)."""
        self.lock.lock(label="aio_context_acquire")

    def aio_context_release(self) -> None:
        self.lock.unlock(label="aio_context_release")


def aio_context_new(bugs: Any = (), name: str | None = None,
                    legacy_wakeup: bool = False) -> AioContext:
    """QEMU's constructor name for ``AioContext(...)``."""
    return AioContext(bugs, name, legacy_wakeup)
