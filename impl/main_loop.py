"""The main loop's context (QEMU util/main-loop.c): ``qemu_init_main_loop`` creates
``qemu_aio_context``, makes it the calling thread's current context and attaches it to
the default GMainContext, as QEMU's main thread does."""

from __future__ import annotations

from .aio_context import AioContext
from .errors import qemu_assert
from .gsource import g_main_context_default
from .home_thread import (
    main_loop_globals,
    qemu_get_current_aio_context,
    qemu_set_current_aio_context,
)


def qemu_init_main_loop(bugs: tuple[str, ...] = ()) -> AioContext:
    """Create the main context (once per process / simulated execution) and return it."""
    state = main_loop_globals()
    qemu_assert(state.qemu_aio_context is None, "qemu_init_main_loop: called twice")
    ctx = AioContext(bugs, name="qemu_aio_context")
    state.qemu_aio_context = ctx
    if qemu_get_current_aio_context() is None:
        qemu_set_current_aio_context(ctx)
    source = ctx.aio_get_g_source()
    g_main_context_default().attach(source)
    source.unref()
    return ctx
