"""The block-graph reader/writer lock (QEMU block/graph-lock.c; docs/catalogue.md, "Graph lock").

Processes:

* ``writer``: the main loop; it takes the write lock ``rounds`` times
  (``bdrv_graph_wrlock`` / ``bdrv_graph_wrunlock``), draining new I/O around each;
* ``reader0`` .. ``reader<n-1>``: coroutines in iothreads, each looping over
  ``bdrv_graph_co_rdlock`` / critical section / ``bdrv_graph_co_rdunlock``, reader r
  starting in iothread A (r even) or B (r odd); while
  holding the lock a reader may move once to the other iothread
  (``aio_co_reschedule_self``), so it can lock in one context and unlock in another;
* ``iothreadB``: may destroy context B once no reader runs there; B's count (possibly
  "negative") then moves into ``orphaned``.

Shared state: ``has_writer``, ``count[A], count[B]`` (per-context reader counts),
``orphaned``, the list mutex (``mutex``: 0 or owner pid + 1), ``queued[r]`` (reader r
parked in ``reader_queue``), ``num_waiters`` and ``kick`` (a pending ``aio_wait_kick``
BH on the main context, which is what the writer's ``aio_poll`` waits for), ``drained``.
``reader_count()`` is read in one step while the mutex is free (the writer holds it).

Checked: exclusion (G-2: no reader inside while the writer holds the lock), reader-count
conservation (G-1: ``orphaned + Σ count == readers inside + readers between their
increment and return or undo``), and two liveness claims, weakly fair: ``writer
starves`` (G-4) and ``reader0 starves`` (a reader that asks for the lock never gets it).

Bug variant ``graph-rdunlock-kick-conditional``: ``bdrv_graph_co_rdunlock`` kicks only
when ``has_writer`` is set, but the writer keeps it 0 while it waits, so the last
reader's unlock wakes nobody and the writer sleeps forever: ``writer starves`` (and,
with I/O drained, a deadlock).

Seeded variants (never shipped; they show each check can fail):

* ``wrlock-no-recount``: the writer sets ``has_writer`` and takes the lock without
  counting readers again (the Dekker half of P5): a reader that incremented after the
  count and saw ``has_writer == 0`` is inside with the writer: exclusion fails.
* ``unregister-drops-count``: destroying context B forgets its count instead of moving
  it to ``orphaned``: a reader that locked in B and unlocks in A leaves the sum at -1,
  so conservation fails.
* ``no-recheck-under-mutex``: the slow path parks without re-reading ``has_writer``
  under the mutex (P7), so a reader can park after the writer's wake-up and sleep
  forever: ``reader0 starves``.
"""

from __future__ import annotations

from ..builder import Process
from ..claim import Claim
from ..modelling import Model

BUGS = ("graph-rdunlock-kick-conditional",)
SEEDED = ("wrlock-no-recount", "unregister-drops-count", "no-recheck-under-mutex")
VIOLATES = {
    "graph-rdunlock-kick-conditional": "writer starves",
    "wrlock-no-recount": "exclusion",
    "unregister-drops-count": "reader count conservation",
    "no-recheck-under-mutex": "reader0 starves",
}

#: reader locations between the fast-path increment and returning or undoing it
_COUNTED = ("check", "slowpath", "slow")
#: reader locations where it holds the read lock (``moved``: after changing iothread)
_INSIDE = ("cs", "moved")
#: reader locations where it has asked for the lock and not yet got it
_TRYING = ("rdlock", "check", "slowpath", "slow", "undone", "undone+1", "parked")
#: writer locations where it has asked for the write lock and not yet got it
_WRITER_WAITS = ("wrlock", "wrlock+1", "cond", "waited", "waited+1", "recount", "poll")


def _total(s) -> int:
    return s.orphaned + s.count[0] + s.count[1]


def _writer(p: Process, bug: str | None) -> None:
    p.label("idle", end=True)

    @p.step("bdrv_drain_all_begin_nopoll()", when=lambda s: s.rounds > 0)
    def drain(s):
        s.drained = 1

    p.label("wrlock")
    p.step("has_writer = 0", lambda s: s.set(has_writer=0))

    @p.step("AIO_WAIT_WHILE: num_waiters++; smp_mb__after_rmw()")
    def wait_begin(s):
        s.num_waiters += 1

    p.label("cond")
    p.wait("reader_count() >= 1: aio_poll(main_ctx, true)",
           lambda s: s.mutex == 0 and _total(s) >= 1, goto="poll")
    p.at("cond")
    p.wait("reader_count() == 0: stop waiting", lambda s: s.mutex == 0 and _total(s) == 0)
    p.label("waited")

    @p.step("num_waiters--")
    def wait_end(s):
        s.num_waiters -= 1

    if bug == "wrlock-no-recount":
        p.step("has_writer = 1; take the lock", lambda s: s.set(has_writer=1),
               goto="locked")
    else:
        p.step("has_writer = 1; smp_mb()", lambda s: s.set(has_writer=1))
    p.label("recount")
    p.wait("reader_count() == 0: write lock taken",
           lambda s: s.mutex == 0 and _total(s) == 0, goto="locked")
    p.at("recount")
    p.wait("reader_count() >= 1: try again", lambda s: s.mutex == 0 and _total(s) >= 1,
           goto="wrlock")
    p.label("poll")
    p.step("aio_poll(): run the aio_wait_kick BH", lambda s: s.set(kick=0),
           when=lambda s: s.kick, goto="cond")
    p.label("locked")

    @p.step("bdrv_graph_wrunlock(): has_writer = 0; wake reader_queue",
            when=lambda s: s.mutex == 0)
    def wrunlock(s):
        s.has_writer = 0
        s.queued = [0] * len(s.queued)

    @p.step("aio_bh_poll(main_ctx); bdrv_drain_all_end()", goto="idle")
    def drain_end(s):
        s.kick = 0
        s.drained = 0
        s.rounds -= 1


def _reader(p: Process, r: int, bug: str | None) -> None:
    me = r + 1
    p.label("idle", end=True)
    p.wait("new request (I/O is not drained)", lambda s: not s.drained)
    p.label("rdlock")

    @p.step("reader_count[ctx]++; smp_mb()")
    def increment(s):
        s.count[s.ctx] += 1

    p.label("check")
    p.wait("if (!has_writer) return", lambda s: not s.has_writer, goto="cs")
    p.at("check")

    p.wait("has_writer: take the slow path", lambda s: s.has_writer)
    p.label("slowpath")

    @p.step("lock aio_context_list_lock", when=lambda s: s.mutex == 0)
    def lock(s):
        s.mutex = me

    p.label("slow")
    if bug == "no-recheck-under-mutex":
        @p.step("reader_count[ctx]--")
        def undo_unchecked(s):
            s.count[s.ctx] -= 1
    else:
        @p.step("if (!has_writer) { unlock; return }", when=lambda s: not s.has_writer,
                goto="cs")
        def unlock_return(s):
            s.mutex = 0

        p.at("slow")

        @p.step("reader_count[ctx]--", when=lambda s: s.has_writer)
        def undo(s):
            s.count[s.ctx] -= 1

    p.label("undone")

    @p.step("aio_wait_kick()")
    def kick_slow(s):
        if s.num_waiters:
            s.kick = 1

    @p.step("qemu_co_queue_wait(reader_queue): park; unlock")
    def park(s):
        s.queued[r] = 1
        s.mutex = 0

    p.label("parked")
    p.wait("woken by wrunlock: retry", lambda s: not s.queued[r], goto="rdlock")
    p.label("cs")

    @p.step("aio_co_reschedule_self(other iothread)", when=lambda s: s.alive_b,
            goto="moved")
    def migrate(s):
        s.ctx = 1 - s.ctx

    p.at("cs")

    @p.step("bdrv_graph_co_rdunlock(): reader_count[ctx]--; smp_mb()", goto="unlocked")
    def rdunlock(s):
        s.count[s.ctx] -= 1

    p.label("moved")
    p.step("bdrv_graph_co_rdunlock(): reader_count[ctx]--; smp_mb()", rdunlock)
    p.label("unlocked")

    if bug == "graph-rdunlock-kick-conditional":
        @p.step("if (has_writer) aio_wait_kick()", goto="idle")
        def kick_if_writer(s):
            if s.has_writer and s.num_waiters:
                s.kick = 1
    else:
        @p.step("aio_wait_kick()", goto="idle")
        def kick_unlock(s):
            if s.num_waiters:
                s.kick = 1


def model(bug: str | None = None, *, readers: int = 2, rounds: int = 1) -> Model:
    """The graph lock with ``readers`` reader coroutines and ``rounds`` write sections."""
    if bug is not None and bug not in BUGS + SEEDED:
        raise ValueError(f"unknown graph-lock variant {bug!r}; known: "
                         f"{', '.join(BUGS + SEEDED)}")
    m = Model("graph_lock" if bug is None else f"graph_lock[{bug}]")
    m.vars(has_writer=0, count=[0, 0], orphaned=0, alive_b=1, mutex=0,
           queued=[0] * readers, num_waiters=0, kick=0, drained=0, rounds=rounds)
    _writer(m.process("writer"), bug)
    names = [f"reader{r}" for r in range(readers)]
    for r, name in enumerate(names):
        _reader(m.process(name, ctx=r % 2), r, bug)
    b = m.process("iothreadB")

    @b.step("unregister_aiocontext(B): orphaned += count[B]",
            when=lambda s: all(s.local(n, "ctx") == 0 for n in names))
    def unregister(s):
        if bug != "unregister-drops-count":
            s.orphaned += s.count[1]
        s.count[1] = 0
        s.alive_b = 0

    def in_any(s, labels) -> int:
        return sum(1 for n in names if s.at(n, *labels))

    m.invariant("exclusion",
                lambda s: not (s.at("writer", "locked") and in_any(s, _INSIDE)))
    m.invariant("reader count conservation",
                lambda s: _total(s) == in_any(s, _INSIDE + _COUNTED))
    m.never("writer starves", Claim.eventually_always(
        lambda s: s.at("writer", *_WRITER_WAITS), "writer starves"))
    m.never("reader0 starves", Claim.eventually_always(
        lambda s: s.at(names[0], *_TRYING), "reader0 starves"))
    return m
