"""Run the race-regression catalogue: every check, its expectation, what it got.

A ``Check`` is one line of the table: a Promela model variant in one mode, or a sim
scenario (buggy or fixed) under one strategy, or a model paired with a scenario
(``regress_pairing``: the model's counterexample transferred onto the code, the code's
executions checked against the model), or a catalogue bug that nothing covers yet.
``plan`` builds the checks from ``aioctx.catalogue`` with a ``Budget``; ``run_check``
runs one (in this process or a worker: checks are plain data and return
plain ``Row``s) and draws the swimlane of any counterexample it caught; ``run_all``
runs them on a pool of workers and hands each row to a callback in table order.

Budgets.  A buggy variant is searched with the scenario's own budgets (PCT runs, DFS
preemption bound): a search stops at the first failure, so that costs only what
finding it costs.  A fixed variant must survive its searches; ``FULL`` gives it the
scenario's own budgets (often 10,000 PCT runs and an exhaustive DFS at 2 preemptions,
minutes each), ``QUICK`` (the default) ``QUICK_PCT_RUNS`` runs and an exhaustive DFS
at ``QUICK_DFS_BOUND`` preemption(s); pairing conformance checks get the same bound
(2 with ``FULL``).  The table says which bound each row used.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from . import catalogue
from .catalogue import ModelCheck, Uncovered
from .errors import UsageError, describe_exception
from .pictures import SUFFIXES
from .promela.errors import PromelaError
from .regress_pairing import FULL_CONFORM_BOUND, SECTION, PairCheck, describe, pair_checks

PASS, FAIL, ERROR, UNCOVERED = "pass", "FAIL", "ERROR", "not covered"
SCHEDULE_SUFFIX = ".json"            # beside a scenario's picture: its schedule
QUICK_PCT_RUNS = 1_000
QUICK_DFS_BOUND = 1
BARRIER_PCT_RUNS = 2_000


@dataclass(frozen=True)
class Budget:
    """How hard fixed variants are searched (buggy ones always get their own budget)."""

    name: str
    fixed_pct_runs: int | None          # None: the scenario's own ``pct_runs``
    fixed_dfs_bound: int | None         # None: the scenario's own ``dfs_bound``

    def describe(self) -> str:
        if self.fixed_pct_runs is None and self.fixed_dfs_bound is None:
            return ("full budgets: every scenario's own PCT runs and DFS preemption bound, "
                    "buggy and fixed")
        return (f"quick budgets: fixed variants get at most {self.fixed_pct_runs:,} PCT "
                f"runs and an exhaustive DFS up to {self.fixed_dfs_bound} preemption(s); "
                "buggy variants their scenario's own; --full for every scenario's own")


QUICK = Budget("quick", QUICK_PCT_RUNS, QUICK_DFS_BOUND)
FULL = Budget("full", None, None)


@dataclass(frozen=True)
class ScenarioCheck:
    slug: str
    buggy: bool
    strategy: str                       # "pct" or "dfs"
    pct_runs: int
    dfs_bound: int
    memory_model: str = "sc"


@dataclass(frozen=True)
class BarrierCheck:
    """Drop one barrier of a fixed scenario: it must be needed under ``model``."""

    slug: str
    label: str
    model: str                          # "tso", or "arm" (needed under ARM only)
    pct_runs: int
    dfs_bound: int


@dataclass(frozen=True)
class Check:
    """One row of the catalogue, before it runs."""

    section: str                        # "impl scenarios", "Promela models", ...
    entry: str
    variant: str
    what: str                           # strategy or mode
    expected: str
    bound: str
    names: tuple[str, ...]              # what --only matches
    job: ModelCheck | ScenarioCheck | BarrierCheck | PairCheck | Uncovered

    @property
    def key(self) -> str:
        return f"{self.entry} {self.variant} {self.what}".strip()


@dataclass
class Row:
    """One row of the catalogue, after it ran."""

    section: str
    entry: str
    variant: str
    what: str
    expected: str
    got: str
    size: str
    bound: str
    seconds: float
    status: str
    trace: str = ""                     # the readable counterexample, if one was caught
    pictures: list[str] = field(default_factory=list)
    schedule: str = ""                  # its schedule (JSON), which `aioctx replay` reads
    traceback: str = ""                 # an ERROR row's, for --debug

    @property
    def key(self) -> str:
        return f"{self.entry} {self.variant} {self.what}".strip()


def plan(budget: Budget = QUICK, only: list[str] | None = None) -> list[Check]:
    """Every check of the catalogue, or those ``only`` names: a bug slug or model name,
    optionally narrowed as ``NAME/VARIANT`` or ``NAME/VARIANT/CHECK``
    (``aio-dispatching-flag/fixed/pct``)."""
    from .sim.scenario import shows

    scenarios = catalogue.scenarios()
    checks: list[Check] = []
    for slug, sc in scenarios.items():
        for buggy, strategy, model in _scenario_runs(sc):
            must_fail = buggy and shows(model, sc.memory_model)
            pct_runs = sc.pct_runs if must_fail or budget.fixed_pct_runs is None \
                else min(sc.pct_runs, budget.fixed_pct_runs)
            bound = sc.dfs_bound if must_fail or budget.fixed_dfs_bound is None \
                else min(sc.dfs_bound, budget.fixed_dfs_bound)
            expected = f"caught ({' | '.join(sc.expect)})" if must_fail else "survives"
            text = (f"PCT depth {sc.pct_depth}, {pct_runs:,} runs, seed {sc.seed}"
                    if strategy == "pct" else f"DFS <= {bound} preemptions")
            what = strategy if sc.memory_model == "sc" else f"{strategy}-{model}"
            variant = "buggy" if buggy else "fixed"
            checks.append(Check("impl scenarios (sim)", slug, variant, what,
                                expected, text, _names(slug, variant, what),
                                ScenarioCheck(slug, buggy, strategy, pct_runs, bound, model)))
    for slug, sc in scenarios.items():
        for label, model in sc.needed_barriers:
            what = f"drop {label}"
            expected = "needed under tso" if model == "tso" else "needed under arm only"
            checks.append(Check("barrier audit (fixed code, one barrier dropped)", slug,
                                "fixed", what, expected,
                                f"PCT {BARRIER_PCT_RUNS:,} runs, then DFS <= {sc.dfs_bound}",
                                _names(slug, "fixed", what),
                                BarrierCheck(slug, label, model, BARRIER_PCT_RUNS,
                                             sc.dfs_bound)))
    models = catalogue.model_checks()
    for mc in models:
        bound = "exhaustive" + (", weakly fair" if mc.fair else "")
        checks.append(Check("Promela models", mc.model, mc.variant, mc.mode_word,
                            mc.expected_text(), bound,
                            _names(mc.model, mc.variant, mc.mode_word) + mc.slugs, mc))
    conform_bound = (budget.fixed_dfs_bound if budget.fixed_dfs_bound is not None
                     else FULL_CONFORM_BOUND)
    for pc in pair_checks(conform_bound):
        variant, expected, bound = describe(pc)
        checks.append(Check(SECTION, pc.scenario, variant, pc.what, expected, bound,
                            _names(pc.scenario, variant, pc.what) + (pc.model_stem,), pc))
    model_slugs = {s for mc in models for s in mc.slugs}
    for gap in catalogue.uncovered(list(scenarios)):
        if gap.slug in model_slugs and gap.memory_model == "SC":
            gap = dataclasses.replace(gap, reason="no impl scenario yet (Promela model only)")
        checks.append(Check("catalogue bugs without a scenario", gap.slug, "", "",
                            gap.reason, "", (gap.slug,), gap))
    if only:
        known = {n for c in checks for n in c.names}
        for name in only:
            if name not in known:
                entries = sorted({n for n in known if "/" not in n})
                raise UsageError(f"--only {name}: no such check; entries: "
                                 f"{', '.join(entries)}")
        checks = [c for c in checks if set(c.names) & set(only)]
    return checks


def _scenario_runs(sc: Any) -> list[tuple[bool, str, str]]:
    """(buggy, strategy, memory model) of each row of a scenario: buggy and fixed under
    PCT and DFS in its model; a memory-ordering bug's buggy variant also under "sc"
    (where it must survive: that shows it is a memory-ordering bug), and its fixed
    variant under each model of ``also_clean_under`` (negative controls)."""
    model = sc.memory_model
    runs = [(True, "pct", model), (True, "dfs", model)]
    if model != "sc":
        runs.append((True, "dfs", "sc"))
    runs += [(False, "pct", model), (False, "dfs", model)]
    runs += [(False, "dfs", other) for other in sc.also_clean_under]
    return runs


def _names(entry: str, variant: str, what: str) -> tuple[str, ...]:
    """What ``--only`` matches: the entry, entry/variant and entry/variant/check."""
    return (entry, f"{entry}/{variant}", f"{entry}/{variant}/{what}")


def run_check(check: Check, out_dir: str | None) -> Row:
    """Run one check; draw its counterexample into ``out_dir`` if it caught one."""
    job = check.job
    if isinstance(job, Uncovered):
        return _uncovered_row(check)
    start = time.perf_counter()
    row = Row(check.section, check.entry, check.variant, check.what, check.expected,
              "", "", check.bound, 0.0, UNCOVERED)
    try:
        if isinstance(job, ModelCheck):
            _run_model(job, row, out_dir)
        elif isinstance(job, BarrierCheck):
            _run_barrier(job, row)
        elif isinstance(job, PairCheck):
            _run_pair(job, row, out_dir)
        else:
            _run_scenario(job, row, out_dir)
    except (PromelaError, UsageError) as exc:   # a catalogue model or mapping that no
        # longer checks against the model or the code: a regression
        row.got, row.status = f"error: {describe_exception(exc)}", FAIL
    except Exception as exc:        # a bug in aioctx: not a verdict, and the run goes on
        row.got, row.status = f"internal error: {describe_exception(exc)}", ERROR
        row.traceback = traceback.format_exc()
    row.seconds = time.perf_counter() - start
    return row


def _run_model(job: ModelCheck, row: Row, out_dir: str | None) -> None:
    from . import promela

    result, system = promela.check(job.path, job.mode, fair=job.fair,
                                   defines=list(job.defines), progress=False)
    row.size = f"{result.states:,} states"
    if result.verdict == "violation":
        row.got = f"violation ({result.kind})"
        good = job.buggy and (not job.kinds or result.kind in job.kinds)
    elif result.verdict == "ok":
        row.got, good = "ok", not job.buggy
    else:
        row.got, good = f"incomplete ({result.limit} budget)", False
    row.status = PASS if good else FAIL
    cx = result.counterexample
    if cx is not None:
        row.trace = promela.format_trail(system, result)
        if out_dir is not None:
            from .swimlane import from_model
            lane = from_model(cx, system, title=f"{job.model} [{job.variant}] {job.mode_word}: "
                                        f"{result.kind}")
            row.pictures = lane.save_all(os.path.join(out_dir, picture_stem(row)))


def _run_scenario(job: ScenarioCheck, row: Row, out_dir: str | None) -> None:
    from .sim import scenarios
    from .sim.scenario import check as sim_check
    from .sim.scenario import shows

    sc = dataclasses.replace(scenarios.get(job.slug), dfs_bound=job.dfs_bound)
    # Drawn and shrunk: the buggy PCT counterexample, and any failure of a fixed
    # variant (a regression).  The buggy DFS search only has to find one.
    shrink = not (job.buggy and job.strategy == "dfs"
                  and shows(job.memory_model, sc.memory_model))
    verdict = sim_check(sc, job.buggy, job.strategy,
                        runs=job.pct_runs if job.strategy == "pct" else None, shrink=shrink,
                        memory_model=job.memory_model)
    r = verdict.result
    row.size = f"{r.executions:,} executions"
    if job.strategy == "dfs":
        row.bound += ", exhaustive" if r.exhaustive else ""
    cx = r.counterexample
    must_fail = verdict.must_fail
    if cx is None:
        row.got = "survived" if not must_fail else "not caught"
    else:
        where = "run" if job.strategy == "pct" else "execution"
        found = r.executions            # counted from 1: the search stops at its failure
        row.got = (f"caught ({cx.failure.kind}) at {where} {found}" if must_fail
                   else f"FAILED ({cx.failure.kind}) at {where} {found}")
        row.trace = str(cx)
    row.status = PASS if verdict.as_expected else FAIL
    if cx is not None and out_dir is not None:
        from .commands.outputs import write_atomically
        from .hunting import tag
        from .sim.schedule import dumps
        row.schedule = os.path.join(out_dir, picture_stem(row) + SCHEDULE_SUFFIX)
        write_atomically(row.schedule, dumps(tag(cx.schedule, job.slug, job.buggy)))
    if cx is not None and out_dir is not None and shrink:
        from .swimlane import from_sim
        lane = from_sim(cx, title=f"{job.slug} [{'buggy' if job.buggy else 'fixed'}] "
                                  f"{job.strategy}: {cx.failure.kind}")
        row.pictures = lane.save_all(os.path.join(out_dir, picture_stem(row)))


def _run_barrier(job: BarrierCheck, row: Row) -> None:
    from .sim import barriers, scenarios

    sc = scenarios.get(job.slug)
    program = sc.program(False)
    found = {b.label: b for b in barriers.barriers_executed(program, sc.max_steps,
                                                            seed=sc.seed)}
    if job.label not in found:
        row.got, row.status = f"the fixed code no longer executes {job.label}", FAIL
        return
    finding, = barriers.audit(program, [found[job.label]], max_steps=sc.max_steps,
                              bound=job.dfs_bound, pct_runs=job.pct_runs, seed=sc.seed)
    executions = sum(r.executions for _, r in finding.searched)
    row.size = f"{executions:,} executions"
    row.got = f"{finding.verdict}: {finding.evidence()}"
    row.status = PASS if finding.verdict == row.expected else FAIL
    if finding.result is not None:
        row.trace = str(finding.result.counterexample)


def _run_pair(job: PairCheck, row: Row, out_dir: str | None) -> None:
    from .regress_pairing import run_pair

    stem = os.path.join(out_dir, picture_stem(row)) if out_dir is not None else None
    outcome = run_pair(job, stem)
    row.got, row.size, row.trace = outcome.got, outcome.size, outcome.trace
    row.pictures = outcome.pictures
    row.bound += ", exhaustive" if outcome.exhaustive else ""
    row.status = PASS if outcome.good else FAIL


def picture_stem(item: Check | Row) -> str:
    """The file name, without suffix, of the swimlane of a check's counterexample."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{item.entry}-{item.variant}-{item.what}")


def picture_names(checks: list[Check]) -> list[str]:
    """Every file name the pictures (and, for scenarios, the schedules) of ``checks``
    may take in the output folder."""
    return [picture_stem(c) + suffix for c in checks if not isinstance(c.job, Uncovered)
            for suffix in SUFFIXES + ((SCHEDULE_SUFFIX,) if isinstance(c.job, ScenarioCheck)
                                      else ())]


def _uncovered_row(check: Check) -> Row:
    return Row(check.section, check.entry, "", "", check.expected, "-", "", "", 0.0,
               UNCOVERED)


def run_all(checks: list[Check], out_dir: str | None, workers: int,
            on_row: Callable[[Row], None],
            on_progress: Callable[[int, int, list[str]], None] | None = None) -> list[Row]:
    """Run ``checks`` on ``workers`` processes; ``on_row`` sees each row in table order."""
    rows: list[Row | None] = [None] * len(checks)
    emitted = 0
    done = 0
    running: dict[int, str] = {}

    def finish(i: int, row: Row) -> None:
        nonlocal emitted, done
        rows[i] = row
        done += 1
        running.pop(i, None)
        while emitted < len(rows) and rows[emitted] is not None:
            on_row(rows[emitted])
            emitted += 1

    def progress() -> None:
        if on_progress is not None:
            on_progress(done, len(checks), list(running.values())[:2])

    work = []
    for i, c in enumerate(checks):
        if isinstance(c.job, Uncovered):        # nothing to run: its row is ready
            finish(i, run_check(c, out_dir))
        else:
            work.append(i)
    if workers <= 1:
        for i in work:
            running[i] = checks[i].key
            progress()
            finish(i, run_check(checks[i], out_dir))
            progress()
        return [r for r in rows if r is not None]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: dict[Future[Row], int] = {}
        queue = list(work)
        while queue or pending:
            while queue and len(pending) < workers:
                i = queue.pop(0)
                pending[pool.submit(run_check, checks[i], out_dir)] = i
                running[i] = checks[i].key
            progress()
            finished, _ = wait(list(pending), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                finish(pending.pop(fut), fut.result())
    progress()
    return [r for r in rows if r is not None]


def summary(rows: list[Row]) -> dict[str, Any]:
    """Counts by status and the keys of the rows that do not match (``failed``) or
    that crashed (``errors``: no verdict)."""
    return {
        "checks": sum(r.status != UNCOVERED for r in rows),
        "passed": sum(r.status == PASS for r in rows),
        "failed": [r.key for r in rows if r.status == FAIL],
        "errors": [r.key for r in rows if r.status == ERROR],
        "uncovered": [r.entry for r in rows if r.status == UNCOVERED],
    }
