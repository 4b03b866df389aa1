"""IOThread: a thread that owns an AioContext and runs its loop (QEMU tests/unit/iothread.c).

The thread creates the context, makes it its current one and loops ``aio_poll(ctx,
true)`` until a oneshot BH run in that loop tells it to stop.  ``join`` schedules that
BH, waits for the thread and drops the context reference, which finalizes the context
unless someone else still holds one.  Built on impl.sync only, so simulated scenarios
use it as they are.  An exception in the loop ends the thread; ``join`` re-raises it.
"""

from __future__ import annotations

from typing import Any

from . import sync
from .aio_context import AioContext
from .errors import qemu_assert
from .home_thread import qemu_set_current_aio_context
from .qemu_event import QemuEvent


class IOThread:
    """``iothread_new()``: returns once the thread's context exists."""

    def __init__(self, name: str = "iothread", bugs: Any = ()) -> None:
        self.name = name
        self._bugs = bugs
        self.ctx: AioContext | None = None
        self.stopping = False                  # home thread only
        self.error: Exception | None = None
        self._init_done = QemuEvent(name=f"{name}.init_done")
        self.thread = sync.Thread(self._run, name=name)
        self.thread.start()
        self._init_done.wait()

    def _run(self) -> None:
        ctx = AioContext(self._bugs, name=self.name)
        self.ctx = ctx
        qemu_set_current_aio_context(ctx)
        self._init_done.set()
        try:
            while not self.stopping:
                ctx.aio_poll(True)
        except Exception as exc:               # handed to join()
            self.error = exc
        finally:
            qemu_set_current_aio_context(None)

    def _stop_bh(self, _opaque: Any) -> None:
        self.stopping = True

    def iothread_get_aio_context(self) -> AioContext:
        qemu_assert(self.ctx is not None, f"{self.name}: no context")
        assert self.ctx is not None
        return self.ctx

    def join(self) -> None:
        """``iothread_join``: stop the loop, wait for the thread, unref the context."""
        ctx = self.iothread_get_aio_context()
        if self.error is None:
            ctx.aio_bh_schedule_oneshot(self._stop_bh, name="iothread_stop_bh")
        self.thread.join()
        ctx.aio_context_unref()
        if self.error is not None:
            raise self.error
