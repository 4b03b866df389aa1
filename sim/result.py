"""What a search and a replay give back: ``Result``, ``Counterexample``, ``ReplayResult``.

Plain result types and their text/HTML forms, nothing that runs a program: the code
that builds a counterexample (shrink, traced re-run, determinism check) is
``sim.counterexample``, and ``explore`` hands ``Result.defer`` a function that builds
it on first read, so a caller who only asks ``result.failed`` does not pay for it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .failures import Failure
from .schedule import dumps
from .trace import Step, format_columns


@dataclass
class Counterexample:
    """A failing execution: what failed, the schedule that reproduces it, its trace."""

    failure: Failure
    schedule: dict[str, Any]
    trace: list[Step]
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
        for n, step in enumerate(self.trace):
            cells = ["<td></td>"] * len(self.threads)
            if 0 <= step.tid < len(self.threads):
                cells[step.tid] = f"<td><code>{esc(step.describe())}</code></td>"
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
    capped: bool = False                   # a systematic search stopped at its cap
    # controlled threads of the busiest execution this process ran, and the most
    # scheduling choices (more than one option) one execution made: 1 and 0 mean no
    # thread ever ran beside another under the scheduler
    most_threads: int = 0
    most_choices: int = 0
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
        self.capped = True
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


class ReplayResult:
    """What ``replay`` saw: the failure (if any), the trace, and any divergence."""

    def __init__(self, failure: Failure | None, schedule: dict[str, Any],
                 trace: list[Step], threads: list[str], divergence: str | None) -> None:
        self.failure = failure
        self.schedule = schedule
        self.trace = trace
        self.threads = threads
        self.divergence = divergence

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def __str__(self) -> str:
        lines = []
        if self.divergence:
            lines += [f"diverged: {self.divergence}", ""]
        lines.append(self.failure.describe() if self.failure else "replay: no failure")
        lines += ["", format_columns(self.trace, self.threads)]
        return "\n".join(lines)
