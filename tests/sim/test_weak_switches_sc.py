"""The six weak-memory bug switches change nothing a sequentially consistent machine
can see: with the switch on, an exhaustive bounded DFS of the bug's scenario under
plain interleavings finds no failure (issue 17, item 0).  Each switch puts back the
old code's stores to a field of its own (``Atomic.store_bits``) and its missing
barriers only; whether it then fails under its memory model is tested with the
weak-memory scenarios.

The two BH switches used to clear the whole flags word with a plain load and store;
this search, on the same scenario, found each of those failing under SC (a lost
completion, and PENDING erased while the BH was linked), at two preemptions."""

from __future__ import annotations

import importlib

import pytest

from aioctx import sim

MODULES = [
    "bh_schedule_missing_full_barrier",
    "bh_cancel_missing_barrier",
    "aio_wait_kick_missing_barrier",
    "graph_rdlock_no_barrier",
    "notify_me_seqcst_rmw_not_fence",
    "qemuevent_reset_rmw_no_fence",
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("module", MODULES)
def test_switch_survives_exhaustive_sc_dfs(module: str) -> None:
    scenario = importlib.import_module(f"aioctx.sim.scenarios.{module}").SCENARIO
    result = sim.explore(scenario.program(True), sim.DFS(preemption_bound=2), seed=1,
                         max_steps=scenario.max_steps)
    assert not result.failed, result
    assert result.exhaustive and result.executions > 1
