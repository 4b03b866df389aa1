"""The race catalogue as runnable impl scenarios, one module per bug slug.

Each module defines ``SCENARIO`` (a ``sim.scenario.Scenario``).  ``CATALOGUE`` maps
slugs to them in catalogue order; ``get(slug)`` raises a one-line error for an unknown
one.  The TSO/ARM entries of the catalogue need the weak-memory simulation and have no
scenario yet.
"""

from __future__ import annotations

from importlib import import_module

from ..scenario import Scenario

MODULES = (                      # catalogue order (docs/catalogue.md), SC entries
    "aio_dispatching_flag",
    "aio_notifier_cleared_late",
    "notified_before_event",
    "notified_skips_set",
    "notify_accept_stolen_by_other_thread",
    "bh_schedule_ctx_uaf",
    "threadpool_nested_aio_poll",
    "coqueue_restart_uaf",
    "co_schedule_ctx_uaf",
    "aiowait_home_thread_no_waiter_count",
    "set_fd_handler_torn_update",
    "graph_wrlock_polls_holding_aiocontext",
    "graph_rdunlock_kick_conditional",
)

CATALOGUE: dict[str, Scenario] = {}
for _name in MODULES:
    _scenario = import_module(f"{__name__}.{_name}").SCENARIO
    CATALOGUE[_scenario.slug] = _scenario


def get(slug: str) -> Scenario:
    try:
        return CATALOGUE[slug]
    except KeyError:
        raise KeyError(f"no scenario {slug!r}; known: {', '.join(CATALOGUE)}") from None
