"""Dynamic partial-order reduction with persistent (backtrack) sets and sleep sets
(Flanagan and Godefroid 2005), run statelessly: every execution replays a prefix.

Two operations conflict when they touch a common simulated object and at least one
writes it (an Atomic load or a poll reads; every other operation writes).  Thread start
and exit are modelled as writes of the thread's handle, which the child's first step
and a ``join`` read, so they carry happens-before.  At each state, for every live thread
p, the latest earlier step that conflicts with p's next operation and does not happen
before p marks a race: p (or, if p could not run there, every enabled thread) is added
to the backtrack set of the state before that step.  Sleep sets skip orders already
covered; an execution whose every enabled thread sleeps is cut short.

Under a weak memory model each thread's store buffer is an object and each flush of a
buffered store a process of its own (``sim.weak.weak_access``): a store writes only its
thread's buffer, a load reads its word and its own buffer, a flush writes the buffer
and the word (so it conflicts with every load of that word), and whatever drains
writes the buffer and every word it flushes.  Processes are keyed by their options'
``decision`` (a thread number, or a flush such as "f1").

Independence is only as good as the objects: state shared through plain Python
variables is invisible here (use DFS, or line-level mode with DFS, for such code), and
virtual-time timeouts are treated as ordinary blocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..decider import Decider, Decision, default_choice
from ..execution import OP_BEGIN
from ..result import Result
from ..strategy import Found, SearchJob, register_strategy
from ..weak import WeakExecution, weak_access

if TYPE_CHECKING:
    from ..execution import Execution, SimThread

Access = tuple[tuple[int, ...], bool]        # (serials of the objects touched, writes?)
Clock = dict[Decision, int]

NO_ACCESS: Access = ((), False)


def access_of(t: SimThread) -> Access:
    """The objects ``t``'s next operation touches."""
    if t.op == OP_BEGIN:
        return ((t.handle.oid,), False) if t.handle is not None else NO_ACCESS
    obj = t.obj
    if obj is None:
        return NO_ACCESS
    if isinstance(obj, tuple):
        return (tuple(o.oid for o in obj), t.write)
    return ((obj.oid,), t.write)


def option_access(ex: Execution, option: Any) -> Access:
    """What ``option`` touches next, with the store buffers of a weak memory model."""
    base = access_of(option) if option.runs_thread else NO_ACCESS
    if isinstance(ex, WeakExecution):
        return weak_access(ex, option, base)
    return base


def dependent(a: Access, b: Access) -> bool:
    if not (a[1] or b[1]):
        return False
    for o in a[0]:
        if o in b[0]:
            return True
    return False


class _Node:
    """One state on the current path."""

    __slots__ = ("enabled", "accesses", "sleep", "backtrack", "done", "chosen")

    def __init__(self, enabled: list[Decision], accesses: dict[Decision, Access],
                 sleep: dict[Decision, Access]) -> None:
        self.enabled = enabled
        self.accesses = accesses
        self.sleep = sleep
        self.backtrack: list[Decision] = []
        self.done: list[Decision] = []
        self.chosen: Decision = -1

    def add_backtrack(self, p: Decision) -> None:
        if p not in self.backtrack:
            self.backtrack.append(p)

    def child_sleep(self) -> dict[Decision, Access]:
        """Sleep set after taking ``chosen``: sleepers and explored siblings that are
        independent of it."""
        mine = self.accesses[self.chosen]
        out = {}
        for tid, acc in list(self.sleep.items()) + [(d, self.accesses[d]) for d in self.done]:
            if tid != self.chosen and not dependent(acc, mine):
                out[tid] = acc
        return out


class _DporDecider(Decider):
    every_step = True
    every_flush = True

    def __init__(self, path: list[_Node]) -> None:
        self.path = path
        self.replay = len(path)
        self.k = 0
        self.clocks: dict[Decision, Clock] = {}
        self.events: list[tuple[Decision, Access, Clock, int]] = []  # who, access, clock, node
        self.by_object: dict[int, list[int]] = {}                # serial -> event indices
        self.writes: dict[int, Clock] = {}
        self.reads: dict[int, Clock] = {}
        self.sleep_blocked = False

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        k = self.k
        self.k = k + 1
        if k < self.replay:
            node = self.path[k]
        else:
            accesses = {t.decision: option_access(ex, t) for t in ex.live}
            for o in enabled:
                if not o.runs_thread:
                    accesses[o.decision] = option_access(ex, o)
            sleep = self.path[-1].child_sleep() if self.path else {}
            node = _Node([t.decision for t in enabled], accesses, sleep)
            self._races(node)
            awake = [t for t in enabled if t.decision not in sleep]
            if not awake:
                self.sleep_blocked = True
                ex.stop()
            first = default_choice(awake, cur)
            node.chosen = first.decision
            node.backtrack.append(first.decision)
            node.done.append(first.decision)
            self.path.append(node)
        chosen = next(t for t in enabled if t.decision == node.chosen)
        self._execute(chosen.decision, node.accesses[chosen.decision], k)
        return chosen

    def exited(self, ex: Execution, thread: SimThread) -> None:
        if thread.handle is not None:
            self._execute(thread.decision, ((thread.handle.oid,), True), -1)

    def _races(self, node: _Node) -> None:
        for p, acc in node.accesses.items():
            if not acc[0]:
                continue
            mine = self.clocks.get(p, {})
            latest = -1
            for o in acc[0]:
                for i in reversed(self.by_object.get(o, ())):
                    if i <= latest:
                        break
                    tid, other, clock, _ = self.events[i]
                    if tid != p and dependent(acc, other) and clock[tid] > mine.get(tid, 0):
                        latest = i
                        break
            if latest < 0:
                continue
            at = self.events[latest][3]
            if at < 0:
                continue
            pre = self.path[at]
            if p in pre.enabled:
                pre.add_backtrack(p)
            else:
                for q in pre.enabled:
                    pre.add_backtrack(q)

    def _execute(self, tid: Decision, acc: Access, node: int) -> None:
        clock = self.clocks.setdefault(tid, {})
        clock[tid] = clock.get(tid, 0) + 1
        objects, write = acc
        for o in objects:
            _join(clock, self.writes.get(o))
            if write:
                _join(clock, self.reads.get(o))
        snapshot = dict(clock)
        for o in objects:
            if write:
                self.writes[o] = snapshot
                self.reads.pop(o, None)
            else:
                _join(self.reads.setdefault(o, {}), snapshot)
            self.by_object.setdefault(o, []).append(len(self.events))
        self.events.append((tid, acc, snapshot, node))


def _join(into: Clock, other: Clock | None) -> None:
    if other:
        for t, c in other.items():
            if into.get(t, 0) < c:
                into[t] = c


@dataclass(frozen=True)
class DPOR:
    """Explore one execution per Mazurkiewicz trace (up to the object-level conflicts)."""

    name = "dpor"
    # line-level steps touch no object it knows, so it would call every order of them
    # equivalent and miss their races: ``explore`` refuses the combination
    line_level_ok = False

    def search(self, job: SearchJob) -> Found:
        result = Result("dpor", 0)
        path: list[_Node] = []
        while result.executions < job.max_executions:
            decider = _DporDecider(path)
            ex = job.runner.run(decider)
            result.executions += 1
            if decider.sleep_blocked:
                result.sleep_blocked += 1
            if ex.failure is not None:
                result.found_at = result.executions
                return Found(result, list(ex.decisions))
            while path:
                node = path[-1]
                options = [t for t in node.backtrack
                           if t not in node.done and t not in node.sleep]
                if options:
                    node.chosen = options[0]
                    node.done.append(options[0])
                    break
                path.pop()
            if not path:
                result.exhaustive = True
                return Found(result, None)
        result.stopped_at_cap(job.max_executions)
        return Found(result, None)


register_strategy("dpor", DPOR)
