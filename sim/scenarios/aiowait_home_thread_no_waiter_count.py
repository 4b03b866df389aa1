"""aiowait-home-thread-no-waiter-count (2018, 48657448): AIO_WAIT_WHILE in the home
thread did not count itself in ``num_waiters``, so ``aio_wait_kick`` (which kicks only
when someone waits) skipped the kick and the waiter slept with its condition false.

The main thread is the main loop and waits in its own context for a flag; a worker
sets the flag and calls ``aio_wait_kick``.
"""

from __future__ import annotations

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import start


def body(bugs: frozenset[str]) -> None:
    set_global_bugs(bugs)
    ctx = impl.qemu_init_main_loop()
    busy = sync.Atomic(True, name="busy")
    hooks.pending(lambda: not busy.load(), "the waiter sleeps although its condition "
                  "is already false (the kick was skipped)")

    def worker() -> None:
        busy.store(False, label="worker.clear_busy")
        impl.aio_wait_kick()

    w = start(worker, "worker")
    impl.AIO_WAIT_WHILE(ctx, lambda: busy.load(label="cond.load_busy"))
    w.join()


SCENARIO = Scenario(
    slug="aiowait-home-thread-no-waiter-count",
    summary="AIO_WAIT_WHILE in the home thread is not counted, so the kick is skipped",
    body=body,
    expect=("lost-wakeup",),
    checks=("no lost wakeup: a kicked waiter wakes",),
)
