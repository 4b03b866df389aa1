"""Bad input and misuse: QEMU's error (or a clear Python exception), and the loop
keeps working afterwards."""

from __future__ import annotations

import os
from typing import Any

import pytest
from aioctx.impl import (
    QEMU_CLOCK_REALTIME,
    SCALE_MS,
    AioContext,
    QemuAssertionError,
    UseAfterFree,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_clock_get_ms,
    timer_mod,
)
from impl_helpers import pipe

INT64_MAX = 2**63 - 1


@pytest.mark.parametrize("args, name", [
    ((-1, 0, 0), "poll-max-ns"),
    ((0, -2, 0), "poll-grow"),
    ((0, 0, -3), "poll-shrink"),
    ((INT64_MAX + 1, 0, 0), "poll-max-ns"),
    ((0, 2**64, 0), "poll-grow"),
])
def test_poll_params_out_of_range(ctx: AioContext, args: tuple[int, int, int],
                                  name: str) -> None:
    ctx.aio_context_set_poll_params(1000, 2, 2)
    with pytest.raises(ValueError) as err:
        ctx.aio_context_set_poll_params(*args)
    assert str(err.value) == f"{name} value must be in range [0, {INT64_MAX}]"
    assert (ctx.poll_max_ns, ctx.poll_grow, ctx.poll_shrink) == (1000, 2, 2)  # untouched
    assert ctx.aio_poll(False) is False


@pytest.mark.parametrize("value", [1.5, "10", True, None])
def test_poll_params_must_be_integers(ctx: AioContext, value: Any) -> None:
    with pytest.raises(TypeError, match="poll-max-ns value must be an integer"):
        ctx.aio_context_set_poll_params(value, 0, 0)
    assert ctx.poll_max_ns == 0


def test_aio_params_out_of_range(ctx: AioContext) -> None:
    with pytest.raises(ValueError, match=r"aio-max-batch value must be in range \[0, "):
        ctx.aio_context_set_aio_params(-1)
    ctx.aio_context_set_aio_params(32)
    assert ctx.aio_max_batch == 32


def test_deleting_a_bh_twice(ctx: AioContext) -> None:
    bh = ctx.aio_bh_new(lambda _: None)
    qemu_bh_delete(bh)
    with pytest.raises(QemuAssertionError, match="already deleted"):
        qemu_bh_delete(bh)                       # still queued: caught by its flags
    ctx.aio_poll(False)                          # now it is freed
    with pytest.raises(UseAfterFree, match="was freed"):
        qemu_bh_delete(bh)
    with pytest.raises(UseAfterFree):
        qemu_bh_schedule(bh)
    assert ctx.aio_poll(False) is False


def test_scheduling_on_a_destroyed_context() -> None:
    ctx = AioContext(name="doomed")
    bh = ctx.aio_bh_new(lambda _: None)          # never scheduled, so not leaked
    ctx.aio_context_unref()
    with pytest.raises(UseAfterFree, match="doomed"):
        qemu_bh_schedule(bh)
    with pytest.raises(UseAfterFree, match="doomed"):
        ctx.aio_bh_schedule_oneshot(lambda _: None)
    with pytest.raises(UseAfterFree, match="doomed"):
        ctx.aio_bh_new(lambda _: None)
    with pytest.raises(UseAfterFree, match="doomed"):
        ctx.aio_notify()
    with pytest.raises(UseAfterFree, match="doomed"):
        ctx.aio_context_unref()


def test_finalizing_with_a_pending_bh_is_a_leak() -> None:
    ctx = AioContext(name="leaky")
    bh = ctx.aio_bh_new(lambda _: None, name="forgotten")
    qemu_bh_schedule(bh)
    with pytest.raises(QemuAssertionError, match="BH 'forgotten' leaked"):
        ctx.aio_context_unref()
    with pytest.raises(UseAfterFree):            # torn down all the same
        ctx.aio_notify()


class Boom(Exception):
    pass


def _boom(_: Any) -> None:
    raise Boom("callback failed")


def test_a_raising_bh_propagates_and_the_loop_keeps_working(ctx: AioContext) -> None:
    ran: list[str] = []
    good = ctx.aio_bh_new(ran.append, "good")
    qemu_bh_schedule(good)
    ctx.aio_bh_schedule_oneshot(_boom)           # LIFO: runs before `good`
    with pytest.raises(Boom):
        ctx.aio_poll(False)
    assert ran == []
    assert ctx.list_lock.count() == 0 and ctx.notify_me.load() == 0
    assert ctx.aio_compute_timeout() == 0        # `good` is still due
    assert ctx.aio_poll(True) is True            # ... and runs in the next iteration
    assert ran == ["good"]
    assert not ctx.bh_slice_list
    qemu_bh_delete(good)
    assert ctx.aio_poll(False) is False


def test_a_raising_fd_handler_or_timer_leaves_the_loop_usable(ctx: AioContext) -> None:
    with pipe() as (r, w):
        ctx.aio_set_fd_handler(r, _boom)
        os.write(w, b"x")
        with pytest.raises(Boom):
            ctx.aio_poll(True)
        got: list[bytes] = []
        ctx.aio_set_fd_handler(r, lambda _: got.append(os.read(r, 10)))
        assert ctx.aio_poll(True) is True and got == [b"x"]
        ctx.aio_set_fd_handler(r, None)
    ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_MS, _boom)
    timer_mod(ts, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) - 1)
    with pytest.raises(Boom):
        ctx.aio_poll(False)
    assert ctx.list_lock.count() == 0
    assert ctx.aio_poll(False) is False


def test_bug_switches_are_checked(ctx: AioContext) -> None:
    with pytest.raises(ValueError, match="unknown bug slug 'no-such-bug'"):
        AioContext(bugs={"no-such-bug"})
    with pytest.raises(ValueError, match="switched on through QemuEvent"):
        AioContext(bugs={"qemuevent-reset-rmw-no-fence"})
    with pytest.raises(ValueError, match="legacy_wakeup=True"):
        AioContext(bugs={"notify-accept-stolen-by-other-thread"})
    legacy = AioContext(bugs={"notify-accept-stolen-by-other-thread"}, legacy_wakeup=True)
    legacy.aio_context_unref()


def test_re_initialising_an_armed_timer_is_an_error(ctx: AioContext) -> None:
    ts = ctx.aio_timer_new(QEMU_CLOCK_REALTIME, SCALE_MS, lambda _: None)
    timer_mod(ts, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 10_000)
    with pytest.raises(QemuAssertionError, match="still armed"):
        ctx.aio_timer_init(ts, QEMU_CLOCK_REALTIME, SCALE_MS, lambda _: None)
