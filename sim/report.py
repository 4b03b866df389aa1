"""Results of an exploration and the counterexample a person reads (and replays).

``make_counterexample`` turns the decisions of a failing run into the finished article:
shrunk (optional), re-run with full tracing, re-run once more to check determinism,
and packed as a schedule document.  ``explore`` leaves that work to the first read of
``Result.counterexample`` (``Result.defer``): a caller who only asks ``result.failed``
does not pay for it, and one who reads, prints or saves the counterexample gets the
same article as if it had been made at once.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import failures as F
from .failures import Failure
from .runner import Runner, RunSpec, guarded
from .schedule import dumps, first_divergence, make_document
from .shrink import shrink
from .strategies.guided import RecordingReplay
from .trace import describe_step, format_columns, steps_of


@dataclass
class Counterexample:
    """A failing execution: what failed, the schedule that reproduces it, its trace."""

    failure: Failure
    schedule: dict[str, Any]
    trace: list[list[Any]]
    threads: list[str]
    preemptions: int
    shrunk_from: int | None = None         # preemptions before shrinking, if shrunk

    def __str__(self) -> str:
        lines = [self.failure.describe(), "",
                 f"schedule: {len(self.schedule['decisions'])} decisions, "
                 f"{self.preemptions} preemptions"
                 + (f" (shrunk from {self.shrunk_from})" if self.shrunk_from is not None
                    else ""),
                 "", format_columns(self.trace, self.threads)]
        return "\n".join(lines)

    def to_json(self) -> str:
        """The schedule document as JSON text, for a file that ``sim.replay`` reads."""
        return dumps(self.schedule)

    def _repr_html_(self) -> str:
        """Jupyter: the failure, then the trace as a table with a column per thread."""
        esc = html.escape
        head = "".join(f"<th>{esc(name)}</th>" for name in self.threads)
        rows = []
        for n, e in enumerate(self.trace):
            cells = ["<td></td>"] * len(self.threads)
            if 0 <= e[1] < len(self.threads):
                cells[e[1]] = f"<td><code>{esc(describe_step(e))}</code></td>"
            rows.append(f"<tr><td>{n}</td>{''.join(cells)}</tr>")
        return (f"<pre>{esc(self.failure.describe())}</pre>"
                f"<p>{len(self.schedule['decisions'])} decisions, {self.preemptions} "
                f"preemptions</p><table><tr><th>#</th>{head}</tr>{''.join(rows)}</table>")


@dataclass
class Result:
    """What ``explore`` found.  ``exhaustive`` is True only for a systematic search that
    covered its whole space (within ``preemption_bound`` for DFS)."""

    strategy: str
    executions: int
    seed: int | None = None
    # where the failure came: a sampled strategy's 0-based run index (the number its
    # decider is seeded with), else the execution number, counted from 1
    found_at: int | None = None
    exhaustive: bool = False
    preemption_bound: int | None = None
    pruned: int = 0                        # DFS branches past the bound
    per_level: list[int] = field(default_factory=list)
    sleep_blocked: int = 0                 # DPOR executions cut short by sleep sets
    notes: list[str] = field(default_factory=list)
    _counterexample: Counterexample | None = field(default=None, init=False)
    _make: Callable[[], Counterexample] | None = field(default=None, init=False, repr=False)

    @property
    def counterexample(self) -> Counterexample | None:
        """The failing run (None if there is none), made on first read if deferred."""
        if self._make is not None:
            self._counterexample = self._make()
            self._make = None
        return self._counterexample

    @counterexample.setter
    def counterexample(self, cx: Counterexample | None) -> None:
        self._counterexample, self._make = cx, None

    def defer(self, make: Callable[[], Counterexample]) -> None:
        """There is a failing run; ``make()`` builds its counterexample when first read."""
        self._counterexample, self._make = None, make

    @property
    def failed(self) -> bool:
        return self._make is not None or self._counterexample is not None

    def stopped_at_cap(self, max_executions: int) -> None:
        """Note that a systematic search ended at its execution cap, short of its space."""
        self.notes.append(f"stopped at its cap of {max_executions:,} executions "
                          "(max_executions) before covering its space: not exhaustive")

    def summary(self) -> str:
        """The outcome in a line, then the notes.  A failure is numbered from 1, like
        ``aioctx regress`` numbers it: a search stops once it has its failure, so that
        is the last of its ``executions`` (Hypothesis counts its shrinking runs too)."""
        if self.failed:
            assert self.counterexample is not None
            head = (f"{self.strategy}: FAILED ({self.counterexample.failure.kind}) at "
                    f"execution {self.executions}")
            return "\n".join([head] + self.notes)
        head = f"{self.strategy}: {self.executions} execution" + (
            "" if self.executions == 1 else "s")
        if self.exhaustive:
            bound = (f" up to {self.preemption_bound} preemptions"
                     if self.preemption_bound is not None else "")
            head += f", no failure: exhaustive{bound}"
            if self.pruned:
                head += f" ({self.pruned} branches beyond the bound not explored)"
        else:
            head += ", no failure found (not exhaustive)"
        return "\n".join([head] + self.notes)

    def __str__(self) -> str:
        if self.counterexample is None:
            return self.summary()
        return f"{self.summary()}\n\n{self.counterexample}"

    def _repr_html_(self) -> str:
        body = "".join(f"<p>{html.escape(line)}</p>" for line in self.summary().splitlines())
        return body + (self.counterexample._repr_html_() if self.counterexample else "")


def make_counterexample(runner: Runner, decisions: list[int],
                        do_shrink: bool = True) -> Counterexample:
    """Shrink (optionally), trace, and double-check a failing schedule."""
    shrunk_from = None
    shrunk = shrink(runner, decisions) if do_shrink else None
    if shrunk is not None:
        decisions, shrunk_from = shrunk
    recorder = RecordingReplay(decisions)
    ex = runner.run(recorder, trace=True)
    again = runner.run(RecordingReplay(decisions), trace=True)
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
                        runner.spec.engine, runner.spec.max_steps)
    return Counterexample(failure, doc, ex.trace or [], threads, recorder.preemptions,
                          shrunk_from)


def deferred_counterexample(spec: RunSpec, decisions: list[int], do_shrink: bool,
                            stall_timeout: float) -> Callable[[], Counterexample]:
    """``make_counterexample`` on a watched runner of its own, for ``Result.defer``."""
    return functools.partial(_make_guarded, spec, decisions, do_shrink, stall_timeout)


def _make_guarded(spec: RunSpec, decisions: list[int], do_shrink: bool,
                  stall_timeout: float) -> Counterexample:
    with guarded(spec, stall_timeout) as runner:
        return make_counterexample(runner, decisions, do_shrink)


def nondeterminism(spec: RunSpec, message: str) -> Counterexample:
    """A search could not re-run a prefix: the program is not a function of the
    decisions.  There is no schedule to replay, only the message."""
    failure = Failure(F.NONDETERMINISM, "re-running a recorded prefix went another way: "
                      + message)
    doc = make_document(spec.program, [], [], failure.to_json(), [], 0, spec.engine,
                        spec.max_steps)
    return Counterexample(failure, doc, [], [], 0)
