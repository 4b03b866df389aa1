"""The race catalogue as runnable impl scenarios, one module per bug slug.

Each module defines ``SCENARIO`` (a ``sim.scenario.Scenario``).  ``CATALOGUE`` maps
slugs to them in catalogue order; ``get(slug)`` raises a one-line error for an unknown
one.  A memory-ordering bug's scenario names the model that shows it
(``Scenario.memory_model``: "tso" or "arm").
"""

from __future__ import annotations

from importlib import import_module

from ..scenario import Scenario

MODULES = (                      # catalogue order (docs/catalogue.md)
    "aio_dispatching_flag",
    "aio_notifier_cleared_late",
    "notified_before_event",
    "notified_skips_set",
    "notify_accept_stolen_by_other_thread",
    "notify_me_seqcst_rmw_not_fence",
    "bh_schedule_ctx_uaf",
    "bh_schedule_missing_full_barrier",
    "bh_cancel_missing_barrier",
    "threadpool_nested_aio_poll",
    "coqueue_restart_uaf",
    "co_schedule_ctx_uaf",
    "aiowait_home_thread_no_waiter_count",
    "aio_wait_kick_missing_barrier",
    "qemuevent_reset_rmw_no_fence",
    "set_fd_handler_torn_update",
    "graph_wrlock_polls_holding_aiocontext",
    "graph_rdunlock_kick_conditional",
    "graph_rdlock_no_barrier",
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
