"""explore(workers=N) and any concurrent.futures executor give the serial answer."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import pytest

from aioctx import sim

from . import programs as P


@pytest.mark.timeout(120)
@pytest.mark.parametrize("strategy", [sim.PCT(3), sim.RandomWalk()], ids=lambda s: s.name)
def test_process_pool_finds_the_same_first_failure(strategy) -> None:
    program = functools.partial(P.lost_wakeup, False)
    serial = sim.explore(program, strategy, runs=2000, seed=4, shrink=False)
    parallel = sim.explore(program, strategy, runs=2000, seed=4, workers=2, shrink=False)
    assert serial.failed and parallel.failed
    assert parallel.found_at == serial.found_at
    assert parallel.counterexample.schedule == serial.counterexample.schedule


@pytest.mark.timeout(120)
def test_dfs_subtrees_in_parallel_cover_the_same_space() -> None:
    program = functools.partial(P.three_way, True)
    serial = sim.explore(program, sim.DFS(2))
    parallel = sim.explore(program, sim.DFS(2), workers=2)
    assert serial.exhaustive and parallel.exhaustive
    assert parallel.executions == serial.executions
    assert parallel.per_level == serial.per_level
    buggy = sim.explore(functools.partial(P.three_way, False), sim.DFS(2), workers=2)
    assert buggy.failed


def test_any_executor_is_accepted() -> None:
    program = functools.partial(P.lost_update, True)
    with ThreadPoolExecutor(2) as pool:
        result = sim.explore(program, sim.PCT(3), runs=600, seed=2, executor=pool)
    assert not result.failed and result.executions == 600


@pytest.mark.timeout(180)
def test_dask_local_cluster_executor() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()
        fixed = sim.explore(functools.partial(P.lost_update, True), sim.PCT(3),
                            runs=400, seed=2, executor=executor)
        buggy = sim.explore(functools.partial(P.lost_update, False), sim.PCT(3),
                            runs=400, seed=2, executor=executor, shrink=False)
    serial = sim.explore(functools.partial(P.lost_update, False), sim.PCT(3), runs=400,
                         seed=2, shrink=False)
    assert not fixed.failed and fixed.executions == 400
    assert buggy.failed and buggy.found_at == serial.found_at
