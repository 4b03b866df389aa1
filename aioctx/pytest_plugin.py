"""pytest plugin (entry point ``pytest11``): race tests that search schedules.

Mark a test and its body runs as the first controlled thread of ``aioctx.sim.explore``::

    @pytest.mark.aioctx(strategy="dfs", bound=2)
    def test_counter_is_not_lost():
        counter = Counter()                  # plain threading code, built in the body
        ...                                  # start threading.Threads, join, assert

or call the ``aioctx_explore`` fixture with a zero-argument program (same options).
The threads the body starts, and the locks, conditions, events, semaphores, barriers,
queues, sleeps and thread pools it builds, are the simulated ones
(``aioctx.sim.substitution``), and every line of the program's own code is a
scheduling point (``line_level=False`` turns that off for code built on
``aioctx.impl.sync``, which has its own).  Options: ``aioctx.race_settings``.

A race test in which no thread ever ran beside another under the scheduler fails (its
threads were out of aioctx's reach), unless it says ``allow_no_switch=True``.

A failing schedule is saved under the test's id (``aioctx.failure_store``) and the
message gives the command that replays it: ``pytest NODEID --aioctx-replay FILE``.
The next run replays it before searching.  With ``--aioctx-replay`` the test named in
the file follows that schedule instead of searching; a file that names no collected
race test is a usage error.  The terminal summary has a line per race test: strategy,
executions, whether the search was exhaustive and within which bound, and time.
"""

from __future__ import annotations

import functools
import os
import time
from typing import Any

import pytest

from .race_settings import (
    OPTIONS,
    OVERRIDABLE,
    PROFILE_VARIABLE,
    SettingError,
    budgets,
    environment,
    overrides,
    resolve,
)

REPLAY = pytest.StashKey[dict]()
OVERRIDES = pytest.StashKey[Any]()
OUTCOMES = pytest.StashKey[dict]()
NO_SWITCH = ("no thread ran under aioctx's scheduler: the code uses threads aioctx does "
             "not control (started outside the test body, or through _thread, "
             "multiprocessing or C code); build them in the body, or mark the test "
             "allow_no_switch=True if it has no threads to interleave")
NO_OVERLAP = ("the threads never ran side by side under aioctx's scheduler (no "
              "scheduling choice in {n} execution(s)); mark the test "
              "allow_no_switch=True if that is intended")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aioctx", "aioctx race search")
    group.addoption("--aioctx-replay", metavar="FILE", default=None,
                    help="replay this saved schedule in the test it names")
    group.addoption("--aioctx-save-dir", metavar="DIR", default=None,
                    help="where failing schedules are saved (default: .aioctx-failures)")
    group.addoption("--aioctx-keep-passing", metavar="N", type=int, default=None,
                    help="passing replays after which a saved failure is removed "
                         "(default 3)")
    group.addoption("--aioctx-profile", metavar="NAME", default=None,
                    help="budget profile for every race test: default, ci, nightly, "
                         "or one of ini aioctx_profiles")
    for name, meta, text in (("runs", "N", "runs of every race test (caps DFS/DPOR)"),
                             ("seed", "S", "seed of every race test"),
                             ("strategy", "NAME", "strategy of every race test"),
                             ("workers", "N", "worker processes for every race test")):
        group.addoption(f"--aioctx-{name}", metavar=meta, default=None,
                        type=str if name == "strategy" else int, help=text)
    for name in OVERRIDABLE + ("profile",):
        parser.addini(f"aioctx_{name}", f"aioctx race tests: {name} (overrides markers)")
    parser.addini("aioctx_profiles", "aioctx budget profiles, one per line: "
                  "'name: runs=500 bound=1'", type="linelist")
    parser.addini("aioctx_save_dir", "where failing schedules are saved")
    parser.addini("aioctx_keep_passing", "passing replays before a saved failure is removed")


def _overrides(config: pytest.Config) -> Any:
    ini = {name: config.getini(f"aioctx_{name}") for name in OVERRIDABLE}
    cli = {name: config.getoption(f"aioctx_{name}", None) for name in OVERRIDABLE}
    profile = (config.getoption("aioctx_profile") or os.environ.get(PROFILE_VARIABLE)
               or config.getini("aioctx_profile") or None)
    return overrides(profile, [("ini aioctx_{name}", ini), ("AIOCTX_{upper}", environment()),
                               ("--aioctx-{dash}", cli)],
                     list(config.getini("aioctx_profiles")))


def pytest_configure(config: pytest.Config) -> None:
    from aioctx.sim.schedule import ScheduleError, load

    path = config.getoption("aioctx_replay")
    if path:
        try:
            config.stash[REPLAY] = load(path)
        except ScheduleError as exc:
            raise pytest.UsageError(f"--aioctx-replay: {exc}") from None
    try:
        config.stash[OVERRIDES] = _overrides(config)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[OUTCOMES] = {}
    config.addinivalue_line(
        "markers", "aioctx(strategy='pct', runs=None, seed=0, depth=3, bound=2, "
        "max_steps=20000, line_level=True, engine='fiber', workers=None, "
        "allow_no_switch=False, memory_model='sc'): run the test body under "
        "aioctx.sim.explore; on a "
        "failure print the trace and the replay command")


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


def _store(config: pytest.Config) -> Any:
    from .failure_store import DEFAULT_KEEP, FailureStore

    folder = (config.getoption("aioctx_save_dir") or config.getini("aioctx_save_dir")
              or ".aioctx-failures")
    if not os.path.isabs(folder):
        folder = os.path.join(str(config.rootpath), folder)
    keep = config.getoption("aioctx_keep_passing")
    if keep is None:
        text = config.getini("aioctx_keep_passing")
        keep = int(text) if str(text).strip().isdigit() else DEFAULT_KEEP
    return FailureStore(folder, max(1, keep))


def _shown(config: pytest.Config, path: str) -> str:
    return os.path.relpath(path, str(config.invocation_params.dir))


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


def _replay_command(item: pytest.Item, shown: str) -> str:
    return f"replay it with:  pytest '{item.nodeid}' --aioctx-replay {shown}"


def _saved_first(item: pytest.Item, program: Any, opts: dict[str, Any]) -> str | None:
    """Replay the test's saved failure, if it has one: fail the test if it still fails,
    else say that it now passes (and count that towards removing it)."""
    from aioctx import sim

    store = _store(item.config)
    doc, warning = store.load(item.nodeid)
    if warning:
        item.warn(pytest.PytestWarning(warning))
    if doc is None:
        return None
    shown = _shown(item.config, store.path_for(item.nodeid))
    replayed = sim.replay(program, doc, max_steps=opts["max_steps"])
    if replayed.failed:
        item.config.stash[OUTCOMES][item.nodeid] = f"saved failure still fails ({shown})"
        pytest.fail(f"still failing: the saved schedule {shown} was replayed first and "
                    f"fails again (no search was run)\n\n{replayed}\n\n"
                    f"{_replay_command(item, shown)}", pytrace=False)
    fits = (f" (the schedule no longer fits the code: {replayed.divergence})"
            if replayed.divergence else "")
    return f"saved failure {store.passed(item.nodeid, doc)}{fits}"


def run_race_test(item: pytest.Item, program: Any, given: dict[str, Any]) -> None:
    """Search (or replay) ``program`` for ``item``; fail it with the trace on a failure."""
    from aioctx import sim

    config = item.config
    try:
        opts = resolve(item.nodeid, given, config.stash[OVERRIDES])
    except SettingError as exc:
        pytest.fail(str(exc), pytrace=False)
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
    strategy = _strategy(item.nodeid, opts)
    saved = _saved_first(item, program, opts)
    runs, cap = budgets(opts)
    workers, serial = _workers(program, opts["workers"])
    if opts["line_level"] and not getattr(strategy, "line_level_ok", True):
        pytest.fail(f"{item.nodeid}: strategy {opts['strategy']!r} cannot see races "
                    "between program lines: use dfs, pct or random, or line_level=False "
                    "for code whose sharing all goes through simulated primitives",
                    pytrace=False)
    start = time.perf_counter()
    result = sim.explore(program, strategy, runs=runs, seed=opts["seed"],
                         max_steps=opts["max_steps"], engine=opts["engine"],
                         line_level=opts["line_level"], max_executions=cap,
                         workers=workers, memory_model=opts["memory_model"])
    seconds = time.perf_counter() - start
    if result.executions > cap:
        pytest.fail(f"{item.nodeid}: strategy {opts['strategy']!r} ran "
                    f"{result.executions:,} executions with runs={cap:,}: it does not "
                    "keep to the runs budget, so it cannot be used with one", pytrace=False)
    notes = [n for n in (serial, saved) if n]
    config.stash[OUTCOMES][item.nodeid] = "; ".join([_describe(result, opts, seconds)]
                                                    + notes)
    cx = result.counterexample
    if cx is not None:
        path = _store(config).save(item.nodeid, cx.schedule)
        shown = _shown(config, path)
        pytest.fail(f"{result.summary()}\n\n{cx}\n\nschedule saved to {shown}\n"
                    f"{_replay_command(item, shown)}", pytrace=False)
    if not opts["allow_no_switch"] and result.most_choices == 0:
        config.stash[OUTCOMES][item.nodeid] += "; FAILED: no controlled thread switch"
        pytest.fail(NO_SWITCH if result.most_threads <= 1
                    else NO_OVERLAP.format(n=result.executions), pytrace=False)


def _workers(program: Any, workers: int | None) -> tuple[int | None, str | None]:
    """Worker processes receive the program pickled: one that does not pickle (a
    lambda, a local function) is searched here instead, and the summary says so."""
    if workers is None or workers < 2:
        return workers, None
    import pickle

    try:
        pickle.dumps(program)
    except Exception as exc:                 # pickle raises several kinds
        return None, (f"searched in this process, not {workers} workers: the program "
                      f"does not pickle ({type(exc).__name__})")
    return workers, None


def _describe(result: Any, opts: dict[str, Any], seconds: float) -> str:
    """The summary line of one race test: strategy, executions, search, seed, time."""
    name = opts["strategy"]
    if name == "pct":
        name += f"(depth {opts['depth']})"
    n = result.executions
    text = f"{name}, {n:,} execution{'s' if n != 1 else ''}"
    if result.failed:
        text += f", FAILED ({result.counterexample.failure.kind})"
    elif result.exhaustive:
        text += ", exhaustive" + (f" up to {result.preemption_bound} preemptions"
                                  if result.preemption_bound is not None else "")
    elif result.capped:
        bound = (f" up to {result.preemption_bound} preemptions"
                 if result.preemption_bound is not None else "")
        text += f", stopped at runs={opts['runs'] or n}: not exhaustive{bound}"
    else:
        text += ", sampled (not exhaustive)"
    text += f", seed {opts['seed']}"
    if not opts["line_level"]:
        text += ", sync operations only"
    return text + f", {seconds:.2f}s"


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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    """One line per race test that ran: what was searched, how far, how long."""
    outcomes = config.stash.get(OUTCOMES, {})
    if not outcomes:
        return
    over = config.stash[OVERRIDES]
    head = "aioctx race tests"
    if over.values:
        head += f" (profile {over.profile}; " + ", ".join(
            f"{k}={v} from {over.sources[k]}" for k, v in over.values.items()) + ")"
    terminalreporter.section(head, sep="-")
    for nodeid, text in outcomes.items():
        terminalreporter.write_line(f"{nodeid}: {text}")
