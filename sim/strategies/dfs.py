"""Bounded depth-first search with iterative context bounding (CHESS, Musuvathi and
Qadeer 2007).

Level b runs every execution with exactly b preemptions (switching away from a thread
that could have continued, or, under a weak memory model, flushing a buffered store:
the default schedule keeps every store buffered until something drains it, and each
flush chosen earlier than that costs one); switches forced by blocking are free and
explored at every level.  ``preemption_bound=None`` explores every level: every
schedule and every flush order.  A *work item* is a decision prefix whose last
decision is the b-th preemption; exploring it is a plain DFS over the free choices
below it, and every preemption it passes is a work item of level b+1, or, past the
bound, counted as pruned.  Each
execution is run exactly once, so "no failure with 0..B levels done" is an exhaustive
result for preemption bound B.  Items of one level are independent subtrees, which is
what ``explore(workers=N)`` distributes.  They are taken in an order shuffled by the
seed: the space covered is the same, but a bug that only a few schedules of a large
level show comes up after a fraction of it, deterministically for the seed.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..decider import Decider, Decision, default_choice
from ..failures import NondeterministicProgram
from ..location import display
from ..parallel import in_worker, run_in_order
from ..result import Result
from ..strategy import Found, SearchJob, register_strategy

if TYPE_CHECKING:
    from ..execution import Execution, SimThread
    from ..runner import Runner


class _PrefixDecider(Decider):
    """Replay ``prefix``, then the default policy, recording each new choice moment."""

    def __init__(self, prefix: list[Decision]) -> None:
        self.prefix = prefix
        self.replaying = len(prefix)
        self.i = 0
        # (the options, running thread enabled?, the option chosen): the runtime makes
        # a new options list at every choice moment, so keeping it costs no copy
        self.frames: list[tuple[list[SimThread], bool, SimThread]] = []
        self.mismatch: str | None = None

    def choose(self, ex: Execution, enabled: list[SimThread], cur: SimThread) -> SimThread:
        i = self.i
        self.i = i + 1
        if i < self.replaying:
            want = self.prefix[i]
            for t in enabled:
                if t.decision == want:
                    return t
            ops = "; ".join(f"{t.name} at {t.op} {display(t.obj)}"
                            + (f" [{t.label}]" if t.label else "") for t in enabled)
            self.mismatch = (f"re-running decision {i} (step {ex.nsteps}): thread {want} "
                             f"cannot run this time; runnable: {ops}")
            self.prefix = self.prefix[:i]
            self.replaying = i
        if cur in enabled:                  # default_choice, inlined: the hot path
            self.frames.append((enabled, True, cur))
            return cur
        chosen = default_choice(enabled, cur)
        self.frames.append((enabled, False, chosen))
        return chosen


# A work item: a decision prefix, kept compact as (decisions of the execution that
# found it, how many of them to keep, the alternative decision that follows, None at
# the root), so the many items one execution yields share its decisions (also when
# pickled).
Item = tuple[tuple[Decision, ...], int, Decision | None]
ROOT: Item = ((), 0, None)


def prefix_of(item: Item) -> list[Decision]:
    decisions, keep, alt = item
    prefix = list(decisions[:keep])
    if alt is not None:
        prefix.append(alt)
    return prefix


@dataclass
class ItemResult:
    """What exploring one work item produced."""

    executions: int = 0
    pruned: int = 0
    failing: list[Decision] | None = None     # decisions of the first failing run
    next_level: list[Item] = field(default_factory=list)


def explore_item(runner: Runner, item: Item, level: int, bound: int | None,
                 budget: int, want: tuple[str, str] | None = None,
                 free_choices: bool = True) -> ItemResult:
    """DFS over the free choices below ``item`` (``budget`` executions at most).
    With ``want``, only a failure with that signature counts (the shrinker's use);
    without ``free_choices``, a thread that blocks is always followed by the default
    one (round robin), so only the preemptions branch (the shrinker's quick search)."""
    out = ItemResult()
    stack = [item]
    while stack and out.executions < budget:
        current = prefix_of(stack.pop())
        decider = _PrefixDecider(current)
        ex = runner.run(decider)
        out.executions += 1
        if decider.mismatch is None and decider.i < len(current):
            decider.mismatch = (f"the run ended after {decider.i} of the {len(current)} "
                                "recorded decisions")
        if decider.mismatch is not None:
            raise NondeterministicProgram(decider.mismatch)
        if ex.failure is not None and (want is None or ex.failure.signature == want):
            out.failing = list(ex.decisions)
            return out
        base = len(current)
        decisions = tuple(current) + tuple(f[2].decision for f in decider.frames)
        alternatives: list[Item] = []
        deeper = bound is None or level < bound
        for k, (enabled, cur_enabled, chosen) in enumerate(decider.frames):
            for alt in enabled:
                if alt is chosen:
                    continue
                branch = (decisions, base + k, alt.decision)
                if not cur_enabled and alt.runs_thread:
                    if free_choices:
                        alternatives.append(branch)
                elif deeper:
                    out.next_level.append(branch)
                else:
                    out.pruned += 1
        stack.extend(reversed(alternatives))
    return out


def explore_items(runner: Runner, items: list[Item], level: int, bound: int | None,
                  budget: int) -> list[ItemResult]:
    """Explore work items in order, stopping after the first failing one (or when
    ``budget`` executions are spent)."""
    out = []
    for item in items:
        got = explore_item(runner, item, level, bound, budget)
        budget -= got.executions
        out.append(got)
        if got.failing is not None or budget <= 0:
            break
    return out


def _agreement(item: Item, guide: list[Decision]) -> int:
    """How many leading decisions of ``item``'s prefix are ``guide``'s."""
    n = 0
    for a, b in zip(prefix_of(item), guide, strict=False):
        if a != b:
            break
        n += 1
    return n


def fewest_preemptions(runner: Runner, below: int, budget: int,
                       want: tuple[str, str] | None, free_choices: bool = True,
                       guide: list[Decision] | None = None
                       ) -> tuple[list[Decision] | None, int]:
    """The first failing run (matching ``want``) with fewer than ``below`` preemptions,
    searched level by level, so what comes back has as few as possible (among the
    schedules searched: all of them, or with ``free_choices`` off those that follow the
    default policy wherever a thread blocks); None if there is none within ``budget``
    executions.  Also returns the executions spent.  With a ``guide`` (the decisions of
    a failing run), each level starts with the prefixes that follow it longest."""
    items: list[Item] = [ROOT]
    order = random.Random(0)
    spent = 0
    for level in range(below):
        next_items: list[Item] = []
        order.shuffle(items)
        if guide is not None:
            items.sort(key=lambda item: -_agreement(item, guide))
        for item in items:
            got = explore_item(runner, item, level, below - 1, budget - spent, want,
                               free_choices)
            spent += got.executions
            if got.failing is not None:
                return got.failing, spent
            if spent >= budget:
                return None, spent
            next_items.extend(got.next_level)
        items = next_items
    return None, spent


@dataclass(frozen=True)
class DFS:
    """Exhaustive search up to ``preemption_bound`` preemptions (None: no bound), fewest
    first."""

    preemption_bound: int | None = 2
    name = "dfs"

    def __post_init__(self) -> None:
        if self.preemption_bound is not None and self.preemption_bound < 0:
            raise ValueError("the preemption bound cannot be negative")

    def search(self, job: SearchJob) -> Found:
        """Level by level (0, 1, ... preemptions), each level's items in an order
        shuffled by the seed; a failure found at level b has the fewest preemptions
        any failure needs, since levels 0..b-1 were covered without one."""
        bound = self.preemption_bound
        order = random.Random(job.seed)
        result = Result(f"dfs(preemption bound {bound})" if bound is not None
                        else "dfs(no preemption bound)", 0, preemption_bound=bound)
        level_items: list[Item] = [ROOT]
        for level in itertools.count() if bound is None else range(bound + 1):
            outcomes = _level(job, level_items, level, bound,
                              job.max_executions - result.executions)
            next_items: list[Item] = []
            done = 0
            for got in outcomes:
                done += got.executions
                result.pruned += got.pruned
                next_items.extend(got.next_level)
                if got.failing is not None:
                    result.executions += done
                    result.per_level.append(done)
                    result.found_at = result.executions
                    return Found(result, got.failing, fewest_preemptions=True)
            result.executions += done
            result.per_level.append(done)
            if result.executions >= job.max_executions:
                result.stopped_at_cap(job.max_executions)
                return Found(result, None)
            level_items = next_items
            if not level_items:
                break
            order.shuffle(level_items)  # same space, seeded order: bugs come up sooner
        result.exhaustive = True
        result.notes.append("executions per preemption count: " + ", ".join(
            f"{i}: {n}" for i, n in enumerate(result.per_level)))
        return Found(result, None)


def _level(job: SearchJob, items: list[Item], level: int, bound: int | None,
           budget: int) -> list[ItemResult]:
    """One level's items, here or in batches on ``job.executor``."""
    if job.executor is None or len(items) < 2:
        return explore_items(job.runner, items, level, bound, budget)
    size = max(16, min(1024, len(items) // 16))
    calls = [(in_worker, (job.spec, job.stall_timeout, explore_items, items[i:i + size],
                          level, bound, budget)) for i in range(0, len(items), size)]
    out: list[ItemResult] = []
    for batch in run_in_order(job.executor, calls,
                              lambda b: any(r.failing is not None for r in b)):
        out.extend(batch)
    return out


register_strategy("dfs", lambda bound=2: DFS(bound))
