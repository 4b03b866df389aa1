"""Pieces the AioContext scenarios share: work that completes in a worker thread and is
delivered by a BH, the home thread's loop, and the pending-work check.

``Completions`` stands in for the thread pool's completion path (util/thread-pool.c):
a worker marks a request DONE and schedules the pool's completion BH; the BH, run by
whichever thread dispatches the context, re-schedules itself before each callback (as
the 2014 fix made it) and delivers the DONE requests, kicking the context afterwards
(``aio_wait_kick``'s job) so a thread polling for that request re-checks.  Whoever
waits for all results sleeps on a mutex/condition pair, so a lost wakeup shows up as
every thread blocked with a request done but not delivered.
"""

from __future__ import annotations

from collections.abc import Callable

from aioctx.impl import sync
from aioctx.impl.bottom_half import bh_chain_has_runnable

from aioctx import impl

from .. import hooks

DONE = 1


class Completions:
    def __init__(self, ctx: impl.AioContext, n: int, name: str = "req") -> None:
        self.ctx = ctx
        self.state = [sync.Atomic(0, name=f"{name}{i}.state") for i in range(n)]
        self.delivered = [False] * n            # written by the dispatching thread only
        self.lock = sync.Mutex(name=f"{name}.lock")
        self.cond = sync.Cond(name=f"{name}.cond")
        self.count = 0                          # under lock
        self.bh = ctx.aio_bh_new(self._completion_bh, name="thread_pool_completion_bh")
        hooks.pending(self.outstanding, "a request completed but was never delivered "
                      "(its completion BH is scheduled and nobody runs it)")

    def complete(self, i: int) -> None:
        """The worker: the request is done; kick the completion BH."""
        self.state[i].store(DONE, sync.RELEASE, label="worker_thread.state_done")
        impl.qemu_bh_schedule(self.bh)

    def _completion_bh(self, opaque: object) -> None:
        for i, state in enumerate(self.state):
            if self.delivered[i] or state.load(sync.ACQUIRE,
                                               label="completion_bh.load_state") != DONE:
                continue
            self.delivered[i] = True
            impl.qemu_bh_schedule(self.bh)      # re-schedule before the callback (2014)
            self.lock.lock("completion_cb.lock")
            self.count += 1
            self.lock.unlock("completion_cb.unlock")
            self.cond.broadcast("completion_cb.broadcast")
            self.ctx.aio_notify()               # kick pollers waiting for this request

    def is_delivered(self, i: int) -> bool:
        return self.delivered[i]

    def wait_all(self) -> None:
        """Sleep until every request has been delivered."""
        self.lock.lock("wait_all.lock")
        while self.count < len(self.state):
            self.cond.wait(self.lock, "wait_all.wait")
        self.lock.unlock("wait_all.unlock")

    def outstanding(self) -> bool:
        done = any(s.load() == DONE and not self.delivered[i]
                   for i, s in enumerate(self.state))
        return done or bh_chain_has_runnable(self.ctx.bh_list.load())


def start(target: Callable[..., object], name: str, *args: object) -> sync.Thread:
    """A started ``sync.Thread`` running ``target(*args)``."""
    t = sync.Thread(target, args, name=name)
    t.start()
    return t


def _noop(opaque: object) -> None:
    """The kick BH: its only job is to be pending, so no poller goes to sleep."""


class Pollers:
    """Event-loop threads of a scenario: daemons under the simulation (the execution
    ends with the race decided, see ``sim.daemon``); outside it (stress testing, other
    tools) ``finish`` stops them, so the program ends as a program should."""

    def __init__(self, ctx: impl.AioContext) -> None:
        self.ctx = ctx
        self.stopped = False          # plain: read without a scheduling point
        self.threads: list[sync.Thread] = []

    def start(self, step: Callable[[], object], name: str,
              until: Callable[[], bool] = lambda: False, home: bool = False) -> None:
        """Run ``step()`` in a new thread until stopped or ``until()``; with ``home``
        the thread first makes the context its current one (it is its home thread)."""
        def loop() -> None:
            if home:
                impl.qemu_set_current_aio_context(self.ctx)
            while not self.stopped and not until():
                step()
        t = start(loop, name)
        hooks.daemon(t)
        self.threads.append(t)

    def finish(self) -> None:
        if hooks.in_simulation():
            return
        self.stopped = True
        for t in self.threads:
            while t.is_alive():
                self.ctx.aio_bh_schedule_oneshot(_noop, name="stop_kick")
                sync.cpu_relax("finish.kick")
            t.join()


def stop_pollers(ctx: impl.AioContext, stop: sync.Atomic, threads: list[sync.Thread],
                 kicks: int = 16) -> None:
    """Tell polling threads to stop and kick the context until each has left, for a
    scenario whose check needs the loops to have settled (not daemons).

    A kick is a oneshot BH (as ``iothread_stop`` uses): a poller that has not yet
    computed its timeout sees it pending and does not sleep, one already asleep is
    notified.  Two threads polling one context can still consume each other's wakeup,
    so it is repeated; a poller asleep after ``kicks`` kicks has lost them, which the
    pending check reports."""
    stop.store(True, label="main.stop")
    hooks.pending(lambda: any(t.is_alive() for t in threads),
                  "a poller sleeps through the request to stop (its wakeups were lost)")
    for t in threads:
        for _ in range(kicks):
            if not t.is_alive():
                break
            ctx.aio_bh_schedule_oneshot(_noop, name="stop_kick")
            sync.cpu_relax("main.kick")
        t.join()
