"""Follow a given order of labelled operations: the schedules of a program in which the
named operations of different threads happen in exactly that order (a model checker's
counterexample carried over to the code is such an order; aioctx.pairing builds it).

An order is a list of ``LabelledOp(thread, label, values)``.  The operations it speaks
of are *watched*: by default those whose thread and label appear in the order, or any
``watched`` names per thread (the whole alphabet a model gives a thread).  At every
scheduling point each enabled thread's next operation is one of

* **due**: the next operation of the order (right thread, right label): it runs now;
* **early**: a watched operation the order names for its thread, but later: held back
  until the operations before it have happened (an operation of ``blocked``, where the
  thread must end up stuck, is held back for good);
* **extra**: a watched operation the order does not name here (the code does more
  than the order says): allowed only when no free operation can run;
* **free**: anything else; the gaps between the ordered operations are filled in by
  random thread priorities (as PCT draws them), a different draw per execution.

``values`` optionally say what the operation must find or leave in the object it
touches (a load reads ``before``; a store writes ``after``; a read-modify-write turns
``before`` into ``after``; booleans count as 0/1).  An execution whose operation does
otherwise, or in which every enabled thread is held back, has left the order: it is
cut short, and the furthest any execution got, with the reason it could go no further,
is kept in ``Ordered.progress``.

The search stops at the first execution that follows the whole order and then fails
with one of ``expect`` (any failure when empty) with each thread of ``blocked`` stuck
at the labelled operation named there; or after ``job.runs`` executions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..decider import Decider
from ..result import Result
from ..strategy import Found, SearchJob, register_strategy

if TYPE_CHECKING:
    from ..execution import Execution, SimThread
    from ..trace import Step

#: operations whose traced value is the value read, written, or (old, new)
READS = ("load",)
WRITES = ("store",)
RMWS = ("xchg", "cmpxchg", "fetch_add", "fetch_sub", "fetch_or", "fetch_and", "fetch_xor")


@dataclass(frozen=True)
class LabelledOp:
    """The operation labelled ``label`` of the thread named ``thread``.  ``values``
    optionally says, per object it may touch, what it must find there and leave there:
    ``(object name, before, after)``, ``None`` for "anything"."""

    thread: str
    label: str
    values: tuple[tuple[str, int | None, int | None], ...] = ()

    def describe(self) -> str:
        return f"{self.thread}: {self.label}"

    def expects(self, obj: str) -> tuple[int | None, int | None]:
        """(before, after) expected of ``obj``; (None, None) if nothing is."""
        for name, before, after in self.values:
            if name == obj:
                return before, after
        return None, None


def observed(op: str, value: Any) -> tuple[Any, Any]:
    """(value found, value left) of a traced operation, ``None`` where it says nothing:
    a load finds its value, a store leaves it, an RMW's value is (old, new); setting an
    EventNotifier leaves it set, ``test_and_clear`` finds whether it was."""
    if op in READS:
        return value, None
    if op in WRITES:
        return None, value
    if op in RMWS and isinstance(value, tuple) and len(value) == 2:
        return value
    if op == "notifier_set":
        return None, True
    if op == "notifier_clear":
        return value, False
    return None, None


def _same(expected: int | None, seen: Any) -> bool:
    """Does a traced value agree with an expectation (booleans as 0/1)?  Values that
    are not numbers (objects) are not compared."""
    if expected is None or seen is None:
        return True
    if isinstance(seen, bool):
        seen = int(seen)
    if not isinstance(seen, int):
        return True
    return seen == expected


def mismatch(want: LabelledOp, step: Step) -> str | None:
    """Why ``step`` is not ``want`` as far as values go, or None if it agrees."""
    before, after = want.expects(step.obj)
    found, left = observed(step.op, step.value)
    if not _same(before, found):
        return f"it found {step.obj} = {found!r} where the order has {before}"
    if not _same(after, left):
        return f"it left {step.obj} = {left!r} where the order has {after}"
    return None


@dataclass
class Progress:
    """How far one execution followed the order."""

    execution: int                      # 1-based
    matched: int                        # ordered operations that happened, in order
    reason: str                         # why it went no further ("" if it got through)
    failure: str = ""                   # the failure kind the execution ended in


class _OrderDecider(Decider):
    every_step = True                   # sees every operation, to know which ran

    def __init__(self, order: tuple[LabelledOp, ...], rng: random.Random,
                 watched: dict[str, frozenset[str]], blocked: tuple[LabelledOp, ...]
                 ) -> None:
        self.order = order
        self.rng = rng
        self.pos = 0
        self.priority: dict[int, float] = {}
        self.reason = ""
        self.checking: tuple[int, LabelledOp] | None = None   # (tid, op) just matched
        self.next_of: dict[str, list[int]] = {}                # thread -> its positions
        for i, op in enumerate(order):
            self.next_of.setdefault(op.thread, []).append(i)
        self.watched: dict[str, set[str]] = {name: set(labels)
                                             for name, labels in watched.items()}
        for op in order + blocked:
            self.watched.setdefault(op.thread, set()).add(op.label)
            self.next_of.setdefault(op.thread, [])
        self.final = {(op.thread, op.label) for op in blocked}
        self.taken: dict[str, int] = {name: 0 for name in self.next_of}

    def _thread_next(self, name: str) -> LabelledOp | None:
        idx = self.next_of.get(name, [])
        k = self.taken.get(name, 0)
        return self.order[idx[k]] if k < len(idx) else None

    def _leave(self, ex: Execution, reason: str) -> None:
        self.reason = reason
        ex.stop()

    def check_value(self, ex: Execution) -> str | None:
        """The value check of the operation matched last, once it has run."""
        if self.checking is None or not ex.trace:
            return None
        tid, want = self.checking
        for step in reversed(ex.trace):
            if step.tid == tid and step.label == want.label:
                self.checking = None
                why = mismatch(want, step)
                if why is None:
                    return None
                self.pos -= 1               # it ran, but not as the order has it
                return f"at ordered operation {self.pos + 1} ({want.describe()}): {why}"
        return None

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        why = self.check_value(ex)
        if why is not None:
            self._leave(ex, why)
        free: list[SimThread] = []
        extra: list[SimThread] = []
        held: list[SimThread] = []
        for t in enabled:
            watched = self.watched.get(t.name) if t.runs_thread else None
            if watched is None or t.label not in watched:
                free.append(t)
                continue
            if self.pos >= len(self.order):
                (held if (t.name, t.label) in self.final else free).append(t)
                continue
            due = self.order[self.pos]
            if due.thread == t.name and due.label == t.label:
                self.pos += 1
                self.taken[t.name] = self.taken.get(t.name, 0) + 1
                self.checking = (t.tid, due)
                return t
            mine = self._thread_next(t.name)
            if (mine is not None and mine.label == t.label) or (
                    mine is None and (t.name, t.label) in self.final):
                held.append(t)
            else:
                extra.append(t)
        pool = free or extra
        if not pool:
            waiting = "; ".join(f"{t.name} at {t.label}" for t in held)
            if self.pos >= len(self.order):
                self._leave(ex, f"after the whole order, only threads that must stay "
                                f"stuck could go on: {waiting}")
            due = self.order[self.pos]
            self._leave(ex, f"at ordered operation {self.pos + 1} ({due.describe()}): "
                            f"{due.thread} cannot get there; held back so as not to run "
                            f"ahead of it: {waiting}")
        return max(pool, key=self._priority)

    def _priority(self, t: SimThread) -> float:
        p = self.priority.get(t.tid)
        if p is None:
            p = self.priority[t.tid] = self.rng.random()
        return p

    def missing(self, ex: Execution) -> str:
        """Why the run ended with operations of the order still to come."""
        due = self.order[self.pos]
        for t in ex.threads:
            if t.name == due.thread:
                where = ("it finished" if t.finished else
                         f"it stopped at {t.op}" + (f" [{t.label}]" if t.label else ""))
                break
        else:
            where = "no thread of that name ran"
        end = f"the run failed ({ex.failure.kind})" if ex.failure else "the run ended"
        return (f"at ordered operation {self.pos + 1} ({due.describe()}): {end} first; "
                f"{where}")


@dataclass
class Ordered:
    """Search the schedules that follow ``order`` (see the module docstring);
    ``progress`` records, per execution, how far it got."""

    order: tuple[LabelledOp, ...] = ()
    expect: tuple[str, ...] = ()
    blocked: tuple[LabelledOp, ...] = ()
    watched: dict[str, frozenset[str]] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)
    name = "ordered"

    def search(self, job: SearchJob) -> Found:
        result = Result(self.name, 0)
        self.progress.clear()
        for index in range(job.runs):
            decider = _OrderDecider(self.order, random.Random(job.seed * 1_000_003 + index),
                                    self.watched, self.blocked)
            ex = job.runner.run(decider, trace=True)
            result.executions += 1
            reason = decider.reason or decider.check_value(ex) or ""
            if not reason and decider.pos < len(self.order):
                reason = decider.missing(ex)
            kind = ex.failure.kind if ex.failure is not None else ""
            if not reason and ex.failure is None:
                reason = "it followed the whole order, and then the run ended without a failure"
            elif not reason and self.expect and kind not in self.expect:
                reason = (f"it followed the whole order, and then failed with {kind}, "
                          f"not {' or '.join(self.expect)}")
            if not reason:
                reason = _stuck_elsewhere(ex, self.blocked)
            self.progress.append(Progress(index + 1, decider.pos, reason, kind))
            if not reason:
                result.found_at = index + 1
                return Found(result, list(ex.decisions))
        return Found(result, None)

    def furthest(self) -> Progress | None:
        """The execution that followed the order furthest (the first of equals)."""
        return max(self.progress, key=lambda p: p.matched, default=None)


def _stuck_elsewhere(ex: Execution, blocked: tuple[LabelledOp, ...]) -> str:
    """Why the threads of ``blocked`` are not stuck where it says ("" if they are): a
    thread the failure reports blocked, whose pending operation has that label."""
    stuck = {b.thread for b in ex.failure.blocked} if ex.failure is not None else set()
    threads = {t.name: t for t in ex.threads}
    for want in blocked:
        t = threads.get(want.thread)
        if t is not None and t.name in stuck and t.label == want.label:
            continue
        where = ("it never ran" if t is None else f"it waits at {t.label}"
                 if t.name in stuck else "it is not blocked")
        return (f"it followed the whole order and failed, but {want.thread} is not "
                f"stuck at {want.label}: {where}")
    return ""


def _ordered(order: tuple[LabelledOp, ...] = (), expect: tuple[str, ...] = (),
             blocked: tuple[LabelledOp, ...] = ()) -> Ordered:
    return Ordered(tuple(order), tuple(expect), tuple(blocked))


register_strategy("ordered", _ordered)
