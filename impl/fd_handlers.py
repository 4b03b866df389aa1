"""File-descriptor handlers: registration, the fd wait and dispatch (QEMU util/aio-posix.c,
util/fdmon-poll.c).

``ctx.aio_handlers`` is published as an immutable tuple (RCU style): writers build a
new tuple under the list_lock mutex, readers load it while holding a list_lock count.
A handler is never edited once published: changing callbacks inserts a complete new
node and retires the old one, whose free is deferred while anyone holds a count.
The bug switch ``set-fd-handler-torn-update`` restores the old in-place update, one
field at a time, so the poller can call a new ``io_poll`` with the old ``opaque``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sync
from .errors import Freed

if TYPE_CHECKING:
    from .aio_context import AioContext

IOHandler = Callable[[Any], None]
AioPollFn = Callable[[Any], bool]

READ_EVENTS = sync.POLLIN | sync.POLLHUP | sync.POLLERR
WRITE_EVENTS = sync.POLLOUT | sync.POLLERR

_CALLBACK_FIELDS = ("io_read", "io_write", "io_poll", "io_poll_ready", "opaque")


def _events_for(io_read: IOHandler | None, io_write: IOHandler | None) -> int:
    return (READ_EVENTS if io_read else 0) | (WRITE_EVENTS if io_write else 0)


class AioHandler:
    """One registration of an fd.  The callback fields and ``events`` are atomics (other
    threads read them while the home thread polls); the rest belongs to the home thread."""

    __slots__ = ("fd", "events", "revents", "io_read", "io_write", "io_poll",
                 "io_poll_ready", "opaque", "io_poll_begin", "io_poll_end", "deleted",
                 "ready_list", "poll_ready", "polling", "poll_idle_timeout", "poll_ns")

    def __init__(self, fd: int, io_read: IOHandler | None, io_write: IOHandler | None,
                 io_poll: AioPollFn | None, io_poll_ready: IOHandler | None,
                 opaque: Any) -> None:
        self.fd = fd
        self.events = sync.Atomic(_events_for(io_read, io_write), name=f"fd{fd}.events")
        self.revents = 0
        self.io_read = sync.Atomic(io_read, name=f"fd{fd}.io_read")
        self.io_write = sync.Atomic(io_write, name=f"fd{fd}.io_write")
        self.io_poll = sync.Atomic(io_poll, name=f"fd{fd}.io_poll")
        self.io_poll_ready = sync.Atomic(io_poll_ready, name=f"fd{fd}.io_poll_ready")
        self.opaque = sync.Atomic(opaque, name=f"fd{fd}.opaque")
        self.io_poll_begin = sync.Atomic(None, name=f"fd{fd}.io_poll_begin")
        self.io_poll_end = sync.Atomic(None, name=f"fd{fd}.io_poll_end")
        self.deleted = sync.Atomic(False, name=f"fd{fd}.deleted")   # on the deleted list
        self.ready_list: list[AioHandler] | None = None               # which ready list
        self.poll_ready = False
        self.polling = False                                          # on poll_aio_handlers
        self.poll_idle_timeout = 0
        self.poll_ns = 0                                              # busy-poll budget

    def free(self) -> None:
        """What g_free does in QEMU: from now on, using the node is an error."""
        for field in (*_CALLBACK_FIELDS, "events", "deleted", "io_poll_begin", "io_poll_end"):
            setattr(self, field, Freed(f"AioHandler for fd {self.fd}"))

    def __repr__(self) -> str:
        return f"<AioHandler fd={self.fd}>"


# --------------------------------------------------------------------------- lists


def _publish(head: sync.Atomic, nodes: tuple[AioHandler, ...], label: str) -> None:
    head.store(nodes, sync.RELEASE, label=label)


def _without(nodes: tuple[AioHandler, ...], node: AioHandler) -> tuple[AioHandler, ...]:
    return tuple(n for n in nodes if n is not node)


def find_aio_handler(ctx: AioContext, fd: int) -> AioHandler | None:
    """The live (not deleted) handler for ``fd``, newest first."""
    for node in ctx.aio_handlers.load(sync.ACQUIRE, label="find_aio_handler.load_handlers"):
        if node.fd == fd and not node.deleted.load(label="find_aio_handler.load_deleted"):
            return node
    return None


def poll_list_insert(ctx: AioContext, node: AioHandler) -> None:
    ctx.poll_aio_handlers.insert(0, node)
    node.polling = True


def poll_list_remove(ctx: AioContext, node: AioHandler) -> None:
    if node.polling:
        ctx.poll_aio_handlers.remove(node)
        node.polling = False


def add_ready(ready: list[AioHandler], node: AioHandler, revents: int) -> None:
    """Queue ``node`` for dispatch, taking it off a nesting caller's list first."""
    if node.ready_list is not None:
        node.ready_list.remove(node)
    node.revents = revents
    ready.append(node)
    node.ready_list = ready


def add_poll_ready(ready: list[AioHandler], node: AioHandler) -> None:
    if node.ready_list is not None:
        node.ready_list.remove(node)
    node.poll_ready = True
    ready.append(node)
    node.ready_list = ready


# --------------------------------------------------------------------------- registration


def _remove_fd_handler(ctx: AioContext, node: AioHandler) -> bool:
    """Retire ``node`` (list_lock mutex held); True if the caller may free it now."""
    node.revents = 0
    node.poll_ready = False
    if node.deleted.load(label="aio_remove_fd_handler.load_deleted"):
        return False
    if ctx.list_lock.count() > 0:          # someone is walking the list: defer the free
        node.deleted.store(True, label="aio_remove_fd_handler.mark_deleted")
        _publish(ctx.deleted_aio_handlers,
                 (node,) + ctx.deleted_aio_handlers.load(label="aio_remove_fd_handler.load"),
                 "aio_remove_fd_handler.publish_deleted")
        return False
    poll_list_remove(ctx, node)
    _publish(ctx.aio_handlers, _without(ctx.aio_handlers.load(), node),
             "aio_remove_fd_handler.unlink")
    return True


def _update_in_place(node: AioHandler, values: dict[str, Any], events: int) -> None:
    """The pre-2018 update: overwrite a live node one field at a time."""
    for field in _CALLBACK_FIELDS:
        getattr(node, field).store(values[field], label=f"aio_set_fd_handler.update_{field}")
    node.events.store(events, label="aio_set_fd_handler.update_events")


def aio_set_fd_handler(ctx: AioContext, fd: int, io_read: IOHandler | None,
                       io_write: IOHandler | None, io_poll: AioPollFn | None,
                       io_poll_ready: IOHandler | None, opaque: Any) -> None:
    """Register, change or (with all of io_read/io_write/io_poll None) remove the
    handler for ``fd``; callable from any thread."""
    if io_poll is not None and io_poll_ready is None:
        io_poll = None                     # polling without a ready callback is pointless
    ctx.list_lock.lock()
    old = find_aio_handler(ctx, fd)
    new = None
    old_unpollable = old is not None and \
        old.io_poll.load(label="aio_set_fd_handler.load_old_io_poll") is None
    if io_read is None and io_write is None and io_poll is None:
        if old is None:
            ctx.list_lock.unlock()
            return
        old.events.store(0, label="aio_set_fd_handler.clear_events")
        poll_disable_change = -1 if old_unpollable else 0
    else:
        poll_disable_change = (1 if io_poll is None else 0) - (1 if old_unpollable else 0)
        if old is not None and ctx.bug_torn_update:
            _update_in_place(old, {"io_read": io_read, "io_write": io_write,
                                   "io_poll": io_poll, "io_poll_ready": io_poll_ready,
                                   "opaque": opaque}, _events_for(io_read, io_write))
            old = None                     # the node stays: nothing to retire
        else:
            new = AioHandler(fd, io_read, io_write, io_poll, io_poll_ready, opaque)
            if old is not None:
                new.revents = old.revents
            _publish(ctx.aio_handlers,
                     (new,) + ctx.aio_handlers.load(label="aio_set_fd_handler.load_handlers"),
                     "aio_set_fd_handler.publish_new")
    # Deliberately unordered: it only decides whether busy-polling is worth trying.
    ctx.poll_disable_cnt.store(
        ctx.poll_disable_cnt.load(label="aio_set_fd_handler.load_poll_disable_cnt")
        + poll_disable_change, label="aio_set_fd_handler.store_poll_disable_cnt")
    free_now = _remove_fd_handler(ctx, old) if old is not None else False
    ctx.list_lock.unlock()
    ctx.aio_notify()                       # a sleeping poll must re-read the fd set
    if free_now and old is not None:
        old.free()


def aio_set_fd_poll(ctx: AioContext, fd: int, io_poll_begin: IOHandler | None,
                    io_poll_end: IOHandler | None) -> None:
    """Set the poll-mode begin/end callbacks of the live handler for ``fd``, if any.
    Like QEMU, this takes no lock."""
    node = find_aio_handler(ctx, fd)
    if node is None:
        return
    node.io_poll_begin.store(io_poll_begin, label="aio_set_fd_poll.store_begin")
    node.io_poll_end.store(io_poll_end, label="aio_set_fd_poll.store_end")


def aio_free_deleted_handlers(ctx: AioContext) -> None:
    """Free the handlers removed while the list was walked, if ours is the last count."""
    if not ctx.deleted_aio_handlers.load(label="aio_free_deleted_handlers.load"):
        return
    if not ctx.list_lock.dec_if_lock():
        return                             # nested: the outermost caller frees them
    deleted = ctx.deleted_aio_handlers.load(label="aio_free_deleted_handlers.take")
    remaining = tuple(n for n in ctx.aio_handlers.load() if n not in deleted)
    _publish(ctx.aio_handlers, remaining, "aio_free_deleted_handlers.unlink")
    _publish(ctx.deleted_aio_handlers, (), "aio_free_deleted_handlers.clear")
    for node in deleted:
        poll_list_remove(ctx, node)
        node.free()
    ctx.list_lock.inc_and_unlock()


# --------------------------------------------------------------------------- wait


def fdmon_poll_wait(ctx: AioContext, ready: list[AioHandler], timeout_ns: int) -> int:
    """ppoll() the live handlers' fds; queue the ready ones.  Caller holds a count."""
    nodes: list[AioHandler] = []
    fds: list[tuple[int, int]] = []
    for node in ctx.aio_handlers.load(sync.ACQUIRE, label="fdmon_poll_wait.load_handlers"):
        if node.deleted.load(label="fdmon_poll_wait.load_deleted"):
            continue
        events = node.events.load(label="fdmon_poll_wait.load_events")
        if events:
            nodes.append(node)
            fds.append((node.fd, events))
    ctx.stats.fd_waits += 1
    if timeout_ns != 0:
        ctx.stats.blocking_waits += 1
    revents = ctx.poller.poll(fds, timeout_ns, label="fdmon_poll_wait.ppoll")
    found = 0
    for node, got in zip(nodes, revents, strict=True):
        if got:
            add_ready(ready, node, got)
            found += 1
    return found


# --------------------------------------------------------------------------- dispatch


def aio_dispatch_handler(ctx: AioContext, node: AioHandler) -> bool:
    """Run one handler's callbacks for what happened to it; True if that was progress
    (the context's own notifier never is)."""
    revents = node.revents & node.events.load(label="aio_dispatch_handler.load_events")
    node.revents = 0
    poll_ready = node.poll_ready
    node.poll_ready = False

    def live() -> bool:
        return not node.deleted.load(label="aio_dispatch_handler.load_deleted")

    if live() and not node.polling and \
            node.io_poll.load(label="aio_dispatch_handler.load_io_poll") is not None:
        begin = node.io_poll_begin.load(label="aio_dispatch_handler.load_poll_begin")
        if ctx.poll_started and begin is not None:
            begin(node.opaque.load(label="aio_dispatch_handler.load_opaque"))
        poll_list_insert(ctx, node)        # active now: busy-poll it from now on
    if live() and poll_ready and revents == 0:
        io_poll_ready = node.io_poll_ready.load(label="aio_dispatch_handler.load_poll_ready")
        if io_poll_ready is not None:
            poll_list_remove(ctx, node)    # a nested aio_poll must not poll it again
            io_poll_ready(node.opaque.load(label="aio_dispatch_handler.load_opaque"))
            if not node.polling:
                poll_list_insert(ctx, node)
            return node.opaque.load(label="aio_dispatch_handler.load_opaque") \
                is not ctx.notifier
    progress = False
    if live() and revents & READ_EVENTS:
        io_read = node.io_read.load(label="aio_dispatch_handler.load_io_read")
        if io_read is not None:
            opaque = node.opaque.load(label="aio_dispatch_handler.load_opaque")
            io_read(opaque)
            if opaque is not ctx.notifier:
                progress = True
    if live() and revents & WRITE_EVENTS:
        io_write = node.io_write.load(label="aio_dispatch_handler.load_io_write")
        if io_write is not None:
            io_write(node.opaque.load(label="aio_dispatch_handler.load_opaque"))
            progress = True
    return progress


def aio_dispatch_handlers(ctx: AioContext) -> bool:
    """The glib path: dispatch every handler with the revents glib's poll filled in."""
    progress = False
    for node in ctx.aio_handlers.load(sync.ACQUIRE, label="aio_dispatch_handlers.load"):
        progress = aio_dispatch_handler(ctx, node) or progress
    return progress


def aio_pending(ctx: AioContext) -> bool:
    """Does any handler have a read/write event glib reported and a callback for it?"""
    ctx.list_lock.inc()
    try:
        for node in ctx.aio_handlers.load(sync.ACQUIRE, label="aio_pending.load_handlers"):
            revents = node.revents & node.events.load(label="aio_pending.load_events")
            if revents & READ_EVENTS and node.io_read.load(label="aio_pending.load_io_read"):
                return True
            if revents & WRITE_EVENTS and \
                    node.io_write.load(label="aio_pending.load_io_write"):
                return True
        return False
    finally:
        ctx.list_lock.dec()
