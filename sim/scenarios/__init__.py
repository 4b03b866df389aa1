"""The race catalogue as runnable impl scenarios, one module per bug slug.

Each module defines ``SCENARIO`` (a ``sim.scenario.Scenario``).  ``CATALOGUE`` maps
slugs to them in catalogue order; ``get(slug)`` raises a one-line error for an unknown
one.  The coroutine / thread-pool / graph-lock entries of the catalogue arrive with that
layer of impl.
"""

from __future__ import annotations

from importlib import import_module

from ..scenario import Scenario

MODULES = (
    "aio_dispatching_flag",
    "aio_notifier_cleared_late",
    "notified_before_event",
    "notified_skips_set",
    "notify_accept_stolen_by_other_thread",
    "bh_schedule_ctx_uaf",
    "set_fd_handler_torn_update",
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
