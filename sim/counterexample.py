"""Turn the decisions of a failing run into the ``Counterexample`` a person reads.

``make_counterexample`` shrinks the schedule (optionally), re-runs it with full
tracing, re-runs it once more to check that the program is a function of its
decisions, and packs the result as a schedule document.  ``explore`` hands
``Result.defer`` a ``deferred_counterexample``, so that work is done on first read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import failures as F
from .decider import Decision
from .failures import Failure
from .guided import RecordingReplay
from .result import Counterexample
from .runner import Runner, RunSpec, guarded
from .schedule import first_divergence, make_document
from .shrink import shrink
from .strategy import Found
from .trace import steps_of

#: the fewest executions the shrinker's preemption search may spend; otherwise it may
#: spend as many as the search that found the failure did (so building the
#: counterexample costs about as much as finding it, or well under a second)
MIN_SEARCH_BUDGET = 1_500


def make_counterexample(runner: Runner, decisions: list[Decision],
                        do_shrink: bool = True, search_budget: int = MIN_SEARCH_BUDGET,
                        fewest_known: bool = False,
                        stall: Failure | None = None) -> Counterexample:
    """Shrink (optionally), trace, and double-check a failing schedule.
    ``search_budget`` caps the shrinker's search for fewer preemptions (executions);
    ``fewest_known``: the failing run already has as few preemptions as any failure.
    ``stall``: the failing run stalled (``Runner.stalls``); it is not shrunk (every
    try could stall for a whole timeout) and is re-run only up to its stall's step, so
    the report comes within the stall timeout of the search and no other OS thread is
    left blocked."""
    shrunk_from = None
    shrunk = shrink(runner, decisions, search_budget=search_budget,
                    fewest_known=fewest_known) if do_shrink and stall is None else None
    if shrunk is not None:
        decisions, shrunk_from = shrunk
    recorder = RecordingReplay(decisions)
    ex = runner.run(recorder, trace=True, stop_at=stall)
    again = runner.run(RecordingReplay(decisions), trace=True, stop_at=stall)
    failure = ex.failure
    steps = steps_of(ex.trace or [])
    diverged = first_divergence(steps, steps_of(again.trace or []))
    if failure is None:
        failure = Failure(F.NONDETERMINISM, "the failing schedule passes when re-run: "
                          "the program depends on something the simulation does not "
                          "control (wall clock, unseeded randomness, set order, real I/O)")
    elif diverged is not None or (again.failure is None
                                  or again.failure.signature != failure.signature):
        failure = Failure(F.NONDETERMINISM,
                          "the same schedule gave a different execution: "
                          + (diverged or "same steps, different failure"),
                          detail=failure.describe())
    threads = [t.name for t in ex.threads]
    doc = make_document(runner.spec.program, list(ex.decisions), threads,
                        failure.to_json(), steps, recorder.preemptions,
                        runner.spec.engine, runner.spec.max_steps, runner.spec.line_level,
                        runner.spec.memory_model)
    return Counterexample(failure, doc, ex.trace or [], threads, recorder.preemptions,
                          shrunk_from)


def deferred_counterexample(spec: RunSpec, found: Found, do_shrink: bool,
                            stall_timeout: float, stall: Failure | None = None
                            ) -> Callable[[], Counterexample]:
    """``make_counterexample`` of a search's failing run on a watched runner of its own,
    for ``Result.defer``: the shrinker may spend as many executions as the search.
    ``stall``: the stall that failing run ended with, if the search's runner saw it."""
    assert found.failing is not None
    budget = max(MIN_SEARCH_BUDGET, found.result.executions)
    return functools.partial(_make_guarded, spec, found.failing, do_shrink, stall_timeout,
                             budget, found.fewest_preemptions, stall)


def _make_guarded(spec: RunSpec, decisions: list[Decision], do_shrink: bool,
                  stall_timeout: float, budget: int, fewest_known: bool,
                  stall: Failure | None) -> Counterexample:
    with guarded(spec, stall_timeout) as runner:
        return make_counterexample(runner, decisions, do_shrink, budget, fewest_known,
                                   stall)


def nondeterminism(spec: RunSpec, message: str) -> Counterexample:
    """A search could not re-run a prefix: the program is not a function of the
    decisions.  There is no schedule to replay, only the message."""
    failure = Failure(F.NONDETERMINISM, "re-running a recorded prefix went another way: "
                      + message)
    doc = make_document(spec.program, [], [], failure.to_json(), [], 0, spec.engine,
                        spec.max_steps, spec.line_level, spec.memory_model)
    return Counterexample(failure, doc, [], [], 0)
