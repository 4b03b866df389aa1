"""test-nested-aio-poll.c: a poll handler whose io_poll_ready runs a nested aio_poll
must not be busy-polled or dispatched again inside that nested call."""

from __future__ import annotations

from typing import Any

from aioctx.impl import AioContext, sync
from aioctx.impl.poll_mode import adjust_polling_time


def test_nested_aio_poll_does_not_reenter_poll_handlers(ctx: AioContext) -> None:
    nested = False
    polls_while_nested: list[str] = []
    ready_calls = 0

    def io_read(notifier: sync.EventNotifier) -> None:
        notifier.test_and_clear()

    def io_poll_true(_: Any) -> bool:
        if nested:
            polls_while_nested.append("io_poll")
        return True

    def io_poll_false(_: Any) -> bool:
        return False

    def io_poll_ready(_: sync.EventNotifier) -> None:
        nonlocal nested, ready_calls
        assert not nested, "io_poll_ready re-entered from the nested aio_poll"
        ready_calls += 1
        nested = True
        dummy.set()                           # wakes the nested aio_poll below
        assert ctx.aio_poll(True) is True
        nested = False

    def io_poll_never_ready(_: sync.EventNotifier) -> None:
        raise AssertionError("the dummy notifier is never poll-ready")

    ctx.aio_context_set_poll_params(1_000_000, 2, 2)     # enable polling
    source = ctx.aio_get_g_source()                      # unused, as in QEMU's test
    poll_notifier = sync.EventNotifier(active=True)
    ctx.aio_set_event_notifier(poll_notifier, io_read, io_poll_true, io_poll_ready)
    dummy = sync.EventNotifier()
    ctx.aio_set_event_notifier(dummy, io_read, io_poll_false, io_poll_never_ready)

    assert ctx.aio_poll(False) is False      # consumes the registration notifies
    assert ctx.aio_poll(True) is True        # io_read runs; the handler joins polling
    assert ready_calls == 0
    assert ctx.aio_poll(True) is True        # busy-polling: io_poll -> io_poll_ready
    assert ready_calls == 1
    assert ctx.aio_poll(True) is True        # and it keeps working
    assert ready_calls == 2
    assert polls_while_nested == []

    ctx.aio_set_event_notifier(dummy, None)
    ctx.aio_set_event_notifier(poll_notifier, None)
    dummy.cleanup()
    poll_notifier.cleanup()
    source.unref()


def test_adaptive_polling_budget_grows_and_shrinks(ctx: AioContext) -> None:
    """adjust_polling_time (util/aio-posix.c): first step 4 us, xgrow up to max, shrink on long
    waits; set_poll_params resets every budget."""
    e = sync.EventNotifier()
    ctx.aio_set_event_notifier(e, lambda n: n.test_and_clear(), lambda _: False,
                               lambda _: None)
    node = ctx.aio_handlers.load()[0]
    ctx.aio_context_set_poll_params(64_000, 4, 2)
    adjust_polling_time(ctx, node, 1_000)
    assert node.poll_ns == 4_000
    adjust_polling_time(ctx, node, 10_000)
    assert node.poll_ns == 16_000
    adjust_polling_time(ctx, node, 10_000)           # within budget: unchanged
    assert node.poll_ns == 16_000
    adjust_polling_time(ctx, node, 50_000)
    assert node.poll_ns == 64_000                    # capped at poll_max_ns
    adjust_polling_time(ctx, node, 1_000_000)        # too long to spin for: shrink
    assert node.poll_ns == 32_000
    ctx.aio_context_set_poll_params(64_000, 0, 0)
    assert node.poll_ns == 0
    node.poll_ns = 8_000
    adjust_polling_time(ctx, node, 1_000_000)        # shrink 0: reset
    assert node.poll_ns == 0
    ctx.aio_set_event_notifier(e, None)
    e.cleanup()
