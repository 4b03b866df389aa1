"""aio-wait-kick-missing-barrier (2022, 7455ff1a), TSO for the kicker, ARM for the
waiter: ``aio_wait_bh_oneshot`` runs a BH in an IOThread and waits in
``AIO_WAIT_WHILE``; the BH sets ``done`` and calls ``aio_wait_kick``, which schedules
a wake-up in the main loop only if ``num_waiters`` is non-zero.  Kicker (store done,
load num_waiters) and waiter (increment num_waiters, load done) form a
store-buffering pair: without the barriers the kicker reads 0, the waiter reads the
stale ``done``, and the main loop sleeps.
"""

from __future__ import annotations

from aioctx.impl import sync
from aioctx.impl.bugs import set_global_bugs

from aioctx import impl

from .. import hooks
from ..scenario import Scenario


def body(bugs: frozenset[str]) -> None:
    set_global_bugs(bugs)
    main = impl.qemu_init_main_loop()
    io = impl.IOThread("iothread")
    while main.aio_poll(False):                  # nothing pending: the wait will sleep
        pass
    ran = sync.Atomic(False, name="bh_ran")
    hooks.pending(lambda: ran.load(), "the BH has run, yet the main loop sleeps in "
                  "AIO_WAIT_WHILE (a kick skipped) or the IOThread with its stop BH "
                  "scheduled (a notification skipped)")

    def work(_: object) -> None:
        ran.store(True, label="work.ran")

    impl.aio_wait_bh_oneshot(io.iothread_get_aio_context(), work)
    io.join()


SCENARIO = Scenario(
    slug="aio-wait-kick-missing-barrier",
    summary="aio_wait_kick reads num_waiters before its store of the condition is "
            "visible to the waiter",
    body=body,
    memory_model="tso",
    needed_barriers=(("aio_wait_kick.mb", "tso"),
                     ("AIO_WAIT_WHILE.mb_after_rmw", "arm")),
    expect=("lost-wakeup",),
    checks=("no lost wakeup: the main loop wakes once the BH it waits for has run",),
)
