"""The weak-memory bug switches (TSO/ARM) cannot misbehave on CPython, whose memory is
sequentially consistent; these tests show instead that each switch changes exactly the
memory operations the historical fix changed, at the labels the simulation pairs with
its memory models, and nothing else."""

from __future__ import annotations

from aioctx.impl import (
    QEMU_CLOCK_REALTIME,
    SCALE_NS,
    AioContext,
    qemu_bh_cancel,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_clock_get_ns,
    qemu_set_current_aio_context,
    timer_mod_ns,
)
from aioctx.impl.bottom_half import BH_DELETED, BH_PENDING
from aioctx.impl.timers import timer_pending
from impl_helpers import Recorder, recording

RMW = "notify-me-seqcst-rmw-not-fence"
SCHED = "bh-schedule-missing-full-barrier"
CANCEL = "bh-cancel-missing-barrier"


def _blocking_poll_log(rec: Recorder, bugs: set[str], legacy: bool = False) -> AioContext:
    """One blocking aio_poll that really raises notify_me (it waits for a timer)."""
    ctx = AioContext(bugs=bugs, legacy_wakeup=legacy)
    qemu_set_current_aio_context(ctx)
    ctx.aio_poll(False)
    ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_NS, lambda _: None)
    while True:
        timer_mod_ns(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + 5_000_000)
        ctx.aio_poll(False)                  # consume timer_mod's notification
        if timer_pending(ts):                # (on a loaded machine the timer may have
            break                            # expired and run here: arm it again)
    rec.log.clear()
    assert ctx.aio_poll(True) is True        # sleeps until the timer, then runs it
    return ctx


def _without(log: list[tuple[str, str, str | None]], prefix: str) -> list[tuple[str, ...]]:
    return [op for op in log if not (op[2] or "").startswith(prefix)]


def test_notify_me_switch_10_0_replaces_store_plus_fence_by_a_bare_rmw() -> None:
    with recording() as fixed:
        _blocking_poll_log(fixed, set())
    with recording() as buggy:
        _blocking_poll_log(buggy, {RMW})
    assert fixed.ops("aio_poll.notify_me") == [
        ("load", "relaxed", "aio_poll.notify_me_load"),
        ("store", "relaxed", "aio_poll.notify_me_add"),
        ("fence", "mb", "aio_poll.notify_me_mb"),
        ("load", "relaxed", "aio_poll.notify_me_reload"),
        ("store", "release", "aio_poll.notify_me_sub"),
    ]
    assert buggy.ops("aio_poll.notify_me") == [
        ("fetch_add", "seq_cst", "aio_poll.notify_me_add"),
        ("fetch_sub", "seq_cst", "aio_poll.notify_me_sub"),
    ]
    # everything else the poll did is the same, operation for operation
    assert _without(fixed.log, "aio_poll.notify_me") == _without(buggy.log, "aio_poll.notify_me")


def test_notify_me_switch_in_the_glib_prepare_and_check() -> None:
    logs = {}
    for bugs in (set(), {RMW}):
        with recording() as rec:
            ctx = AioContext(bugs=bugs)
            qemu_set_current_aio_context(ctx)
            rec.log.clear()
            ctx.aio_ctx_prepare()
            ctx.aio_ctx_check()
            logs[bool(bugs)] = rec
    assert logs[False].ops("aio_ctx_") [:3] == [
        ("load", "relaxed", "aio_ctx_prepare.notify_me_load"),
        ("store", "relaxed", "aio_ctx_prepare.notify_me_or"),
        ("fence", "mb", "aio_ctx_prepare.mb"),
    ]
    assert ("store", "release", "aio_ctx_check.notify_me_and") in logs[False].log
    assert logs[True].ops("aio_ctx_prepare.") == [
        ("fetch_or", "seq_cst", "aio_ctx_prepare.notify_me_or")]
    assert ("fetch_and", "seq_cst", "aio_ctx_check.notify_me_and") in logs[True].log


def test_notify_me_switch_legacy_drops_the_barrier_after_the_rmw() -> None:
    with recording() as fixed:
        _blocking_poll_log(fixed, set(), legacy=True)
    with recording() as buggy:
        _blocking_poll_log(buggy, {RMW}, legacy=True)
    assert fixed.ops("aio_poll.notify_me") == [
        ("fetch_add", "seq_cst", "aio_poll.notify_me_add"),
        ("fence", "mb_after_rmw", "aio_poll.notify_me_add.mb_after_rmw"),
        ("fetch_sub", "seq_cst", "aio_poll.notify_me_sub"),
    ]
    assert buggy.ops("aio_poll.notify_me") == [
        ("fetch_add", "seq_cst", "aio_poll.notify_me_add"),
        ("fetch_sub", "seq_cst", "aio_poll.notify_me_sub"),
    ]
    assert _without(fixed.log, "aio_poll.notify_me") == _without(buggy.log, "aio_poll.notify_me")


def _schedule_log(bugs: set[str], already_scheduled: bool) -> list[tuple[str, ...]]:
    with recording() as rec:
        ctx = AioContext(bugs=bugs)
        qemu_set_current_aio_context(ctx)
        bh = ctx.aio_bh_new(lambda _: None)
        if already_scheduled:
            qemu_bh_schedule(bh)
        rec.log.clear()
        qemu_bh_schedule(bh)
        log = list(rec.log)
        qemu_bh_delete(bh)
        ctx.aio_poll(False)
    return log


def test_bh_schedule_switch_tests_scheduled_with_a_plain_load_and_skips_the_rmw() -> None:
    fixed = _schedule_log(set(), already_scheduled=True)
    buggy = _schedule_log({SCHED}, already_scheduled=True)
    assert fixed[0] == ("fetch_or", "seq_cst", "aio_bh_enqueue.fetch_or")
    assert ("fence", "mb", "aio_notify.mb") in fixed        # and it notifies, as 10.0 does
    assert buggy == [("load", "relaxed", "qemu_bh_schedule.test_scheduled")]
    # not yet scheduled: the plain test finds nothing and the fixed path follows
    assert _schedule_log({SCHED}, already_scheduled=False) == \
        [("load", "relaxed", "qemu_bh_schedule.test_scheduled")] + \
        _schedule_log(set(), already_scheduled=False)


def _dequeue_log(bugs: set[str]) -> list[tuple[str, ...]]:
    """What the home thread's aio_bh_poll does to one scheduled BH's flags."""
    with recording() as rec:
        ctx = AioContext(bugs=bugs)
        qemu_set_current_aio_context(ctx)
        ran = []
        bh = ctx.aio_bh_new(ran.append, "x")
        qemu_bh_schedule(bh)
        rec.log.clear()
        assert ctx.aio_poll(False) is True and ran == ["x"]
        log = list(rec.log)
        assert ctx.aio_poll(False) is False                  # cleared either way
        qemu_bh_delete(bh)
        ctx.aio_poll(False)
    return log


def test_bh_schedule_switch_clears_scheduled_with_a_field_store_and_rmb() -> None:
    fixed = _dequeue_log(set())
    buggy = _dequeue_log({SCHED})
    rmw = ("fetch_and", "seq_cst", "aio_bh_dequeue.fetch_and")
    i = fixed.index(rmw)
    # the dequeue's RMW still unlinks the BH; SCHEDULED is then cleared the 2015 way
    assert buggy[i:i + 3] == [rmw, ("store_bits", "relaxed", "aio_bh_poll.clear_scheduled"),
                              ("fence", "rmb", "aio_bh_poll.rmb")]
    # everything else the poll did is the same, operation for operation
    assert buggy[:i] + buggy[i + 3:] == fixed[:i] + fixed[i + 1:]


def test_bh_schedule_switch_keeps_a_concurrently_set_flag() -> None:
    """The field store clears SCHEDULED only: a DELETED set between the dequeue and
    the clear survives (the whole-word store the switch used to do erased it)."""
    with recording():
        ctx = AioContext(bugs={SCHED})
        qemu_set_current_aio_context(ctx)
        seen = []

        def cb(_: object) -> None:
            seen.append(bh.flags.load())

        bh = ctx.aio_bh_new(cb)
        qemu_bh_schedule(bh)
        flags = bh.flags
        real_fetch_and = type(flags).fetch_and

        def fetch_and_then_delete(self: object, mask: int, *args: object, **kw: object) -> int:
            old = real_fetch_and(flags, mask, *args, **kw)
            if kw.get("label") == "aio_bh_dequeue.fetch_and":
                flags.fetch_or(BH_DELETED | BH_PENDING)   # another thread's delete
            return old

        type(flags).fetch_and = fetch_and_then_delete
        try:
            assert ctx.aio_poll(False) is True
        finally:
            type(flags).fetch_and = real_fetch_and
        assert seen == [BH_DELETED | BH_PENDING]


def test_bh_cancel_switch_clears_scheduled_with_a_plain_field_store() -> None:
    logs = {}
    for bugs in (set(), {CANCEL}):
        with recording() as rec:
            ctx = AioContext(bugs=bugs)
            qemu_set_current_aio_context(ctx)
            bh = ctx.aio_bh_new(lambda _: None)
            qemu_bh_schedule(bh)
            rec.log.clear()
            qemu_bh_cancel(bh)
            logs[bool(bugs)] = list(rec.log)
            assert ctx.aio_poll(False) is False              # cancelled either way
            qemu_bh_delete(bh)
            ctx.aio_poll(False)
    assert logs[False] == [("fetch_and", "seq_cst", "qemu_bh_cancel.fetch_and")]
    assert logs[True] == [("store_bits", "relaxed", "qemu_bh_cancel.store")]


def test_the_default_is_the_fixed_code_everywhere() -> None:
    ctx = AioContext()
    assert not any(getattr(ctx, a) for a in vars(ctx) if a.startswith("bug_"))
    assert ctx.bugs == frozenset()
    ctx.aio_context_unref()
