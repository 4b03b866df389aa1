"""The pairing section of ``aioctx regress``: each model paired with the code it models.

Every mapping file beside the project's models (``promela/models/*.pair``, see
docs/pairing.md) pairs a model with one or more scenarios.  For each scenario block:

* ``transfer`` (the buggy variant): the model's counterexample carried onto the code
  (``aioctx pair``) must reproduce the scenario's failure within ``TRANSFER_LIMIT``
  executions of the ordered search;
* ``conform`` (buggy and fixed): every execution of the scenario within a DFS
  preemption bound must be a path of the model variant (``aioctx conform``).  The
  bound is the budget's: the quick budget's bound for fixed variants, 2 with ``--full``
  (a conformance check, like a fixed variant, has to cover its whole space).

Checks are plain data (``PairCheck``) so that they run in worker processes like the
others; ``run_pair`` returns what the row shows (``Outcome``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import catalogue

SECTION = "models paired with the code"
#: the most executions a transferred counterexample may take (issue 14's promise)
TRANSFER_LIMIT = 20
#: the DFS preemption bound of conformance under the full budget
FULL_CONFORM_BOUND = 2


@dataclass(frozen=True)
class PairCheck:
    """One pairing check: a model variant, a scenario variant, transfer or conform."""

    mapping: str                        # path of the MODEL.pair file
    model: str                          # path of the .pml file
    scenario: str                       # the block's scenario (slug or module:attribute)
    defines: tuple[str, ...]            # the model variant
    buggy: bool
    what: str                           # "transfer" or "conform"
    bound: int                          # DFS preemption bound of conform

    @property
    def model_stem(self) -> str:
        return Path(self.model).stem


@dataclass
class Outcome:
    """What one pairing check gave, as its row shows it."""

    got: str
    size: str
    good: bool
    exhaustive: bool = False            # a conformance search that covered its space
    trace: str = ""                     # the full report
    pictures: list[str] = field(default_factory=list)


def pair_checks(bound: int, models_dir: Path | None = None) -> list[PairCheck]:
    """The pairing checks of every mapping in ``models_dir`` (default: the project's
    models), conformance at DFS preemption bound ``bound``; in file name order, then
    block order: buggy transfer, buggy conform, fixed conform."""
    from .pairing import mapping as mapping_file

    out: list[PairCheck] = []
    for path in sorted((models_dir or catalogue.MODELS_DIR).glob("*.pair")):
        loaded = mapping_file.load(path)
        for name, block in loaded.scenarios.items():
            if block.buggy is not None:
                for what in ("transfer", "conform"):
                    out.append(PairCheck(str(path), loaded.model, name, block.buggy, True,
                                         what, bound))
            out.append(PairCheck(str(path), loaded.model, name, block.fixed, False,
                                 "conform", bound))
    return out


def describe(job: PairCheck) -> tuple[str, str, str]:
    """(variant, expected, bound) as the table shows them before the check runs."""
    variant = "buggy" if job.buggy else "fixed"
    if job.what == "transfer":
        return (variant, f"reproduced in <= {TRANSFER_LIMIT} executions",
                "ordered by the model's counterexample")
    return variant, "conforms", f"DFS <= {job.bound} preemptions"


def run_pair(job: PairCheck, picture_stem: str | None) -> Outcome:
    """Run one pairing check; a reproduced transfer draws its aligned swimlanes to
    ``picture_stem`` (.svg and .png) when given."""
    from .pairing import Pair

    pair = Pair(job.model, job.scenario, list(job.defines), mapping=job.mapping)
    if job.what == "transfer":
        t = pair.transfer()
        size = f"{t.executions:,} executions"
        cx = t.counterexample
        if t.reproduced and cx is not None:
            pictures = t.picture().save_all(picture_stem) if picture_stem else []
            return Outcome(f"reproduced ({cx.failure.kind}), execution {t.executions}",
                           size, t.executions <= TRANSFER_LIMIT, trace=str(t),
                           pictures=pictures)
        best = t.furthest()
        followed = (f" (followed {best.matched} of {len(t.trail.order)} operations)"
                    if best is not None and t.trail is not None else "")
        return Outcome("not reproduced" + followed, size, False, trace=str(t))
    c = pair.conform(bound=job.bound)
    size = f"{c.executions:,} executions"
    if c.departure is not None:
        got = (f"leaves the model at execution {c.departure.execution} "
               f"({c.departure.event.describe()})")
    elif not c.exhaustive:
        got = "incomplete (stopped at its cap)"
    else:
        got = f"conforms ({c.events:,} labelled operations)"
    return Outcome(got, size, c.holds, exhaustive=c.exhaustive, trace=str(c))
