"""The race catalogue's bug switches (docs/catalogue.md), by slug.

Each historical bug can be switched back on for the object that owns the code it lives
in: ``AioContext(bugs={"aio-dispatching-flag"})``, ``QemuEvent(bugs=...)``, and, for
process-wide code with no owning object (``aio_wait_kick``, the graph lock),
``set_global_bugs(...)``.  A switch restores the smallest piece of code the historical
fix changed; everything defaults to the fixed code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import sync


@dataclass(frozen=True)
class Bug:
    slug: str
    memory_model: str       # "SC", "TSO" or "ARM": the weakest model that shows it
    owner: str              # which object's ``bugs=`` switches it on
    summary: str


CATALOGUE: dict[str, Bug] = {b.slug: b for b in [
    Bug("aio-dispatching-flag", "SC", "AioContext",
        "aio_notify skips the EventNotifier while some aio_poll is dispatching"),
    Bug("aio-notifier-cleared-late", "SC", "AioContext",
        "the EventNotifier is cleared after BHs and handlers ran, eating a notification"),
    Bug("notified-before-event", "SC", "AioContext",
        "aio_notify sets `notified` before the EventNotifier (seeded)"),
    Bug("notified-skips-set", "SC", "AioContext",
        "aio_notify skips the EventNotifier when `notified` is already true (seeded)"),
    Bug("notify-accept-stolen-by-other-thread", "SC", "AioContext",
        "non-blocking aio_poll accepts a notification meant for the blocking home thread"),
    Bug("notify-me-seqcst-rmw-not-fence", "ARM", "AioContext",
        "notify_me raised with a seq_cst RMW and no explicit full barrier"),
    Bug("bh-schedule-ctx-uaf", "SC", "AioContext",
        "qemu_bh_schedule reads bh->ctx after publishing the BH"),
    Bug("bh-schedule-missing-full-barrier", "TSO", "AioContext",
        "BH scheduled flag tested/cleared with plain accesses"),
    Bug("bh-cancel-missing-barrier", "TSO", "AioContext",
        "qemu_bh_cancel clears SCHEDULED with a plain store"),
    Bug("set-fd-handler-torn-update", "SC", "AioContext",
        "aio_set_fd_handler edits the live handler node field by field"),
    Bug("threadpool-nested-aio-poll", "SC", "AioContext",
        "the thread pool completion BH is not re-scheduled before each callback"),
    Bug("coqueue-restart-uaf", "SC", "AioContext",
        "waking a coroutine's wakeup queue iterates the (possibly freed) coroutine's list"),
    Bug("co-schedule-ctx-uaf", "SC", "AioContext",
        "aio_co_schedule holds no context reference across insert and BH schedule"),
    Bug("aiowait-home-thread-no-waiter-count", "SC", "global",
        "AIO_WAIT_WHILE in the home thread does not count itself in num_waiters"),
    Bug("aio-wait-kick-missing-barrier", "TSO", "global",
        "aio_wait_kick and AIO_WAIT_WHILE without their full barriers"),
    Bug("qemuevent-reset-rmw-no-fence", "ARM", "QemuEvent",
        "qemu_event_reset without the barrier after its RMW"),
    Bug("graph-wrlock-polls-holding-aiocontext", "SC", "global",
        "bdrv_graph_wrlock polls for readers while holding an AioContext lock"),
    Bug("graph-rdunlock-kick-conditional", "SC", "global",
        "bdrv_graph_co_rdunlock kicks the writer only if has_writer is set"),
    Bug("graph-rdlock-no-barrier", "TSO", "global",
        "reader fast path without the full barrier between count++ and has_writer (seeded)"),
]}


def validate(bugs: Iterable[str], owner: str) -> frozenset[str]:
    """Check that every slug exists and belongs to ``owner``; return them as a set."""
    chosen = frozenset(bugs)
    for slug in sorted(chosen):
        bug = CATALOGUE.get(slug)
        if bug is None:
            raise ValueError(f"unknown bug slug {slug!r}; known: {', '.join(CATALOGUE)}")
        if bug.owner != owner:
            raise ValueError(f"bug {slug!r} is switched on through {bug.owner}, not {owner}")
    return chosen


def _global_bugs() -> set[str]:
    return sync.global_state("bugs.global", set)


def set_global_bugs(bugs: Iterable[str]) -> None:
    """Switch process-wide bugs on (replacing the previous set).  Per execution under sim."""
    chosen = validate(bugs, "global")
    table = _global_bugs()
    table.clear()
    table.update(sorted(chosen))


def global_bug(slug: str) -> bool:
    """Is the process-wide bug ``slug`` switched on?"""
    return slug in _global_bugs()
