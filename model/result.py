"""What a search reports: a verdict with statistics, and a readable counterexample.

A counterexample is a prefix of steps from an initial state and, for a liveness error,
a cycle that repeats forever.  Each step names the process, the statement, where it is
written and which variables it changed, so it can be read without the model open.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .system import STUTTER, State, TransitionSystem

#: verdicts
OK = "ok"
VIOLATION = "violation"
INCOMPLETE = "incomplete"

#: error kinds
ASSERTION = "assertion"
INVARIANT = "invariant"
INVALID_END = "invalid end state"
ACCEPTANCE = "acceptance cycle"
NON_PROGRESS = "non-progress cycle"
CLAIM = "claim"


@dataclass(frozen=True)
class Step:
    """One transition of a counterexample."""

    pid: int
    process: str
    label: str
    location: str
    at: str
    changes: dict[str, tuple[Any, Any]]     # variable -> (before, after)
    state: State                            # the state after the step
    note: str = ""                          # e.g. "assertion violated: ..."

    def describe(self) -> str:
        """One line: process, statement, location, changed variables."""
        where = f"{self.location} [{self.at}]" if self.at else self.location
        text = f"{self.process:<12} {self.label:<34} {where}"
        if self.changes:
            text += "   " + ", ".join(f"{k}: {_short(a)} -> {_short(b)}"
                                      for k, (a, b) in self.changes.items())
        if self.note:
            text += f"   <== {self.note}"
        return text


@dataclass(frozen=True)
class Counterexample:
    """A path to an error: ``prefix`` from ``initial``, then ``cycle`` forever (liveness).

    An empty cycle on a liveness error means the run ends in a state where nothing can
    move and is extended by repeating that state (SPIN's stutter rule).
    """

    kind: str
    message: str
    initial: State
    initial_vars: dict[str, Any]
    prefix: list[Step]
    cycle: list[Step] = field(default_factory=list)
    liveness: bool = False

    @property
    def states(self) -> list[State]:
        """Every state along the path, the initial one first."""
        return [self.initial] + [s.state for s in self.prefix] + [s.state for s in self.cycle]

    @property
    def steps(self) -> list[Step]:
        return self.prefix + self.cycle

    def __len__(self) -> int:
        return len(self.prefix) + len(self.cycle)

    def __str__(self) -> str:
        lines = [f"{self.kind}: {self.message}",
                 "  initial: " + ", ".join(f"{k}={_short(v)}"
                                           for k, v in self.initial_vars.items())]
        for i, st in enumerate(self.prefix, 1):
            lines.append(f"  {i:>4}  {st.describe()}")
        if self.liveness:
            if self.cycle:
                lines.append("  ---- cycle: the steps below repeat forever ----")
                for i, st in enumerate(self.cycle, len(self.prefix) + 1):
                    lines.append(f"  {i:>4}  {st.describe()}")
            else:
                lines.append("  ---- no process can move: the last state repeats forever ----")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (values that JSON cannot hold become their repr)."""
        def step(st: Step) -> dict[str, Any]:
            return {"pid": st.pid, "process": st.process, "label": st.label,
                    "location": st.location, "at": st.at, "note": st.note,
                    "changes": {k: [_plain(a), _plain(b)] for k, (a, b) in st.changes.items()}}
        return {"kind": self.kind, "message": self.message, "liveness": self.liveness,
                "initial": {k: _plain(v) for k, v in self.initial_vars.items()},
                "prefix": [step(st) for st in self.prefix],
                "cycle": [step(st) for st in self.cycle]}

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for i, st in enumerate(self.steps, 1):
            style = ' style="background:#fff4d6"' if i > len(self.prefix) else ""
            changes = "<br>".join(f"{esc(k)}: {esc(_short(a))} &rarr; {esc(_short(b))}"
                                  for k, (a, b) in st.changes.items())
            note = f' <b style="color:#b00">{esc(st.note)}</b>' if st.note else ""
            rows.append(f"<tr{style}><td>{i}</td><td>{esc(st.process)}</td>"
                        f"<td><code>{esc(st.label)}</code>{note}</td>"
                        f"<td>{esc(st.location)} {esc(st.at)}</td><td>{changes}</td></tr>")
        cycle = ""
        if self.liveness:
            cycle = ("<p>Shaded rows form a cycle that repeats forever.</p>" if self.cycle
                     else "<p>No process can move: the last state repeats forever.</p>")
        init = ", ".join(f"{esc(k)}={esc(_short(v))}" for k, v in self.initial_vars.items())
        return (f"<p><b>{esc(self.kind)}</b>: {esc(self.message)}</p>"
                f"<p>initial: {init}</p>{cycle}"
                "<table><tr><th>#</th><th>process</th><th>step</th><th>where</th>"
                f"<th>changes</th></tr>{''.join(rows)}</table>")


@dataclass
class Result:
    """The outcome of a search.

    ``verdict`` is ``"ok"`` only for a complete search that found nothing; a search
    stopped by a budget reports ``"incomplete"`` with ``limit`` saying which one.
    """

    model: str
    mode: str
    verdict: str = OK
    kind: str | None = None                 # error kind when verdict == "violation"
    message: str = ""
    counterexample: Counterexample | None = None
    #: when truncated: "states", "depth", "time", "memory", "interrupted" or "stopped"
    #: (a search of a swarm stopped because another one found an error)
    limit: str | None = None
    states: int = 0                         # states stored
    transitions: int = 0                    # transitions explored
    max_depth: int = 0
    seconds: float = 0.0                    # wall clock
    cpu_seconds: float = 0.0                # CPU time of this process (a shared machine)
    peak_memory: int = 0                    # bytes the search needed (see Monitor.close)
    fair: bool = False
    search: str = "dfs"
    note: str = ""                          # e.g. why another mode was run
    storage: str = "exact"                  # "exact", "hash-compact" or "bitstate"
    store: Any = None                       # a lossy store's StoreReport (store.py)
    seed: int = 0                           # the hash seed of a lossy store
    swarm: Any = None                       # a swarm's SwarmReport (swarm.py)

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    @property
    def violated(self) -> bool:
        return self.verdict == VIOLATION

    @property
    def rate(self) -> float:
        """Transitions per second (wall clock)."""
        return self.transitions / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the result, counterexample included."""
        return {"model": self.model, "mode": self.mode, "search": self.search,
                "fair": self.fair, "note": self.note, "verdict": self.verdict,
                "kind": self.kind,
                "message": self.message, "limit": self.limit, "states": self.states,
                "transitions": self.transitions, "max_depth": self.max_depth,
                "seconds": self.seconds, "cpu_seconds": self.cpu_seconds,
                "peak_memory": self.peak_memory, "storage": self.storage,
                "store": self.store.as_dict() if self.store is not None else None,
                "swarm": self.swarm.as_dict() if self.swarm is not None else None,
                "counterexample": (self.counterexample.as_dict()
                                   if self.counterexample is not None else None)}

    def summary(self) -> str:
        what = {OK: "ok", VIOLATION: f"VIOLATION ({self.kind})",
                INCOMPLETE: f"INCOMPLETE ({_LIMITS.get(self.limit, self.limit)})"
                }[self.verdict]
        fair = ", weakly fair" if self.fair else ""
        storage = "" if self.storage == "exact" else f", {self.storage}"
        note = f" [{self.note}]" if self.note else ""
        text = (f"{self.model}: {self.mode} ({self.search}{fair}{storage}): {what}; "
                f"{self.states:,} states, {self.transitions:,} transitions, "
                f"depth {self.max_depth}, {self.seconds:.2f}s, "
                f"{self.peak_memory / 2**20:.1f} MiB{note}")
        return text + self.storage_note()

    def storage_note(self) -> str:
        """What a lossy store means for the verdict ('' for exact storage)."""
        if self.swarm is not None:
            return self.swarm_note()
        r = self.store
        if r is None:
            return ""
        if self.storage == "hash-compact":
            return (f"\n  hash-compact storage (64-bit fingerprints, {r.nbytes / 2**20:.1f} "
                    f"MiB): probability that a state was missed (TLC's estimate) "
                    f"{r.omission_probability:.1e}")
        proof = ("; 'ok' is not a proof: states may have been missed"
                 if self.verdict == OK else "")
        return (f"\n  bitstate storage ({r.bits:,} bits, {r.hashes} per state, "
                f"{r.nbytes / 2**20:.1f} MiB): hash factor {r.hash_factor:,.1f}, "
                f"about {r.expected_missed:,.1f} states missed{proof}")

    def swarm_note(self) -> str:
        runs = self.swarm.runs
        proof = ("; 'ok' is not a proof: each search may have missed states"
                 if self.verdict == OK else "")
        return (f"\n  swarm of {len(runs)} {self.storage} searches on {self.swarm.where}: "
                f"{sum(r['states'] for r in runs):,} states stored, about "
                f"{self.swarm.distinct:,} distinct{proof}")

    def __str__(self) -> str:
        text = self.summary()
        if self.counterexample is not None:
            text += "\n" + str(self.counterexample)
        elif self.message and self.verdict != OK:
            text += "\n" + self.message
        return text

    def _repr_html_(self) -> str:
        body = f"<p>{html.escape(self.summary())}</p>"
        if self.counterexample is not None:
            body += self.counterexample._repr_html_()
        return body


_LIMITS = {"states": "states budget reached", "depth": "depth budget reached",
           "time": "time budget reached", "memory": "memory budget reached",
           "interrupted": "interrupted",
           "stopped": "stopped: another search of the swarm found an error"}


def _plain(value: Any) -> Any:
    """``value`` if JSON can hold it as it is, else its repr."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, bool | int | float | str)
                                               for v in value):
        return list(value)
    return repr(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def build_steps(system: TransitionSystem, start: State,
                moves: Sequence[tuple[int, int, State]]) -> list[Step]:
    """Turn ``(pid, step, next_state)`` moves from ``start`` into described steps."""
    steps = []
    before_state = start
    before = system.variables(start)
    for pid, step, state in moves:
        after = system.variables(state)
        changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        steps.append(describe_move(system, before_state, pid, step, state, changes))
        before_state, before = state, after
    return steps


def describe_move(system: TransitionSystem, source: State, pid: int, step: int,
                  state: State, changes: dict[str, tuple[Any, Any]],
                  note: str = "") -> Step:
    """A ``Step`` for one move out of ``source`` (process named in ``source``)."""
    info = system.step_info(step)
    return Step(pid, mover_name(system, source, pid), info.label, info.location, info.at,
                changes, state, note)


def mover_name(system: TransitionSystem, state: State, pid: int) -> str:
    """Who makes a move out of ``state``: process ``pid`` as the system names it, or the
    never claim moving alone (``STUTTER``)."""
    return "never claim" if pid == STUTTER else system.process_name(state, pid)
