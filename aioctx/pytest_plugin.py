"""pytest plugin (entry point ``pytest11``): race tests that search schedules.

Mark a test and its body runs as the first controlled thread of ``aioctx.sim.explore``::

    @pytest.mark.aioctx(strategy="pct", runs=500, seed=1)
    def test_counter_is_atomic():
        counter = sync.Atomic(0, name="counter")
        ...                                  # start sync.Threads, join them, assert

or call the ``aioctx_explore`` fixture with a zero-argument program (same options).
Options: ``strategy`` (a registered name: "pct", "random", "dfs", "dpor", "hypothesis",
or one added with ``aioctx.sim.register_strategy``), ``runs``,
``seed``, ``depth`` (PCT), ``bound`` (DFS preemptions), ``max_steps``.

On a failure the test fails with the readable trace; the schedule is saved under
``--aioctx-save-dir`` (default ``.aioctx-failures``) and the message gives the command
that replays it: ``pytest NODEID --aioctx-replay FILE``.  With ``--aioctx-replay`` the
test named in the file follows that schedule instead of searching; a run that no
longer fits the schedule says where it left it.  A file that names no collected race
test (one from ``aioctx hunt``, or a test not selected) is a usage error: otherwise
the session would pass without replaying anything.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

import pytest

OPTIONS = ("strategy", "runs", "seed", "depth", "bound", "max_steps")
DEFAULTS: dict[str, Any] = {"strategy": "pct", "runs": 1000, "seed": 0, "depth": 3,
                            "bound": 2, "max_steps": 20_000}
REPLAY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aioctx", "aioctx race search")
    group.addoption("--aioctx-replay", metavar="FILE", default=None,
                    help="replay this saved schedule in the test it names")
    group.addoption("--aioctx-save-dir", metavar="DIR", default=".aioctx-failures",
                    help="where failing schedules are saved (default: .aioctx-failures)")


def pytest_configure(config: pytest.Config) -> None:
    from aioctx.sim.schedule import ScheduleError, load

    path = config.getoption("aioctx_replay")
    if path:
        try:
            config.stash[REPLAY] = load(path)
        except ScheduleError as exc:
            raise pytest.UsageError(f"--aioctx-replay: {exc}") from None
    config.addinivalue_line(
        "markers", "aioctx(strategy='pct', runs=1000, seed=0, depth=3, bound=2, "
        "max_steps=20000): run the test body under aioctx.sim.explore; on a failure "
        "print the trace and the replay command")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse a ``--aioctx-replay`` file whose test is not among the selected race tests."""
    doc = session.config.stash.get(REPLAY, None)
    if doc is None:
        return
    path = session.config.getoption("aioctx_replay")
    test = doc.get("test")
    if not isinstance(test, str):
        hint = (f"; replay it with: aioctx replay {path}" if "scenario" in doc else "")
        raise pytest.UsageError(f"--aioctx-replay: {path}: the schedule names no test "
                                f"(it was not saved by a failing race test){hint}")
    if not any(item.nodeid == test and _is_race_test(item) for item in session.items):
        raise pytest.UsageError(f"--aioctx-replay: {path}: the schedule is for {test}, "
                                "which is not among the selected aioctx race tests "
                                f"(run: pytest '{test}' --aioctx-replay {path})")


def _is_race_test(item: pytest.Item) -> bool:
    """Marked ``@pytest.mark.aioctx`` or using the ``aioctx_explore`` fixture."""
    return (item.get_closest_marker("aioctx") is not None
            or "aioctx_explore" in getattr(item, "fixturenames", ()))


def _options(where: str, given: dict[str, Any]) -> dict[str, Any]:
    unknown = [k for k in given if k not in OPTIONS]
    if unknown:
        pytest.fail(f"{where}: unknown aioctx option(s) {', '.join(unknown)}; known: "
                    f"{', '.join(OPTIONS)}", pytrace=False)
    return {**DEFAULTS, **given}


def _strategy(where: str, opts: dict[str, Any]) -> Any:
    from aioctx import hunting
    from aioctx.errors import UsageError

    try:
        return hunting.strategy(opts["strategy"], opts["depth"], opts["bound"])
    except UsageError as exc:
        pytest.fail(f"{where}: {exc}", pytrace=False)


def _replay_doc(config: pytest.Config, nodeid: str) -> dict[str, Any] | None:
    """The schedule to replay for ``nodeid``, if ``--aioctx-replay`` names this test."""
    doc = config.stash.get(REPLAY, None)
    return doc if doc is not None and doc.get("test") == nodeid else None


def run_race_test(item: pytest.Item, program: Any, given: dict[str, Any]) -> None:
    """Search (or replay) ``program`` for ``item``; fail it with the trace on a failure."""
    from aioctx import sim
    from aioctx.sim.schedule import dumps

    config = item.config
    where = item.nodeid
    opts = _options(where, given)
    doc = _replay_doc(config, item.nodeid)
    if doc is not None:
        replayed = sim.replay(program, doc, max_steps=opts["max_steps"])
        if replayed.failed:
            pytest.fail(f"replay of {config.getoption('aioctx_replay')}:\n{replayed}",
                        pytrace=False)
        if replayed.divergence:
            item.warn(pytest.PytestWarning(
                f"the replayed schedule no longer fits: {replayed.divergence}"))
        return
    result = sim.explore(program, _strategy(where, opts), runs=opts["runs"],
                         seed=opts["seed"], max_steps=opts["max_steps"])
    cx = result.counterexample
    if cx is None:
        return
    folder = config.getoption("aioctx_save_dir")
    if not os.path.isabs(folder):
        folder = os.path.join(str(config.rootpath), folder)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid) + ".json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps({**cx.schedule, "test": item.nodeid}))
    shown = os.path.relpath(path, str(config.invocation_params.dir))
    pytest.fail(f"{result.summary()}\n\n{cx}\n\nschedule saved to {shown}\n"
                f"replay it with:  pytest '{item.nodeid}' --aioctx-replay {shown}",
                pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    marker = pyfuncitem.get_closest_marker("aioctx")
    if marker is None:
        return None
    if marker.args:
        pytest.fail(f"{pyfuncitem.nodeid}: @pytest.mark.aioctx takes keyword options "
                    f"only ({', '.join(OPTIONS)})", pytrace=False)
    names = pyfuncitem._fixtureinfo.argnames
    program = functools.partial(pyfuncitem.obj, **{n: pyfuncitem.funcargs[n] for n in names})
    run_race_test(pyfuncitem, program, dict(marker.kwargs))
    return True


@pytest.fixture
def aioctx_explore(request: pytest.FixtureRequest) -> Any:
    """``aioctx_explore(program, **options)``: search ``program`` (zero arguments) and
    fail the test with the trace and the replay command if a schedule breaks it."""

    def explore(program: Any, **options: Any) -> None:
        run_race_test(request.node, program, options)

    return explore

