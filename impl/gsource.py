"""A small glib-like main loop: the GSource path of an AioContext (QEMU util/async.c
aio_ctx_prepare/check/dispatch, over glib's g_main_context_iteration).

``GMainContext.iteration(may_block)`` does what glib does: ask every source to
*prepare* (a source may declare itself ready and give a timeout), poll all the fds the
sources registered, let the sources that were not ready already *check*, then
*dispatch* the ready ones.  A source that prepare declared ready is not checked, which
is why an AioContext uses bit 0 of ``notify_me`` rather than a counter.  Iterations may
nest (QEMU's source can recurse); only the thread that owns the context may iterate it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from . import sync

if TYPE_CHECKING:
    from .aio_context import AioContext


class PollRecord(Protocol):
    """What ``g_source_add_poll`` registers: an fd, the events wanted, what happened."""

    fd: int
    revents: int

    def wanted_events(self) -> int: ...


class GSource:
    """An event source.  Subclasses override the four callbacks."""

    def prepare(self) -> tuple[bool, int]:
        """Called before polling: (ready already?, timeout in ms or -1)."""
        return False, -1

    def poll_records(self) -> list[Any]:
        """The fds to poll for this source, as ``PollRecord``s."""
        return []

    def check(self) -> bool:
        """Called after polling (unless prepare said ready): is there work?"""
        return False

    def dispatch(self) -> bool:
        """Do the work; False removes the source (G_SOURCE_REMOVE)."""
        return True

    def ref(self) -> None:
        """Sources are kept alive while attached."""

    def unref(self) -> None:
        """Drop the reference ``ref`` took."""


class _HandlerRecord:
    """A handler node seen as glib's GPollFD (glib writes its revents)."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    @property
    def fd(self) -> int:
        return int(self.node.fd)

    def wanted_events(self) -> int:
        return int(self.node.events.load(label="aio_ctx_source.load_events"))

    @property
    def revents(self) -> int:
        return int(self.node.revents)

    @revents.setter
    def revents(self, value: int) -> None:
        self.node.revents = value


class AioContextSource(GSource):
    """An AioContext attached to a GMainContext (what ``aio_get_g_source`` returns)."""

    def __init__(self, ctx: AioContext) -> None:
        self.ctx = ctx

    def prepare(self) -> tuple[bool, int]:
        return self.ctx.aio_ctx_prepare()

    def poll_records(self) -> list[Any]:
        handlers = self.ctx.aio_handlers.load(sync.ACQUIRE, label="aio_ctx_source.handlers")
        return [_HandlerRecord(node) for node in handlers
                if not node.deleted.load(label="aio_ctx_source.load_deleted")]

    def check(self) -> bool:
        return self.ctx.aio_ctx_check()

    def dispatch(self) -> bool:
        self.ctx.aio_dispatch()
        return True

    def ref(self) -> None:
        self.ctx.aio_context_ref()

    def unref(self) -> None:
        self.ctx.aio_context_unref()


class GMainContext:
    """A set of sources iterated by one thread at a time."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "gmain"
        self._owner = sync.RecMutex(name=f"{self.name}.owner")    # the iterating thread
        self._sources_lock = sync.Mutex(name=f"{self.name}.sources_lock")
        self._sources: list[GSource] = []                             # under _sources_lock
        self._poller = sync.Poller(name=f"{self.name}.poller")

    def attach(self, source: GSource) -> None:
        """g_source_attach: the context keeps a reference until ``destroy``."""
        source.ref()
        self._sources_lock.lock(label="g_source_attach.lock")
        self._sources.append(source)
        self._sources_lock.unlock(label="g_source_attach.unlock")

    def destroy(self, source: GSource) -> None:
        """g_source_destroy: detach ``source`` and drop the context's reference."""
        self._sources_lock.lock(label="g_source_destroy.lock")
        try:
            self._sources.remove(source)
        finally:
            self._sources_lock.unlock(label="g_source_destroy.unlock")
        source.unref()

    def iteration(self, may_block: bool) -> bool:
        """g_main_context_iteration: one prepare/poll/check/dispatch round; True if some
        source was dispatched."""
        self._owner.lock(label="g_main_context_iteration.acquire")
        try:
            self._sources_lock.lock(label="g_main_context_iteration.lock_sources")
            sources = list(self._sources)
            self._sources_lock.unlock(label="g_main_context_iteration.unlock_sources")
            ready: list[GSource] = []
            timeout_ms = -1
            for source in sources:
                is_ready, source_timeout = source.prepare()
                if is_ready:
                    ready.append(source)
                elif source_timeout >= 0 and (timeout_ms < 0 or source_timeout < timeout_ms):
                    timeout_ms = source_timeout
            if ready or not may_block:
                timeout_ms = 0
            records = [rec for source in sources for rec in source.poll_records()]
            revents = self._poller.poll([(rec.fd, rec.wanted_events()) for rec in records],
                                        timeout_ms * 1_000_000 if timeout_ms > 0 else timeout_ms,
                                        label="g_main_context_iteration.poll")
            for rec, got in zip(records, revents, strict=True):
                rec.revents = got
            for source in sources:
                if source not in ready and source.check():
                    ready.append(source)
            for source in ready:
                if not source.dispatch():
                    self.destroy(source)
            return bool(ready)
        finally:
            self._owner.unlock(label="g_main_context_iteration.release")


def g_main_context_default() -> GMainContext:
    """The process's default GMainContext (per execution under aioctx.sim)."""
    return sync.global_state("impl.gsource.default", lambda: GMainContext(name="default"))
