"""Thread identity: the current context, the BQL, home-thread checks and the main loop."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from aioctx.impl import (
    AioContext,
    QemuAssertionError,
    bql_lock,
    bql_locked,
    bql_unlock,
    g_main_context_default,
    in_aio_context_home_thread,
    qemu_bh_delete,
    qemu_bh_schedule,
    qemu_get_aio_context,
    qemu_get_current_aio_context,
    qemu_init_main_loop,
    qemu_set_current_aio_context,
)
from impl_helpers import fresh_process


def _in_thread(fn: Any) -> Any:
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(5)
    return out[0]


def test_current_context_is_per_thread_and_set_once(ctx: AioContext) -> None:
    assert qemu_get_current_aio_context() is ctx
    assert _in_thread(qemu_get_current_aio_context) is None
    other = AioContext(name="other")
    with pytest.raises(QemuAssertionError, match="already has a current context"):
        qemu_set_current_aio_context(other)
    other.aio_context_unref()


def test_aio_poll_outside_the_home_thread_is_refused(ctx: AioContext) -> None:
    def poll() -> str:
        try:
            ctx.aio_poll(False)
        except QemuAssertionError as exc:
            return str(exc)
        return "polled"

    assert "outside its home thread" in _in_thread(poll)
    assert ctx.aio_poll(False) is False


def test_main_loop_context_bql_and_home_thread() -> None:
    with fresh_process():
        assert qemu_get_aio_context() is None
        main = qemu_init_main_loop()
        assert qemu_get_aio_context() is main
        assert qemu_get_current_aio_context() is main
        assert in_aio_context_home_thread(main)
        with pytest.raises(QemuAssertionError, match="called twice"):
            qemu_init_main_loop()
        ran: list[int] = []
        bh = main.aio_bh_new(lambda _: ran.append(1))
        qemu_bh_schedule(bh)
        while g_main_context_default().iteration(False):
            pass
        assert ran == [1]
        qemu_bh_delete(bh)
        # a thread without a context of its own belongs to the main loop while it
        # holds the BQL (a vCPU thread)
        qemu_set_current_aio_context(None)
        assert qemu_get_current_aio_context() is None
        assert not bql_locked()
        bql_lock()
        assert qemu_get_current_aio_context() is main
        assert in_aio_context_home_thread(main)
        with pytest.raises(QemuAssertionError, match="already holds the BQL"):
            bql_lock()
        bql_unlock()
        assert not in_aio_context_home_thread(main)
        with pytest.raises(QemuAssertionError, match="does not hold the BQL"):
            bql_unlock()
        assert main.source is not None
        g_main_context_default().destroy(main.source)
        main.aio_context_unref()                 # the last reference: finalized
        assert main._finalized
