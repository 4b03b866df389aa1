"""Weak memory: per-thread store buffers under x86-TSO and an ARM-style model.

Memory is the word each simulated ``Atomic`` holds (``atom._value``): what every thread
reads once a store is visible.  Under a weak model a thread's plain or release store
goes to that thread's store buffer first and becomes visible later, when the buffer
*flushes* it (a scheduling decision of its own, see ``sim.weak``) or when the thread
*drains* its buffer (a full barrier, a read-modify-write, a lock, a system call).  A
thread reads its own newest buffered store to a location, else memory.  Nothing here
schedules or traces; ``Memory`` only applies the rules.

x86-TSO (Owens, Sarkar, Sewell 2009): one FIFO buffer per thread, only the oldest entry
may flush; a read-modify-write drains the buffer and is atomic on memory; ``smp_mb``
drains; ``smp_rmb``, ``smp_wmb`` and ``smp_mb__after_rmw`` order nothing more than TSO
already does; a sequentially consistent store drains after itself (MOV+MFENCE, XCHG).

The ARM-style model is an under-approximation of ARMv8 (it allows only some of what the
architecture allows, never something it forbids): stores to different locations may
become visible out of order, stores to one location in order (coherence); loads are
performed in program order, so load->load and load->store reordering is not modelled.
An entry may flush when it is its buffer's oldest entry to that location, no
``smp_wmb`` separates it from an older entry, and, for a release store (STLR, also a
sequentially consistent store), when it is the oldest entry of the buffer.  An
acquire or sequentially consistent load (LDAR) first makes the thread's buffered
release stores visible (a release store and a later acquire load are not reordered).
``smp_mb`` and ``smp_mb__after_rmw`` drain.  A sequentially consistent read-modify-write
(LDAXR/STLXR) is atomic on its location and both an acquire and a release: it first
makes every buffered store to the location visible (of every thread: it joins the
location's coherence order after them) and the thread's own release stores, reads
memory, and buffers its store as a release store that is already in the coherence
order: until it is visible, no other store to the location may become visible (so no
update is lost).  Its store may become visible after the thread's later relaxed loads,
which is the reordering QEMU's ``smp_mb__after_rmw`` exists for.

Forcing a flush (a drain, or an RMW's) flushes the buffer in FIFO order up to the entry
needed, first forcing any other thread's pending RMW entry that blocks one of them;
such a chain only ever goes back to stores issued earlier, so it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SC = "sc"
TSO = "tso"
ARM = "arm"
MEMORY_MODELS = (SC, TSO, ARM)

RELAXED = "relaxed"
ACQUIRE = "acquire"
RELEASE = "release"
SEQ_CST = "seq_cst"
_ACQUIRING = (ACQUIRE, SEQ_CST)
_RELEASING = (RELEASE, SEQ_CST)


def check_memory_model(name: object) -> str:
    """``name`` if it is one of ``MEMORY_MODELS``, else a ``ValueError`` naming them."""
    if name not in MEMORY_MODELS:
        raise ValueError(f"unknown memory model {name!r}; known: {', '.join(MEMORY_MODELS)}")
    return str(name)


@dataclass(slots=True)
class Entry:
    """One buffered store."""

    atom: Any                 # the simulated Atomic; memory is atom._value
    value: Any                # the word, or the field's bits when ``mask`` is set
    mask: int | None          # None: the whole word; else the field of a store_bits
    tid: int                  # the storing thread
    step: int                 # scheduling points executed when it was buffered
    epoch: int = 0            # ARM: the thread's smp_wmb count when it was buffered
    release: bool = False     # ARM: ordered after every older entry
    rmw: bool = False         # ARM: a read-modify-write's store (already in coherence)

    def apply(self, word: Any) -> Any:
        """The word after this store."""
        if self.mask is None:
            return self.value
        return (word & ~self.mask) | (self.value & self.mask)


class Memory:
    """The store buffers of one execution and the rules of one weak model."""

    def __init__(self, model: str) -> None:
        if check_memory_model(model) == SC:
            raise ValueError("sequential consistency has no store buffers")
        self.model = model
        self.arm = model == ARM
        self.buffers: list[list[Entry]] = []      # by thread number
        self.epochs: list[int] = []
        self.pending = 0                          # entries in all buffers

    # ------------------------------------------------------------------ buffers

    def buffer(self, tid: int) -> list[Entry]:
        buffers = self.buffers
        while len(buffers) <= tid:
            buffers.append([])
            self.epochs.append(0)
        return buffers[tid]

    def buffered(self, tid: int) -> bool:
        return tid < len(self.buffers) and bool(self.buffers[tid])

    def others_pending(self, tid: int, atom: Any) -> list[Entry]:
        """Other threads' buffered stores to ``atom`` (what a load of it cannot see)."""
        return [e for u, buf in enumerate(self.buffers) if u != tid
                for e in buf if e.atom is atom]

    # ------------------------------------------------------------------ accesses

    def load(self, tid: int, atom: Any, order: str) -> tuple[Any, list[Entry]]:
        """The value ``tid`` reads, and the stores the load made visible first (an ARM
        acquire load and the thread's release stores)."""
        flushed = self._drain_releases(tid) if self.arm and order in _ACQUIRING else []
        value = atom._value
        if tid < len(self.buffers):
            for e in self.buffers[tid]:
                if e.atom is atom:
                    value = e.apply(value)
        return value, flushed

    def store(self, tid: int, atom: Any, value: Any, order: str, step: int,
              mask: int | None = None) -> list[Entry]:
        """Buffer a store; returns what it drained (a TSO sequentially consistent store
        drains after itself)."""
        buf = self.buffer(tid)
        buf.append(Entry(atom, value, mask, tid, step, self.epochs[tid],
                         release=self.arm and order in _RELEASING))
        self.pending += 1
        if order == SEQ_CST and not self.arm:
            return self.drain(tid)
        return []

    def rmw(self, tid: int, atom: Any, step: int,
            compute: Callable[[Any], tuple[Any, bool]],
            relaxed: bool = False) -> tuple[Any, Any, list[Entry]]:
        """A sequentially consistent read-modify-write: ``compute(old)`` gives the new
        value and whether it writes (a failed cmpxchg does not).  Returns (old, new,
        the stores it made visible first).  ``relaxed``: under ARM, atomic but neither
        an acquire nor a release (x86 has no such RMW: under TSO it changes nothing)."""
        if self.arm:
            flushed = self._force_location(atom)
            if not relaxed:
                flushed += self._drain_releases(tid)
        else:
            flushed = self.drain(tid)
        old = atom._value
        new, writes = compute(old)
        if writes:
            if self.arm:
                self.buffer(tid).append(Entry(atom, new, None, tid, step, self.epochs[tid],
                                              release=not relaxed, rmw=True))
                self.pending += 1
            else:
                atom._value = new
        return old, new, flushed

    def fence(self, tid: int, kind: str) -> list[Entry]:
        """``smp_mb`` ("mb"), ``smp_rmb``, ``smp_wmb``, ``smp_mb__after_rmw``; returns
        the stores it made visible."""
        if kind == "mb" or (kind == "mb_after_rmw" and self.arm):
            return self.drain(tid)
        if kind == "wmb" and self.arm:
            self.buffer(tid)
            self.epochs[tid] += 1
        return []

    def fence_drains(self, tid: int, kind: str) -> bool:
        """Would ``fence(tid, kind)`` make anything visible?"""
        return (kind == "mb" or (kind == "mb_after_rmw" and self.arm)) and self.buffered(tid)

    # ------------------------------------------------------------------ flushing

    def flushable(self) -> list[tuple[int, Entry]]:
        """Every (thread, entry) that may become visible next, in thread order, then
        buffer order."""
        out: list[tuple[int, Entry]] = []
        for tid, buf in enumerate(self.buffers):
            if not buf:
                continue
            if not self.arm:
                out.append((tid, buf[0]))
                continue
            first_epoch = buf[0].epoch
            seen: list[Any] = []
            for i, e in enumerate(buf):
                if e.epoch != first_epoch:
                    break                         # behind an smp_wmb
                if any(e.atom is a for a in seen):
                    continue                      # an older store to it goes first
                seen.append(e.atom)
                if (e.release and i) or (not e.rmw and self._rmw_elsewhere(tid, e.atom)):
                    continue
                out.append((tid, e))
        return out

    def flush(self, tid: int, entry: Entry) -> None:
        """Make one flushable entry visible."""
        buf = self.buffers[tid]
        buf.remove(entry)
        self.pending -= 1
        entry.atom._value = entry.apply(entry.atom._value)

    def drain(self, tid: int) -> list[Entry]:
        """Make every store of ``tid``'s buffer visible, oldest first."""
        if tid >= len(self.buffers) or not self.buffers[tid]:
            return []
        return self._force_upto(tid, len(self.buffers[tid]) - 1)

    def drain_all(self) -> list[Entry]:
        """Every buffer, in thread order (nobody can observe the order any more)."""
        out: list[Entry] = []
        for tid in range(len(self.buffers)):
            out += self.drain(tid)
        return out

    def _force_upto(self, tid: int, index: int) -> list[Entry]:
        """Flush ``tid``'s entries 0..index in order, forcing what blocks them."""
        buf = self.buffers[tid]
        target = buf[index]
        out: list[Entry] = []
        while True:
            e = buf[0]
            if self.arm and not e.rmw:
                for u, other in enumerate(self.buffers):
                    last = _last_index(other, e.atom, rmw_only=True) if u != tid else -1
                    if last >= 0:
                        out += self._force_upto(u, last)
            self.flush(tid, e)
            out.append(e)
            if e is target:
                return out

    def _force_location(self, atom: Any) -> list[Entry]:
        """ARM RMW: every buffered store to ``atom`` (any thread) becomes visible."""
        out: list[Entry] = []
        for tid, buf in enumerate(self.buffers):
            last = _last_index(buf, atom)
            if last >= 0:
                out += self._force_upto(tid, last)
        return out

    def _drain_releases(self, tid: int) -> list[Entry]:
        """ARM acquire: the thread's release stores (and what precedes them) first."""
        if tid >= len(self.buffers):
            return []
        buf = self.buffers[tid]
        for i in range(len(buf) - 1, -1, -1):
            if buf[i].release:
                return self._force_upto(tid, i)
        return []

    def _rmw_elsewhere(self, tid: int, atom: Any) -> bool:
        return any(e.rmw and e.atom is atom for u, buf in enumerate(self.buffers)
                   if u != tid for e in buf)


def _last_index(buf: list[Entry], atom: Any, rmw_only: bool = False) -> int:
    for i in range(len(buf) - 1, -1, -1):
        e = buf[i]
        if e.atom is atom and (e.rmw or not rmw_only):
            return i
    return -1
