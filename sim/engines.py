"""How a controlled thread is carried: a greenlet fiber, or an OS thread with a baton.

Both engines implement the same four operations for ``Execution``: ``run`` (start the
first thread, come back when the execution is over), ``switch`` (hand the CPU from one
controlled thread to another), ``abort`` (unwind every thread still alive), and
``frame_of`` (where a suspended thread stands, for reports).  Which thread runs is
decided entirely by the execution, so the same decisions give the same trace on both.

Fibers: all controlled threads share the caller's OS thread; a switch is one greenlet
switch.  A finished fiber returns the next thread to the driver greenlet (its parent),
which enters it; that keeps dead fibers from piling up on each other's stacks.

OS threads: each controlled thread is an OS thread (started with ``_thread``) that
runs only while it holds its baton (a lock); switching releases the next thread's
baton and waits on one's own.  Slower, but a thread stuck in real, uncontrolled
blocking code leaves the driver free to report it (see ``sim.watchdog``).
"""

from __future__ import annotations

import _thread
import sys
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from aioctx.impl import sync
from greenlet import GreenletExit, greenlet

from .execution import ENDED_BY_WATCHDOG, ENDED_ITSELF
from .failures import STALL, Abort, Failure
from .location import caller_location, show_location

if TYPE_CHECKING:
    from .execution import Execution, SimThread


class FiberEngine:
    """Controlled threads as greenlets on the caller's OS thread (the default).

    Creating a greenlet costs about ten times a switch, so fibers are pooled: a fiber
    whose controlled thread ended goes back to the pool and carries the next thread
    that needs one, in this execution or a later one.  ``close`` ends the pooled
    fibers; an engine is meant to live as long as one exploration.
    """

    name = "fiber"

    def __init__(self) -> None:
        self.driver: greenlet | None = None
        self.driver_ident: int | None = None
        self.pool: list[greenlet] = []

    def _fiber_main(self, job: tuple[Execution, SimThread]) -> None:
        driver_switch = self.driver.switch
        while True:
            ex, t = job
            nxt = ex.thread_body(t)
            job = driver_switch(t, nxt)

    def _take(self) -> greenlet:
        if self.pool:
            return self.pool.pop()
        return greenlet(self._fiber_main, parent=self.driver)

    def carrier(self, ex: Execution) -> int | None:
        """The OS thread running controlled code now (the watchdog's target): the
        driver's, which runs every fiber."""
        return self.driver_ident

    def run(self, ex: Execution, first: SimThread) -> None:
        current = greenlet.getcurrent()
        if self.driver is not current:
            self.close()
            self.driver = current
            self.driver_ident = _thread.get_ident()
        ex.current = first
        nxt: SimThread | None = first
        while nxt is not None:
            g = nxt.fiber
            if g is None:
                g = nxt.fiber = self._take()
                done, nxt = g.switch((ex, nxt))
            else:
                self.resuming(nxt)
                done, nxt = g.switch()
            self._release(done)

    def resuming(self, t: SimThread) -> None:
        """Called before the driver resumes a suspended fiber (line-level mode's
        engine restores the fiber's tracing depth here)."""

    def _release(self, t: SimThread) -> None:
        """``t`` ended and its fiber is parked in the driver switch: pool it."""
        self.pool.append(t.fiber)
        t.fiber = None

    def switch(self, ex: Execution, cur: SimThread, nxt: SimThread) -> None:
        g = nxt.fiber
        if g is None:
            g = nxt.fiber = self._take()
            g.switch((ex, nxt))
        else:
            g.switch()

    def abort(self, ex: Execution) -> None:
        for t in list(ex.live):
            g = t.fiber
            if g is not None and g.dead:
                # an exception (a Ctrl-C) ended the fiber in the engine's own code, its
                # thread still live: nothing to unwind, and no fiber to pool
                t.fiber = None
            elif g is not None:
                self.resuming(t)
                done, _ = g.throw(Abort)
                self._release(done)

    def close(self) -> None:
        """End the pooled fibers (each is parked in its loop)."""
        pool, self.pool = self.pool, []
        for g in pool:
            g.throw(GreenletExit)

    def frame_of(self, t: SimThread) -> FrameType | None:
        g = t.fiber
        return g.gr_frame if g is not None else None


class OSThread:
    """An OS thread started with ``_thread`` rather than ``threading``: inside an
    execution ``threading``'s names are the simulated ones (``sim.substitution``), and
    the engine's own threads must stay real.

    Made in two moves, ``OSThread()`` then ``start``, so that the controlled thread can
    hold it before the OS thread exists (see ``ThreadEngine._resume``).  ``ident`` is
    stored by the new thread itself, inside the ``try`` that releases ``done``: it is
    what the watchdog aims its ``Stall`` at, and one that landed before that ``try``
    (the starter used to store it as soon as ``start_new_thread`` returned) ended the
    thread without releasing ``done``.  Until it is stored the watchdog waits."""

    __slots__ = ("ident", "done")

    def __init__(self) -> None:
        self.ident: int | None = None
        self.done = _thread.allocate_lock()
        self.done.acquire()

    def start(self, body: Callable[..., None], *args: object) -> None:
        _thread.start_new_thread(self._main, (body, args))

    def _main(self, body: Callable[..., None], args: tuple[object, ...]) -> None:
        try:
            self.ident = _thread.get_ident()
            body(*args)
        finally:
            self.done.release()

    def is_alive(self) -> bool:
        return self.done.locked()

    def join(self) -> None:
        self.done.acquire()
        self.done.release()


class ThreadEngine:
    """Controlled threads as OS threads passing a baton (one runs at a time)."""

    name = "thread"

    def __init__(self) -> None:
        self.driver_baton = _thread.allocate_lock()
        self.handoff: SimThread | None = None
        #: idents of the OS threads given up on (``abandon``), still blocked
        self.abandoned: list[int] = []

    def run(self, ex: Execution, first: SimThread) -> None:
        self.driver_baton.acquire()
        ex.current = first
        nxt: SimThread | None = first
        while nxt is not None:
            self._resume(ex, nxt)
            self.driver_baton.acquire()
            nxt = self.handoff
            self.handoff = None
        self.driver_baton.release()

    def carrier(self, ex: Execution) -> int | None:
        """The OS thread running controlled code now (the watchdog's target), or None
        when there is none to interrupt: between threads, a thread whose OS thread has
        not reached its body yet, one given up on.  The driver itself only waits on
        batons: a ``Stall`` sent to it would escape ``run`` (it is not a thread's
        failure), so the watchdog waits instead."""
        t = ex.current
        os_thread = t.os_thread if t is not None else None
        return os_thread.ident if os_thread is not None else None

    def _body(self, ex: Execution, t: SimThread) -> None:
        try:
            with sync.using_backend(ex):
                self.handoff = ex.thread_body(t)
        finally:
            # a thread given up on (``abandon``) that wakes later ends quietly: the
            # driver it would hand back to has moved on, maybe to another execution
            if t.ended_by[:1] == [ENDED_ITSELF]:
                self.driver_baton.release()

    def _resume(self, ex: Execution, t: SimThread) -> None:
        """Let ``t`` run: release its baton, or start its OS thread the first time.

        The baton and the OSThread are stored on ``t`` before the OS thread starts.  On
        a loaded machine the new thread may run, and switch back to the thread that
        started it, before the starter runs another line: a thread still without an
        OSThread then would be started a second time, its program run twice, and the
        first carrier left parked on a baton nobody releases (abort's join hung)."""
        if t.os_thread is None:
            t.baton = _thread.allocate_lock()
            t.baton.acquire()
            t.os_thread = OSThread()
            t.os_thread.start(self._body, ex, t)
        else:
            t.baton.release()

    def switch(self, ex: Execution, cur: SimThread, nxt: SimThread) -> None:
        self._resume(ex, nxt)
        cur.baton.acquire()

    def abort(self, ex: Execution) -> None:
        self.driver_baton.acquire()
        for t in list(ex.live):
            if t.os_thread is not None and not t.ended_by and t.os_thread.is_alive():
                ex.current = t        # the one to interrupt if it does not unwind
                t.baton.release()
                self.driver_baton.acquire()
        self.driver_baton.release()
        for t in ex.threads:
            if t.os_thread is not None:
                t.os_thread.join()
                t.os_thread = None

    def close(self) -> None:
        """Nothing outlives an execution here: every OS thread was joined."""

    def abandon(self, ex: Execution, message: str) -> None:
        """Called by the watchdog when the running controlled thread did not take the
        ``Stall`` within the grace (blocked in C code, or not given the CPU): fail the
        execution, give up on that OS thread (the failure names it, ``abandoned`` lists
        it) and wake the driver so the report gets out.

        The thread may only have been slow.  Whichever comes first, its own end or this,
        owns the end (``SimThread.ended_by``): a thread that is ending is left to end;
        one given up on that wakes later gets ``Abort`` at its next scheduling point,
        even after the execution is over, and ends without touching it."""
        t = ex.current
        if t is None or t.os_thread is None:
            return
        t.ended_by.append(ENDED_BY_WATCHDOG)
        if t.ended_by[0] is not ENDED_BY_WATCHDOG:
            return
        ident = t.os_thread.ident
        if ex.failure is None:
            ex.failure = Failure(STALL, message, thread=t.name,
                                 where=show_location(caller_location(self.frame_of(t))),
                                 step=ex.nsteps,
                                 detail=f"its OS thread {ident} could not be interrupted "
                                        "(blocked in C code) and is left to itself: if "
                                        "it wakes, it ends at its next scheduling point")
        ex.halted = ex.aborting = True
        ex.live.remove(t)
        if ident is not None:
            ex.abandoned.append(ident)
            self.abandoned.append(ident)
        t.os_thread = None
        self.handoff = None
        self.driver_baton.release()

    def frame_of(self, t: SimThread) -> FrameType | None:
        os_thread = t.os_thread
        if os_thread is None or os_thread.ident is None:
            return None
        return sys._current_frames().get(os_thread.ident)


ENGINES = {"fiber": FiberEngine, "thread": ThreadEngine}


def make_engine(name: str) -> FiberEngine | ThreadEngine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}") from None
