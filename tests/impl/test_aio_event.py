"""test-aio.c's event-notifier cases (aio_poll flavour), ported, plus fd handlers."""

from __future__ import annotations

import os
from typing import Any

from aioctx.impl import AioContext
from impl_helpers import EventNotifierTestData, pipe, set_event_notifier, wait_until_inactive


def test_event_add_remove(ctx: AioContext) -> None:
    """/aio/event/add-remove."""
    data = EventNotifierTestData(active=0)
    set_event_notifier(ctx, data, data.cb)
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    set_event_notifier(ctx, data, None)
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    data.e.cleanup()


def test_event_wait(ctx: AioContext) -> None:
    """/aio/event/wait."""
    data = EventNotifierTestData(active=1)
    set_event_notifier(ctx, data, data.cb)
    while ctx.aio_poll(False):
        pass
    assert data.n == 0 and data.active == 1
    data.e.set()
    assert ctx.aio_poll(False) is True
    assert data.n == 1 and data.active == 0
    assert ctx.aio_poll(False) is False
    assert data.n == 1 and data.active == 0
    set_event_notifier(ctx, data, None)
    assert ctx.aio_poll(False) is False
    assert data.n == 1
    data.e.cleanup()


def test_event_wait_no_flush_cb(ctx: AioContext) -> None:
    """/aio/event/wait/no-flush-cb."""
    data = EventNotifierTestData(active=0)
    set_event_notifier(ctx, data, data.cb)
    assert ctx.aio_poll(False) is False
    assert data.n == 0
    data.e.set()
    assert ctx.aio_poll(True) is True          # must not block
    data.n = 0
    dummy = EventNotifierTestData(active=1)
    set_event_notifier(ctx, dummy, dummy.cb)
    data.e.set()
    assert ctx.aio_poll(False) is True
    assert data.n == 1
    assert ctx.aio_poll(False) is False
    assert data.n == 1
    data.e.set()
    assert ctx.aio_poll(False) is True
    assert data.n == 2
    assert ctx.aio_poll(False) is False
    assert data.n == 2
    dummy.e.set()
    wait_until_inactive(ctx, dummy)
    assert data.n == 2 and dummy.n == 1 and dummy.active == 0
    set_event_notifier(ctx, dummy, None)
    dummy.e.cleanup()
    set_event_notifier(ctx, data, None)
    assert ctx.aio_poll(False) is False
    assert data.n == 2
    data.e.cleanup()


def test_event_flush(ctx: AioContext) -> None:
    """/aio/event/flush."""
    data = EventNotifierTestData(active=10, auto_set=True)
    set_event_notifier(ctx, data, data.cb)
    while ctx.aio_poll(False):
        pass
    assert data.n == 0 and data.active == 10
    data.e.set()
    assert ctx.aio_poll(False) is True
    assert data.n == 1 and data.active == 9
    assert ctx.aio_poll(False) is True
    wait_until_inactive(ctx, data)
    assert data.n == 10 and data.active == 0
    assert ctx.aio_poll(False) is False
    set_event_notifier(ctx, data, None)
    assert ctx.aio_poll(False) is False
    data.e.cleanup()


def test_pipe_read_and_write_handlers(ctx: AioContext) -> None:
    got: list[bytes] = []
    with pipe() as (r, w):
        ctx.aio_set_fd_handler(r, lambda _: got.append(os.read(r, 100)))
        assert ctx.aio_poll(False) is False
        os.write(w, b"hello")
        assert ctx.aio_poll(True) is True
        assert got == [b"hello"]
        writes: list[int] = []

        def on_writable(_: Any) -> None:
            writes.append(1)
            ctx.aio_set_fd_handler(w, None)            # remove itself while dispatching

        ctx.aio_set_fd_handler(w, None, on_writable)
        assert ctx.aio_poll(True) is True
        assert writes == [1]
        assert ctx.aio_poll(False) is False            # gone: not called again
        ctx.aio_set_fd_handler(r, None)
        assert ctx.aio_handlers.load() == (ctx.aio_handlers.load()[-1],)   # only ctx.notifier


def test_handler_removed_while_dispatching_is_freed_after_the_outermost_poll(
        ctx: AioContext) -> None:
    with pipe() as (r, w):
        freed_during: list[bool] = []

        def cb(_: Any) -> None:
            os.read(r, 100)
            node = ctx.aio_handlers.load()[0]
            ctx.aio_set_fd_handler(r, None)
            assert node.deleted.load() is True         # deferred: a count is held
            freed_during.append(node in ctx.deleted_aio_handlers.load())

        ctx.aio_set_fd_handler(r, cb)
        os.write(w, b"x")
        assert ctx.aio_poll(True) is True
        assert freed_during == [True]
        assert ctx.deleted_aio_handlers.load() == ()
        assert all(n.fd != r for n in ctx.aio_handlers.load())


def test_replacing_a_handler_publishes_a_new_node(ctx: AioContext) -> None:
    """aio_set_fd_handler (util/aio-posix.c): changing callbacks inserts a complete new
    node, never edits one."""
    with pipe() as (r, w):
        calls: list[str] = []
        ctx.aio_set_fd_handler(r, lambda o: calls.append(o), opaque="first")
        first = ctx.aio_handlers.load()[0]
        ctx.aio_set_fd_handler(r, lambda o: calls.append(o), opaque="second")
        second = ctx.aio_handlers.load()[0]
        assert second is not first
        assert first not in ctx.aio_handlers.load()    # freed at once: nobody was walking
        os.write(w, b"x")
        ctx.aio_poll(True)
        assert calls == ["second"]
        ctx.aio_set_fd_handler(r, None)


def test_poll_disable_cnt_counts_live_handlers_without_io_poll(ctx: AioContext) -> None:
    with pipe() as (r, _w):
        assert ctx.aio_poll_disabled() is False        # ctx.notifier has io_poll
        ctx.aio_set_fd_handler(r, lambda _: None)
        assert ctx.poll_disable_cnt.load() == 1
        ctx.aio_set_fd_handler(r, lambda _: None, None, lambda _: False, lambda _: None)
        assert ctx.poll_disable_cnt.load() == 0
        ctx.aio_set_fd_handler(r, lambda _: None, None, lambda _: False)  # no poll_ready
        assert ctx.poll_disable_cnt.load() == 1        # io_poll dropped
        ctx.aio_set_fd_handler(r, None)
        assert ctx.poll_disable_cnt.load() == 0
