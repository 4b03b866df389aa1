"""One simulated execution: the controlled threads, the scheduling points, virtual time.

An ``Execution`` is the backend that impl.sync consults (``sync.using_backend``): every
primitive built while it is installed is the simulated subclass from
``sim.primitives``/``sim.devices``, bound to this execution.  Each operation calls
``step``/``step_wait`` before it takes effect; that is a *choice moment* where the
decider picks which enabled thread performs its next operation.  Exactly one controlled
thread runs at a time, so the outcome is a pure function of the decisions.

Blocking operations register a wait object (``ready(thread)``, optional
``timeout(thread)``) and a virtual deadline.  When no thread is enabled the clock jumps
to the earliest deadline; with no deadline left, the execution fails as a deadlock, or
as a lost wakeup when a ``pending`` check registered by the program says work remains.
"""

from __future__ import annotations

import _thread
import sys
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from aioctx.impl import sync

from . import failures as F
from .decider import Decider, Decision
from .failures import Abort, Blocked, Failure, Stall
from .location import caller_location, display, infrastructure, show_location
from .trace import Step

OP_BEGIN = "begin"
OP_EXIT = "exit"
# Fairness, so that a search cannot spin one thread until the step budget while the
# thread that would end the spin starves: ``cpu_relax`` marks a busy-wait, and the
# spinner gives way to any other enabled thread; a thread that has run FAIR_QUANTUM
# scheduling points in a row while others could run gives way to the one that has
# waited longest (a busy loop without cpu_relax, ended as an OS time slice would).
OP_YIELD = "cpu_relax"
FAIR_QUANTUM = 256
RELAX_NS = 1_000          # virtual time one cpu_relax takes
# Who ended a controlled thread (``SimThread.ended_by``): its own body, or the watchdog,
# which gives up on a thread the OS-thread engine cannot interrupt.
ENDED_ITSELF = "itself"
ENDED_BY_WATCHDOG = "watchdog"


class ThreadHook(Protocol):
    """Runs around each controlled thread's body, on that thread (line-level mode)."""

    def enter(self, ex: Execution) -> None: ...

    def leave(self) -> None: ...


def _last_ran(t: SimThread) -> int:
    return t.last_ran


class SimThread:
    """A controlled thread: its pending operation, what blocks it, and its slots."""

    __slots__ = ("tid", "decision", "name", "target", "args", "handle", "op", "obj",
                 "label", "write", "wait", "deadline", "timed_out", "finished", "daemon",
                 "locals", "last_ran", "fiber", "os_thread", "baton", "ended_by")
    runs_thread = True                  # as a decider's option: it runs this thread

    def __init__(self, tid: int, name: str, target: Callable[..., Any],
                 args: tuple[Any, ...], handle: object | None) -> None:
        self.tid = tid
        self.decision: Decision = tid   # what a schedule records when it is chosen
        self.name = name
        self.target = target
        self.args = args
        self.handle = handle            # the sync.Thread object, if any (join target)
        self.op = OP_BEGIN
        self.obj: Any = None
        self.label: str | None = None
        self.write = False
        self.wait: Any = None           # object with ready(thread) -> bool, or None
        self.deadline: int | None = None
        self.timed_out = False
        self.finished = False
        self.daemon = False             # the execution may end while it still runs
        self.locals: dict[Any, Any] = {}
        self.last_ran = 0               # nsteps when it last gave the CPU up
        self.fiber: Any = None
        self.os_thread: Any = None
        self.baton: Any = None
        #: who ended it, first entry wins (ENDED_ITSELF, ENDED_BY_WATCHDOG): the thread
        #: and the watchdog's thread both append, and an append cannot be cut in half by
        #: an asynchronous exception, where a test-and-set could
        self.ended_by: list[str] = []

    def __repr__(self) -> str:
        return f"<SimThread {self.tid} {self.name}>"


class Execution:
    """Runs one program under one decider; the impl.sync backend while it runs.

    ``classes`` maps each impl.sync class to its simulated substitute (the runner hands
    in ``sim.devices.SIM_CLASSES``: the runtime does not know the primitives); a
    ``thread_hook`` runs around every controlled thread's body."""

    def __init__(self, program: Callable[[], None], decider: Decider, engine: Any,
                 classes: dict[type, type], max_steps: int = 20_000, trace: bool = False,
                 thread_hook: ThreadHook | None = None) -> None:
        self.classes = classes
        self.program = program
        self.decider = decider
        self.every_step = decider.every_step
        self.engine = engine
        self.max_steps = max_steps
        self.thread_hook = thread_hook
        self.threads: list[SimThread] = []
        self.live: list[SimThread] = []
        self.current: SimThread | None = None
        self.nsteps = 0
        self.slice_start = 0          # nsteps when the running thread got the CPU
        self.decisions: list[Decision] = []
        self.trace: list[Step] | None = [] if trace else None
        self.clock_ns = 0
        self.globals: dict[str, Any] = {}
        self.counters: dict[str, int] = {}
        self.nobjects = 0
        self.vfds: dict[int, Any] = {}
        self.pending_checks: list[tuple[Callable[[], Any], str]] = []
        self.invariants: list[tuple[Callable[[], Any], str]] = []
        self.failure: Failure | None = None
        self.interrupted: KeyboardInterrupt | None = None    # raised again by ``run``
        self.halted = False           # aborting, or inspecting state outside a step
        self.aborting = False
        #: threads (not daemons) still running when the main thread's program returned:
        #: never joined, so the program's own checks ran before they ended
        self.outlived_main: list[str] = []
        #: a stall this traced run is known to reach at that failure's step (a re-run
        #: of a stalled schedule): the run ends with it there, rather than stall again
        self.stop_at: Failure | None = None
        #: OS threads the watchdog gave up on (``ThreadEngine.abandon``): if one wakes,
        #: its next scheduling point raises Abort, even once the execution is over
        self.abandoned: list[int] = []

    # ------------------------------------------------------------------ backend

    def fence(self, kind: str, label: str | None) -> None:
        """Under sequential consistency a fence orders nothing: traced, not a choice."""
        if self.trace is not None and not self.halted:
            self.note(self.current, "fence." + kind, None, label, None)

    def cpu_relax(self, label: str | None) -> None:
        """A busy-wait iteration: a scheduling point where the spinner gives way, and
        RELAX_NS of virtual time, so loops that spin until a deadline end."""
        self.step(OP_YIELD, None, label, False)
        if not self.halted:
            self.clock_ns += RELAX_NS
            for t in self.live:
                if t.deadline is not None and not t.timed_out and t.deadline <= self.clock_ns:
                    self._expire(t)

    def thread_locals(self) -> dict[Any, Any]:
        cur = self.current
        if cur is None:
            raise F.SimulationMisuse("thread-locals read outside a controlled thread")
        return cur.locals

    def global_state(self) -> dict[str, Any]:
        return self.globals

    # ------------------------------------------------------------------ objects

    def object_name(self, kind: str, name: str | None) -> str:
        """A stable display name: the given one, or kind#n in creation order."""
        if name:
            return name
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return f"{kind}#{n}"

    def new_vfd(self, notifier: Any) -> int:
        fd = 1000 + len(self.vfds)
        self.vfds[fd] = notifier
        return fd

    def spawn(self, target: Callable[..., Any], args: tuple[Any, ...], name: str | None,
              handle: object | None) -> SimThread:
        tid = len(self.threads)
        t = SimThread(tid, name or f"thread{tid}", target, args, handle)
        self.threads.append(t)
        self.live.append(t)
        return t

    # ------------------------------------------------------------------ stepping

    def step(self, op: str, obj: Any, label: str | None, write: bool = True) -> None:
        """A scheduling point before ``op`` on ``obj``; returns when it may take effect."""
        if self.halted:
            if self.aborting or self.abandoned and _thread.get_ident() in self.abandoned:
                raise Abort
            return
        cur = self.current
        cur.op = op
        cur.obj = obj
        cur.label = label
        cur.write = write
        self._schedule(cur)
        if self.trace is not None:
            self._record(cur, op, obj, label)
            self._stop_if_known_stall()

    def step_wait(self, op: str, obj: Any, label: str | None, wait: Any,
                  deadline: int | None = None, write: bool = True) -> bool:
        """Like ``step``, but the thread is not enabled until ``wait.ready(thread)``
        (or the virtual ``deadline`` passes).  Returns False if it timed out."""
        if self.halted:
            if self.aborting or self.abandoned and _thread.get_ident() in self.abandoned:
                raise Abort
            return True
        cur = self.current
        cur.op = op
        cur.obj = obj
        cur.label = label
        cur.write = write
        cur.wait = wait
        cur.deadline = deadline
        cur.timed_out = False
        if deadline is not None and deadline <= self.clock_ns:
            self._expire(cur)             # a zero timeout: over unless ready at once
        try:
            self._schedule(cur)
        finally:
            cur.wait = None
            cur.deadline = None
        if self.trace is not None:
            self._record(cur, op, obj, label)
            self._stop_if_known_stall()
        return not cur.timed_out

    def _stop_if_known_stall(self) -> None:
        """End a re-run of a stalled schedule at the step after which it stalled."""
        stall = self.stop_at
        if stall is not None and self.nsteps == stall.step:
            self._fail(stall)

    def value(self, v: Any) -> None:
        """Attach the value read or written to the step just recorded."""
        if self.trace and not self.halted:
            self.trace[-1].value = v

    def _enabled(self) -> list[SimThread]:
        return [t for t in self.live if t.wait is None or t.wait.ready(t)]

    def _schedule(self, cur: SimThread) -> None:
        n = self.nsteps = self.nsteps + 1
        if n > self.max_steps:
            self._fail(Failure(F.STEP_BUDGET,
                               f"no end after {self.max_steps} scheduling points "
                               "(livelock, or raise max_steps)",
                               step=self.max_steps, blocked=self._blocked_report()))
        live = self.live
        if len(live) == 1 and cur.wait is None and not self.every_step:
            return                        # alone and runnable: nothing to decide
        # ``_enabled()``, inlined: this is the hottest line of the simulation
        enabled = [t for t in live if t.wait is None or t.wait.ready(t)]
        if not enabled:
            enabled = self._quiesce()
        elif len(enabled) > 1:
            if cur.op is OP_YIELD:
                enabled.remove(cur)       # a spinning thread gives way
            elif n - self.slice_start > FAIR_QUANTUM and cur in enabled:
                enabled.remove(cur)       # a hog gives way to whoever waited longest
                enabled = [min(enabled, key=_last_ran)]
        nxt = self._choose(enabled, cur)
        if nxt is not cur:
            self.current = nxt
            self.slice_start = cur.last_ran = n
            self.engine.switch(self, cur, nxt)
            if self.aborting:
                raise Abort

    def _choose(self, enabled: list[SimThread], cur: SimThread) -> SimThread:
        """Who runs next: the decider picks when there is a choice (recorded as a
        decision) or when it wants to see every step; otherwise the only one."""
        if len(enabled) > 1:
            nxt = self.decider.choose(self, enabled, cur)
            self.decisions.append(nxt.decision)
            return nxt
        if self.every_step:
            return self.decider.choose(self, enabled, cur)
        return enabled[0]

    def _quiesce(self) -> list[SimThread]:
        """Nobody can run: advance virtual time, or report why the program is stuck."""
        while True:
            waiting = [t for t in self.live if t.deadline is not None and not t.timed_out]
            if not waiting:
                break
            self.clock_ns = max(self.clock_ns, min(t.deadline for t in waiting))
            for t in waiting:
                if t.deadline <= self.clock_ns:
                    self._expire(t)
            enabled = self._enabled()
            if enabled:
                return enabled
        blocked = self._blocked_report()
        outstanding = self._check(self.pending_checks)
        if outstanding is not None:
            self._fail(Failure(F.LOST_WAKEUP,
                               f"every thread is blocked while work is pending: {outstanding}",
                               step=self.nsteps, blocked=blocked))
        self._fail(Failure(F.DEADLOCK, "every thread is blocked and no timer is pending",
                           step=self.nsteps, blocked=blocked))
        raise AssertionError("unreachable")

    @staticmethod
    def _expire(t: SimThread) -> None:
        t.timed_out = True
        expire = getattr(t.wait, "timeout", None)
        if expire is not None:
            expire(t)

    def _check(self, checks: list[tuple[Callable[[], Any], str]]) -> str | None:
        """Run program checks without scheduling; the first that fires names itself."""
        halted, self.halted = self.halted, True
        try:
            for check, what in checks:
                if check():
                    return what
            return None
        finally:
            self.halted = halted

    def stop(self) -> None:
        """End the execution early without a failure (DPOR's sleep-set cut)."""
        self.halted = self.aborting = True
        raise Abort

    def _fail(self, failure: Failure) -> None:
        """Record the first failure and unwind the calling controlled thread."""
        if self.failure is None:
            self.failure = failure
        self.halted = self.aborting = True
        raise Abort

    # ------------------------------------------------------------------ threads

    def thread_body(self, t: SimThread) -> SimThread | None:
        """What each engine runs for a controlled thread; returns who runs next."""
        hook = self.thread_hook
        try:
            if hook is not None:
                hook.enter(self)
            if self.trace is not None:
                self._record(t, OP_BEGIN, None, None)
                code = getattr(getattr(t.target, "func", t.target), "__code__", None)
                if code is not None:
                    self.trace[-1].where = (code.co_filename, code.co_firstlineno)
                self._stop_if_known_stall()
            t.target(*t.args)
            self.thread_end(t)
        except Abort:
            pass
        except Stall as exc:
            if not self.aborting:
                self._record_failure(t, F.STALL, exc)
        except KeyboardInterrupt as exc:     # the user's Ctrl-C: not the program's failure
            self.interrupted = exc
            self.halted = self.aborting = True
        except BaseException as exc:         # the program's own failure, any kind
            if not self.aborting:
                self._record_failure(t, F.EXCEPTION, exc)
        finally:
            if hook is not None:
                hook.leave()
        t.ended_by.append(ENDED_ITSELF)
        if t.ended_by[0] is not ENDED_ITSELF:
            return None                   # given up on while it was only slow: not ours
        t.finished = True
        t.op = OP_EXIT
        self.live.remove(t)
        if self.aborting:
            return None
        if t.tid == 0:
            self.outlived_main = [o.name for o in self.live if not o.daemon]
        if self.trace is not None:
            self.note(t, OP_EXIT, None, None, None)
            self.trace[-1].where = ("", 0)
        self.decider.exited(self, t)
        for other in self.live:
            if not other.daemon:
                break
        else:
            return None                   # only daemons left: the program is over
        try:
            self.nsteps += 1
            nxt = self._choose(self._enabled() or self._quiesce(), t)
        except Abort:
            return None
        self.current = nxt
        self.slice_start = t.last_ran = self.nsteps
        return nxt

    def thread_end(self, t: SimThread) -> None:
        """``t``'s code returned (a memory model may still have work to do here)."""

    def _record_failure(self, t: SimThread, kind: str, exc: BaseException) -> None:
        tb = exc.__traceback__
        where: tuple[str, int] = ("?", 0)
        while tb is not None:
            if not infrastructure(tb.tb_frame.f_code.co_filename):
                where = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
            tb = tb.tb_next
        detail = ""
        if kind == F.STALL:
            message = str(exc)
        else:
            message = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if self.trace is not None:        # a reporting run: worth the formatting
                detail = "".join(traceback.format_exception(exc)[-6:])
        self.failure = Failure(kind, message, thread=t.name, where=show_location(where),
                               detail=detail, step=self.nsteps,
                               blocked=self._blocked_report())
        self.halted = self.aborting = True

    def _blocked_report(self) -> tuple[Blocked, ...]:
        out = []
        for t in self.live:
            if t.wait is None:
                continue
            what = f"{t.op} on {display(t.obj)}"
            if t.label:
                what += f" [{t.label}]"
            frame = sys._getframe(1) if t is self.current else self.engine.frame_of(t)
            out.append(Blocked(t.name, what, show_location(caller_location(frame))))
        return tuple(out)

    # ------------------------------------------------------------------ trace

    def _record(self, t: SimThread | None, op: str, obj: Any, label: str | None) -> None:
        self.trace.append(Step(self.nsteps, t.tid if t is not None else -1, op,
                               display(obj), label, None,
                               caller_location(sys._getframe(1))))

    def note(self, t: SimThread | None, op: str, obj: Any, label: str | None,
             value: Any) -> None:
        """Trace an operation that is not a scheduling point (fence, clock read)."""
        self._record(t, op, obj, label)
        self.trace[-1].value = value

    # ------------------------------------------------------------------ driving

    def run(self) -> Failure | None:
        """Run the program to the end (or the first failure); return the failure."""
        main = self.spawn(self.program, (), "main", None)
        with sync.using_backend(self):
            try:
                self.engine.run(self, main)
            finally:
                if self.live:
                    self.halted = self.aborting = True
                    self.engine.abort(self)
            self.aborting = False
            self.halted = True            # from now on its objects can be inspected freely
            if self.interrupted is not None:
                raise self.interrupted
            if self.failure is None:
                broken = self._check(self.invariants)
                if broken is not None:
                    self.failure = Failure(F.INVARIANT, f"invariant violated: {broken}",
                                           step=self.nsteps)
        return self.failure
