"""The simulation under a weak memory model: an execution with store buffers.

``WeakExecution`` is the runtime of an execution whose memory model is "tso" or "arm"
(``sim.memory``); the runner builds it, and ``WeakAtomic`` instead of ``SimAtomic``,
once per execution, so sequential consistency pays nothing for any of this.

Scheduling.  At a choice moment, besides the enabled threads, the buffered stores that
may become visible next are options (``FlushOption``: ``runs_thread`` False, its
``decision`` "f<thread>" under TSO, "f<thread>:<object serial>" under ARM, recorded
and replayed like a thread number).  A flush does not end the choice: the decider is
asked again until it picks a thread.  A thread that spins (``cpu_relax``) gives way to
a flush as it gives way to another thread.

Flushes are offered lazily: a thread's buffer is offered only when another enabled
thread's next operation touches one of its words in memory (loads it, RMWs it, or
drains a store to it) or another buffer holds a store to one of them.  A flush
commutes with everything else (another thread's store only fills that thread's
buffer, an operation on another word reads and writes other memory), so every outcome
of an execution that flushes earlier is also reached by one that flushes just before
the first operation that can tell: the searches lose no outcome and skip the
schedules that differ only in when an unobserved store became visible.  A decider that
does its own reduction (DPOR) sets ``every_flush`` and is offered every flush.

Draining.  Read-modify-writes, fences and the operations that are system calls or
locks in the real implementations make buffered stores visible, as ``sim.memory``
says: unlock, condition wait/signal/broadcast, EventNotifier set and test-and-clear,
poll, sleep, thread start and join (both models), lock, trylock and the re-acquiring
end of a condition wait (TSO: a locked instruction; ARM: a lock is only an acquire).
A fence that drains and a thread that ends with stores still buffered are scheduling
points of their own ("fence.mb", "thread_exit"), so that another thread can run
before the stores become visible.  When every thread is blocked, or a check of the
program's state runs, every buffer drains first.

Traces.  A buffered store is noted "buffered"; a flush is a step of its own in the
storing thread's column ("flush x = 1", the store of step n becomes visible); a load
that could not see another thread's buffered store to its word says so ("stale:
main's store 2 still buffered"); an operation that drained says what it made visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aioctx.impl import sync

from .execution import OP_YIELD, Execution, SimThread
from .location import display
from .memory import ARM, Entry, Memory
from .primitives import SimAtomic
from .trace import Step

if TYPE_CHECKING:
    from .decider import Option

#: operations that make the thread's buffered stores visible, under both models
DRAINING = frozenset({"unlock", "cond_wait", "cond_signal", "cond_broadcast",
                      "notifier_set", "notifier_clear", "poll", "sleep", "thread_start",
                      "thread_join"})
#: ... and, under TSO only, the lock side (a locked read-modify-write on x86)
TSO_DRAINING = DRAINING | {"lock", "trylock", "cond_wake"}
RMW_OPS = frozenset({"xchg", "cmpxchg", "fetch_add", "fetch_sub", "fetch_or", "fetch_and"})
OP_FLUSH = "flush"
OP_THREAD_EXIT = "thread_exit"


class FlushOption:
    """A decider option: make ``entry`` of thread ``tid``'s buffer visible."""

    __slots__ = ("tid", "decision", "name", "entry")
    runs_thread = False
    op = OP_FLUSH
    label = None

    def __init__(self, tid: int, decision: str, name: str, entry: Entry) -> None:
        self.tid = tid
        self.decision = decision
        self.name = name
        self.entry = entry

    @property
    def obj(self) -> Any:
        return self.entry.atom

    def __repr__(self) -> str:
        return f"<flush {self.decision} {display(self.entry.atom)}>"


class WeakExecution(Execution):
    """An ``Execution`` whose atomics go through store buffers (``memory_model``)."""

    def __init__(self, *args: Any, memory_model: str,
                 drop_fences: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drop_fences = drop_fences
        self.memory = Memory(memory_model)
        self.memory_model = memory_model
        self.draining = DRAINING if memory_model == ARM else TSO_DRAINING
        self._flush_options: dict[str, FlushOption] = {}

    # ------------------------------------------------------------------ choices

    def _choose(self, enabled: list[SimThread], cur: SimThread) -> Any:
        """Offer the flushable stores with the threads; apply flushes until the
        decider picks a thread."""
        spinner = cur.op is OP_YIELD and len(enabled) == 1 and enabled[0] is cur
        every = self.decider.every_flush
        while self.memory.pending:
            flushes = self.flush_options(None if every or spinner else enabled)
            if not flushes:
                break
            options: list[Any] = flushes if spinner else enabled + flushes
            spinner = False                   # it gave way once; now it may run again
            chosen = super()._choose(options, cur)
            if chosen.runs_thread:
                return chosen
            self._flush(chosen)
        return super()._choose(enabled, cur)

    def flush_options(self, observers: list[SimThread] | None) -> list[FlushOption]:
        """The stores that may become visible now, as options (reused objects): all of
        them, or only the buffers ``observers`` could tell apart (see above)."""
        out = []
        arm = self.memory.arm
        wanted = None if observers is None else self._observed(observers)
        for tid, entry in self.memory.flushable():
            if wanted is not None and not wanted[tid]:
                continue
            key = f"f{tid}:{entry.atom.oid}" if arm else f"f{tid}"
            option = self._flush_options.get(key)
            if option is None:
                option = self._flush_options[key] = FlushOption(
                    tid, key, self.threads[tid].name, entry)
            option.entry = entry
            out.append(option)
        return out

    def _observed(self, observers: list[SimThread]) -> list[bool]:
        """For each thread's buffer: could an observer's next operation, or another
        buffer, tell when its stores become visible?"""
        mem = self.memory
        words = [[e.atom for e in buf] for buf in mem.buffers]
        touched: list[tuple[int, list[Any]]] = []
        for u in observers:
            op = u.op
            if op == "load" or op in RMW_OPS:
                touched.append((u.tid, [u.obj]))
            elif (op in self.draining or op.startswith("fence.") or op == OP_THREAD_EXIT) \
                    and u.tid < len(words):
                touched.append((u.tid, words[u.tid]))
        out = []
        for tid, mine in enumerate(words):
            seen = bool(mine) and (
                any(any(a is w for w in mine) for u, atoms in touched if u != tid
                    for a in atoms)
                or any(any(a is w for w in mine) for u, other in enumerate(words)
                       if u != tid for a in other))
            out.append(seen)
        return out

    def _flush(self, option: FlushOption) -> None:
        entry = option.entry
        self.memory.flush(option.tid, entry)
        if self.trace is not None:
            self.trace.append(Step(self.nsteps, option.tid, OP_FLUSH, display(entry.atom),
                                   None, entry.atom._value, ("", 0),
                                   f"its store of step {entry.step} becomes visible"))

    # ------------------------------------------------------------------ draining

    def step(self, op: str, obj: Any, label: str | None, write: bool = True) -> None:
        super().step(op, obj, label, write)
        if op in self.draining and not self.halted:
            self.drained(self.memory.drain(self.current.tid))

    def step_wait(self, op: str, obj: Any, label: str | None, wait: Any,
                  deadline: int | None = None, write: bool = True) -> bool:
        ready = super().step_wait(op, obj, label, wait, deadline, write)
        if op in self.draining and not self.halted:
            self.drained(self.memory.drain(self.current.tid))
        return ready

    def fence(self, kind: str, label: str | None) -> None:
        cur = self.current
        if self.halted or cur is None or label in self.drop_fences:
            return
        if self.memory.fence_drains(cur.tid, kind):
            self.step("fence." + kind, None, label)        # a point: others may run first
            if not self.halted:
                self.drained(self.memory.fence(cur.tid, kind))
            return
        self.memory.fence(cur.tid, kind)
        super().fence(kind, label)

    def thread_end(self, t: SimThread) -> None:
        """A thread whose code returned with stores still buffered: one more point,
        then they become visible (the exit is a system call)."""
        if self.memory.buffered(t.tid):
            self.step(OP_THREAD_EXIT, None, None)
            if not self.halted:
                if self.trace:
                    self.trace[-1].where = ("", 0)
                self.drained(self.memory.drain(t.tid))

    def drained(self, entries: list[Entry]) -> None:
        """Note on the step just recorded which stores it made visible."""
        if entries and self.trace:
            shown = ", ".join(f"{self.threads[e.tid].name}'s {display(e.atom)}"
                              f"={_short(e.apply(e.atom._value) if e.mask else e.value)}"
                              for e in entries)
            step = self.trace[-1]
            step.note = _join(step.note, f"makes visible {shown}")

    def _quiesce(self) -> list[SimThread]:
        """Nobody can run: the buffers drain (nothing could tell in which order)."""
        self.memory.drain_all()
        return super()._quiesce()

    def _check(self, checks: list[Any]) -> str | None:
        self.memory.drain_all()
        return super()._check(checks)

    # ------------------------------------------------------------------ loads

    def explain_load(self, atom: Any, tid: int, value: Any, flushed: list[Entry]) -> None:
        """Trace why a load read what it read (called on a reporting run only)."""
        if not self.trace:
            return
        self.drained(flushed)
        step = self.trace[-1]
        step.value = value
        if any(e.atom is atom for e in self.memory.buffer(tid)):
            step.note = _join(step.note, "its own buffered store")
            return
        others = self.memory.others_pending(tid, atom)
        if others:
            e = others[-1]
            step.note = _join(step.note, f"stale: {self.threads[e.tid].name}'s store "
                                         f"{_short(e.value)} still buffered")


class WeakAtomic(SimAtomic):
    """A shared word read and written through the execution's store buffers."""

    __slots__ = ()
    _ex: WeakExecution

    def load(self, order: str = sync.RELAXED, label: str | None = None) -> Any:
        ex = self._ex
        ex.step("load", self, label, False)
        if ex.halted:
            return self._value
        tid = ex.current.tid
        value, flushed = ex.memory.load(tid, self, order)
        if ex.trace is not None:
            ex.explain_load(self, tid, value, flushed)
        return value

    def store(self, value: Any, order: str = sync.RELAXED, label: str | None = None) -> None:
        self._buffer(value, order, label, None)

    def store_bits(self, mask: int, bits: int, order: str = sync.RELAXED,
                   label: str | None = None) -> None:
        self._buffer(bits, order, label, mask)

    def _buffer(self, value: Any, order: str, label: str | None, mask: int | None) -> None:
        ex = self._ex
        ex.step("store", self, label)
        if ex.halted:
            self._value = value if mask is None else (self._value & ~mask) | (value & mask)
            return
        drained = ex.memory.store(ex.current.tid, self, value, order, ex.nsteps, mask)
        if ex.trace is not None:
            ex.value(value)
            step = ex.trace[-1]
            step.note = "buffered" if not drained else ""
            ex.drained(drained)

    def xchg(self, value: Any, order: str = sync.SEQ_CST, label: str | None = None) -> Any:
        return self._atomic("xchg", label, order, lambda old: (value, True))

    def cmpxchg(self, expected: Any, new: Any, order: str = sync.SEQ_CST,
                label: str | None = None) -> Any:
        return self._atomic("cmpxchg", label, order, lambda old: (new, old == expected)
                            if old == expected else (old, False))

    def fetch_add(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._atomic("fetch_add", label, order, lambda old: (old + n, True))

    def fetch_sub(self, n: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._atomic("fetch_sub", label, order, lambda old: (old - n, True))

    def fetch_or(self, mask: int, order: str = sync.SEQ_CST, label: str | None = None) -> int:
        return self._atomic("fetch_or", label, order, lambda old: (old | mask, True))

    def fetch_and(self, mask: int, order: str = sync.SEQ_CST,
                  label: str | None = None) -> int:
        return self._atomic("fetch_and", label, order, lambda old: (old & mask, True))

    def _atomic(self, op: str, label: str | None, order: str, compute: Any) -> Any:
        """A read-modify-write: sequentially consistent (acquire and release orders
        are treated as such, which only removes outcomes), or relaxed when ``order``
        says so or the audit dropped its barrier (``drop_fences``)."""
        ex = self._ex
        ex.step(op, self, label)
        if ex.halted:
            old = self._value
            self._value = compute(old)[0]
            return old
        relaxed = order == sync.RELAXED or label in ex.drop_fences
        old, new, flushed = ex.memory.rmw(ex.current.tid, self, ex.nsteps, compute,
                                          relaxed)
        if ex.trace is not None:
            ex.value((old, new))
            ex.drained(flushed)
            if ex.memory.arm and ex.memory.buffered(ex.current.tid) and \
                    ex.memory.buffer(ex.current.tid)[-1].atom is self and old != new:
                step = ex.trace[-1]
                step.note = _join(step.note, "its store buffered")
        return old


def weak_access(ex: WeakExecution, option: Option, base: tuple[tuple[int, ...], bool]
                ) -> tuple[tuple[int, ...], bool]:
    """What an option touches under store buffers, for DPOR's independence relation:
    a thread's buffer is an object (serial -1 - thread number) that its stores write,
    its loads read and its flushes write; a flush also writes its word; whatever
    drains writes the buffer, the words it flushes and, under ARM, the buffers its
    flushes may force first."""
    mem = ex.memory
    if not option.runs_thread:
        return ((-1 - option.tid, option.entry.atom.oid), True)
    tid = option.tid
    own = -1 - tid
    op = option.op
    objects, write = base
    if op == "load":
        return (objects + (own,), False)
    if op == "store":
        return ((own,), True)
    if op in RMW_OPS:
        touched = _drain_closure(mem, [tid] + ([u for u in range(len(mem.buffers))
                                                if u != tid and any(e.atom is option.obj
                                                                    for e in mem.buffers[u])]
                                               if mem.arm else []))
        return (objects + touched, True)
    drains = (op in ex.draining or op.startswith("fence.") or op == OP_THREAD_EXIT)
    if drains and mem.buffered(tid):
        return (objects + _drain_closure(mem, [tid]), True)
    return base


def _drain_closure(mem: Memory, tids: list[int]) -> tuple[int, ...]:
    """The buffers (and their words) that draining ``tids`` may flush, with, under
    ARM, every buffer holding a pending RMW store to one of those words."""
    todo = list(tids)
    done: list[int] = []
    out: list[int] = []
    while todo:
        u = todo.pop()
        if u in done:
            continue
        done.append(u)
        out.append(-1 - u)
        for e in mem.buffer(u):
            out.append(e.atom.oid)
            if mem.arm:
                for v, buf in enumerate(mem.buffers):
                    if v not in done and any(f.rmw and f.atom is e.atom for f in buf):
                        todo.append(v)
    return tuple(out)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 16 else text[:13] + "..."


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


WEAK_CLASS_OVERRIDES: dict[type, type] = {sync.Atomic: WeakAtomic}
