"""``explore`` and ``replay``: the public entry points of the simulation.

``explore(program, strategy, runs, seed)`` runs ``program`` as the first controlled
thread under a strategy (an object, or a name in the registry of ``sim.strategy``)
until a failure or the end of its budget (or, for DFS and DPOR, of its search space),
and returns a ``Result`` whose ``counterexample`` is shrunk, traced, checked for
determinism and replayable; that work is done the first time the counterexample is
read (``result.failed`` is known at once).  With ``workers`` or ``executor``,
strategies that can split their work (sampled runs, DFS subtrees) send it to a
``concurrent.futures`` executor; the outcome is the same as a serial run with the same
seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from . import schedule as S
from .counterexample import deferred_counterexample, nondeterminism
from .failures import NondeterministicProgram
from .guided import RecordingReplay
from .memory import check_memory_model
from .parallel import default_executor
from .result import ReplayResult, Result
from .runner import Runner, RunSpec, guarded
from .strategy import SearchJob, Strategy, as_strategy
from .trace import steps_of

DEFAULT_STRATEGY = "pct"


def explore(program: Callable[[], None], strategy: Strategy | str | None = None,
            runs: int = 1000, seed: int = 0, *, max_steps: int = 20_000,
            engine: str | None = None, workers: int | None = None,
            executor: Executor | None = None, shrink: bool = True,
            line_level: bool = False, stall_timeout: float = 5.0,
            max_executions: int = 1_000_000,
            on_execution: Callable[[int], None] | None = None,
            memory_model: str = "sc",
            drop_fences: frozenset[str] = frozenset()) -> Result:
    """Search the schedules of ``program`` for a failure.

    ``strategy`` is a strategy object (``sim.PCT(3)``) or a registered name
    (``"pct"``, built with its defaults); the default is PCT of depth 3.
    ``runs`` is the number of sampled runs (random walk, PCT, Hypothesis examples);
    DFS and DPOR run until their space is exhausted or ``max_executions``.
    ``on_execution(n)`` is called after each execution this process runs for the
    search (n counts them), for a progress display.
    ``engine`` is "fiber" (default) or "thread".  ``line_level``: a scheduling point
    before every line of the program's own code (``sim.linemode``), for code that
    shares plain Python objects.
    ``memory_model`` is "sc" (sequential consistency, the default), "tso" (x86-TSO
    store buffers) or "arm" (an ARM-style model): see ``sim.memory``.  Under a weak
    model every buffered store's flush is a choice the strategy explores too.
    ``drop_fences``: labels of barriers to leave out under a weak model (a fence with
    that label is not executed, a read-modify-write with it is relaxed), for the
    barrier audit (``sim.barriers``); under "sc" barriers order nothing anyway.
    """
    check_memory_model(memory_model)
    chosen = as_strategy(strategy if strategy is not None else DEFAULT_STRATEGY)
    if line_level and not getattr(chosen, "line_level_ok", True):
        raise ValueError(f"strategy {chosen.name!r} cannot see races between program "
                         "lines (they touch no object it knows): use dfs, pct or random "
                         "with line-level mode, or turn line-level mode off for code whose "
                         "sharing all goes through simulated primitives")
    if engine is None:
        engine = "fiber"
    spec = RunSpec(program, engine, max_steps, line_level, memory_model,
                   frozenset(drop_fences))
    own_executor = None
    if executor is None and workers is not None and workers > 1:
        executor = own_executor = default_executor(workers)
    try:
        # One watched runner for all this process runs of the search (with an
        # executor: the calibration run and DFS's root level).
        with guarded(spec, stall_timeout) as runner:
            runner.on_run = on_execution
            found = chosen.search(SearchJob(runner, runs, seed, max_executions, executor,
                                            stall_timeout))
            found.result.most_threads = runner.most_threads
            found.result.most_choices = runner.most_decisions
            stall = (runner.stalls.get(tuple(found.failing))
                     if found.failing is not None else None)
            _note_unjoined(found.result, runner)
    except NondeterministicProgram as exc:
        bound = getattr(chosen, "preemption_bound", None)
        result = Result(chosen.name if bound is None
                        else f"{chosen.name}(preemption bound {bound})", 0,
                        preemption_bound=bound)
        result.counterexample = nondeterminism(spec, str(exc))
        return result
    finally:
        if own_executor is not None:
            own_executor.shutdown(wait=True, cancel_futures=True)
    result = found.result
    result.seed = seed
    if found.failing is not None:
        result.defer(deferred_counterexample(spec, found, shrink, stall_timeout, stall))
    return result


def _note_unjoined(result: Result, runner: Runner) -> None:
    """Say so when the program returned while threads it started still ran: its checks
    did not wait for their work (counted over the executions of this process)."""
    if runner.outlived_runs:
        names = ", ".join(repr(n) for n in runner.outlived)
        result.notes.append(
            f"in {runner.outlived_runs:,} of {runner.executions:,} executions the program "
            f"returned while thread(s) {names} still ran (never joined): its checks "
            "did not wait for their work")


def replay(program: Callable[[], None], schedule: dict[str, Any] | str | os.PathLike[str],
           *, engine: str | None = None, max_steps: int | None = None,
           stall_timeout: float = 5.0, memory_model: str | None = None) -> ReplayResult:
    """Run ``program`` along a schedule document; report where it no longer fits.
    Watched like ``explore``: a replay that stalls (a real lock) ends with a report.
    The memory model is the document's unless ``memory_model`` says otherwise."""
    doc = S.load(schedule)
    model = check_memory_model(memory_model or S.memory_model_of(doc))
    spec = RunSpec(program, engine or doc.get("engine", "fiber"),
                   max_steps or int(doc.get("max_steps", 20_000)),
                   doc.get("line_level") is True, model)
    with guarded(spec, stall_timeout) as runner:
        recorder = RecordingReplay(list(doc["decisions"]))
        ex = runner.run(recorder, trace=True)
    steps = steps_of(ex.trace or [])
    divergence = recorder.inner.divergence
    expected = S.steps_in(doc)
    if expected:
        divergence = S.first_divergence(expected, steps) or divergence
    threads = [t.name for t in ex.threads]
    doc_out = S.make_document(program, list(ex.decisions), threads,
                              ex.failure.to_json() if ex.failure else None, steps,
                              recorder.preemptions, spec.engine, spec.max_steps,
                              spec.line_level, model)
    return ReplayResult(ex.failure, doc_out, ex.trace or [], threads, divergence)
