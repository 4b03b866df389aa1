"""graph-rdunlock-kick-conditional: the writer keeps ``has_writer`` at 0 while it polls
for readers to leave, so a reader that kicks only when ``has_writer`` is set skips the
kick, and the writer sleeps with no reader left.

An IOThread holds a parked graph reader (``graph_reader``); the main loop takes the
write lock (waiting for the reader) while a third thread wakes the reader, which
unlocks.
"""

from __future__ import annotations

from aioctx.impl.graph_lock import reader_count

from aioctx import impl

from .. import hooks
from ..scenario import Scenario
from .common import start
from .graph_reader import ParkedReader


def body(bugs: frozenset[str]) -> None:
    r = ParkedReader(bugs)
    hooks.pending(lambda: r.left.load() and reader_count() == 0,
                  "the writer sleeps although no reader holds the graph lock")
    waker = start(lambda: impl.aio_co_wake(r.co), "waker")
    impl.bdrv_graph_wrlock()
    impl.bdrv_graph_wrunlock()
    waker.join()
    r.io.join()


SCENARIO = Scenario(
    slug="graph-rdunlock-kick-conditional",
    summary="a leaving graph-lock reader does not kick the writer, who polls with "
            "has_writer at 0",
    body=body,
    expect=("lost-wakeup",),
    checks=("graph-lock exclusion and reader-count conservation",
            "no lost wakeup: the writer gets in"),
)
