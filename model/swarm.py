"""Swarm verification: many diversified lossy searches at once, merged into one result.

Holzmann's swarm runs many small searches instead of one large one: each uses a lossy
store (bitstate by default) with its own hash function and explores successors in its
own order, so each misses different states and together they cover more of a state
space too large for any one search.  Search ``i`` of a swarm seeded ``seed`` hashes
with seed ``seed + i`` and orders successors as generated (``i = 0``), reversed
(``i = 1``) or shuffled by a generator seeded with ``(seed, i)`` (``i >= 2``): the
same swarm runs the same searches every time.

The searches run on a local process pool (``workers`` processes) or on a Dask cluster
(a ``distributed.Client``, or the address of its scheduler).  Each search builds its
own system with ``build`` (a function without arguments that pickles: a module-level
function or a ``functools.partial`` of one), since compiled models do not travel.  The
first search to find an error raises a flag the others look at twice a second; they
stop with the verdict "incomplete" ("stopped"), and the merged result is the error.

The merged result: the first error found, else "incomplete" if some search stopped at
a budget, else "ok" (every search finished; with lossy stores that is not a proof).
``states`` is an estimate of the distinct states the searches stored between them
(their HyperLogLog sketches merged, sketch.py); ``transitions``, ``cpu_seconds`` and
``peak_memory`` are sums; ``swarm`` lists every search.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TextIO

from .checker import check
from .monitor import default_memory_limit
from .result import INCOMPLETE, OK, VIOLATION, Result
from .sketch import Sketch
from .system import TransitionSystem

#: seconds between two looks of a search at the swarm's stop flag
POLL = 0.5
#: budgets that pass through to every search
BUDGETS = ("max_states", "max_depth", "time_limit", "memory_limit")


class SchedulerError(Exception):
    """The Dask scheduler named by an address cannot be used (a bad address, no
    answer)."""


@dataclass
class SwarmReport:
    """How a swarm ran: where, and each search's seed, order and outcome."""

    where: str
    distinct: int                           # estimated distinct states stored by all
    runs: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "searches": len(self.runs),
                "distinct_states": self.distinct, "runs": self.runs}


def diversify(seed: int, index: int) -> Callable[[list], None] | None:
    """The successor order of search ``index`` (module docstring)."""
    if index == 0:
        return None
    if index == 1:
        return list.reverse
    return random.Random(seed * 1_000_003 + index).shuffle


class _Flag:
    """A stop flag looked at no more often than every ``POLL`` seconds (the first
    time at once)."""

    def __init__(self, is_set: Callable[[], bool]) -> None:
        self.is_set = is_set
        self.due = 0.0

    def __call__(self) -> bool:
        now = time.monotonic()
        if now < self.due:
            return False
        self.due = now + POLL
        return bool(self.is_set())


def search_one(build: Callable[[], TransitionSystem], mode: str, fair: bool, seed: int,
               index: int, options: dict[str, Any],
               stop: Callable[[], bool] | None) -> tuple[Result, bytes]:
    """Search ``index`` of a swarm: its result and its sketch's registers."""
    system = build()
    sketch = Sketch()
    result = check(system, mode, fair=fair, seed=seed + index, order=diversify(seed, index),
                   sketch=sketch, stop=stop, progress=False, **options)
    return result, bytes(sketch.registers)


# -- a local process pool ------------------------------------------------------------

_LOCAL_STOP: Any = None


def _init_local(event: Any) -> None:
    global _LOCAL_STOP
    _LOCAL_STOP = event


def _local_search(build: Callable[[], TransitionSystem], mode: str, fair: bool, seed: int,
                  index: int, options: dict[str, Any]) -> tuple[Result, bytes]:
    return search_one(build, mode, fair, seed, index, options, _Flag(_LOCAL_STOP.is_set))


def _run_local(build: Callable[[], TransitionSystem], mode: str, fair: bool, seed: int,
               searches: int, workers: int, options: dict[str, Any],
               collect: Callable[[Result, bytes], bool]) -> None:
    context = multiprocessing.get_context("spawn")
    event = context.Event()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_local,
                             initargs=(event,)) as pool:
        futures = [pool.submit(_local_search, build, mode, fair, seed, i, options)
                   for i in range(searches)]
        pending = list(futures)
        try:
            while pending:
                done = wait(pending, return_when=FIRST_COMPLETED).done
                for future in [f for f in pending if f in done]:
                    pending.remove(future)
                    if collect(*future.result()):
                        event.set()
        except KeyboardInterrupt:
            event.set()
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled():
                    collect(*future.result())
            raise


# -- a Dask cluster --------------------------------------------------------------------

def _dask_search(build: Callable[[], TransitionSystem], mode: str, fair: bool, seed: int,
                 index: int, options: dict[str, Any], event: str) -> tuple[Result, bytes]:
    from distributed import Event

    return search_one(build, mode, fair, seed, index, options, _Flag(Event(event).is_set))


def _connect(address: str) -> Any:
    """A client of the Dask scheduler at ``address`` (SchedulerError if it cannot be
    used; ImportError without Dask)."""
    from distributed import Client
    from distributed.comm import resolve_address

    try:
        return Client(resolve_address(address), timeout=10)
    except (OSError, ValueError) as exc:
        raise SchedulerError(f"cannot use the Dask scheduler at {address}: {exc}") from None


def _run_dask(client: Any, build: Callable[[], TransitionSystem], mode: str, fair: bool,
              seed: int, searches: int, options: dict[str, Any],
              collect: Callable[[Result, bytes], bool]) -> None:
    from distributed import Event, as_completed

    name = f"aioctx-swarm-{uuid.uuid4().hex}"
    event = Event(name, client=client)
    futures = [client.submit(_dask_search, build, mode, fair, seed, i, options, name,
                             pure=False, key=f"{name}-{i}") for i in range(searches)]
    try:
        for future in as_completed(futures):
            if collect(*future.result()):
                event.set()
    except KeyboardInterrupt:
        event.set()
        for future in futures:
            if not future.done():
                collect(*future.result())
        raise


# -- the swarm ---------------------------------------------------------------------------

def swarm(build: Callable[[], TransitionSystem], mode: str = "safety", *, fair: bool = False,
          searches: int | None = None, workers: int = 2, client: Any = None,
          scheduler: str | None = None, storage: str = "bitstate", bits: int | None = None,
          hashes: int = 3, seed: int = 0, progress: bool | None = None,
          progress_stream: TextIO | None = None, **budgets: Any) -> Result:
    """Run a swarm of ``searches`` lossy searches of the system ``build()`` makes
    (module docstring): on ``workers`` local processes, or on a Dask cluster given as
    ``client`` or as the address of its ``scheduler``.  ``searches`` defaults to the
    number of processes (the cluster's threads).  Budgets (``max_states``,
    ``max_depth``, ``time_limit``, ``memory_limit``) apply to each search; the memory
    budget of a local swarm is shared out among its processes.  ``progress`` (by
    default: when stderr is a terminal) prints a line as each search ends."""
    if storage == "exact":
        raise ValueError("a swarm needs a lossy storage ('bitstate' or 'hash-compact')")
    unknown = sorted(set(budgets) - set(BUDGETS))
    if unknown:
        raise TypeError(f"swarm() got unexpected arguments: {', '.join(unknown)}")
    options: dict[str, Any] = dict(budgets, storage=storage, bits=bits, hashes=hashes)
    start = time.perf_counter()
    results: list[Result] = []
    merged = Sketch()

    stream = progress_stream if progress_stream is not None else sys.stderr
    if progress is None:
        isatty = getattr(stream, "isatty", None)
        progress = bool(isatty and isatty())

    def collect(result: Result, registers: bytes) -> bool:
        results.append(result)
        merged.merge(Sketch(registers))
        if progress:
            stream.write(f"search {len(results)} of {searches} (seed {result.seed}): "
                         f"{result.verdict}, {result.states:,} states, "
                         f"{result.seconds:.1f}s\n")
            stream.flush()
        return result.verdict == VIOLATION

    interrupted = False
    own_client = None
    try:
        if client is None and scheduler is not None:
            client = own_client = _connect(scheduler)
        if client is not None:
            threads = sum(client.nthreads().values())
            searches = searches or max(threads, 1)
            where = f"Dask cluster at {client.scheduler.address} ({threads} threads)"
            _run_dask(client, build, mode, fair, seed, searches, options, collect)
        else:
            if workers < 1:
                raise ValueError("a swarm needs at least one worker process")
            searches = searches or workers
            if options.get("memory_limit") is None:
                options["memory_limit"] = default_memory_limit()
            options["memory_limit"] //= min(workers, searches)
            where = f"{min(workers, searches)} local processes"
            _run_local(build, mode, fair, seed, searches, min(workers, searches), options,
                       collect)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if own_client is not None:
            own_client.close()
    return _merge(results, merged, where if results else "", seed, storage,
                  time.perf_counter() - start, interrupted)


def _merge(results: list[Result], sketch: Sketch, where: str, seed: int, storage: str,
           seconds: float, interrupted: bool) -> Result:
    """One result for the whole swarm (module docstring)."""
    if not results:
        raise KeyboardInterrupt
    first = results[0]
    out = Result(model=first.model, mode=first.mode, fair=first.fair, search="dfs",
                 note=first.note, storage=storage, seed=seed)
    errors = [r for r in results if r.verdict == VIOLATION]
    stopped = [r for r in results if r.verdict == INCOMPLETE and r.limit != "stopped"]
    if errors:
        error = errors[0]
        out.verdict, out.kind, out.message = VIOLATION, error.kind, error.message
        out.counterexample = error.counterexample
        out.store = error.store
    elif interrupted or stopped:
        out.verdict = INCOMPLETE
        out.limit = "interrupted" if interrupted else stopped[0].limit
    else:
        out.verdict = OK
    out.states = sketch.estimate()
    out.transitions = sum(r.transitions for r in results)
    out.max_depth = max(r.max_depth for r in results)
    out.seconds = seconds
    out.cpu_seconds = sum(r.cpu_seconds for r in results)
    out.peak_memory = sum(r.peak_memory for r in results)
    runs = [{"seed": r.seed, "verdict": r.verdict, "limit": r.limit, "states": r.states,
             "transitions": r.transitions, "max_depth": r.max_depth,
             "seconds": round(r.seconds, 3),
             "store": r.store.as_dict() if r.store is not None else None}
            for r in sorted(results, key=lambda r: r.seed)]
    out.swarm = SwarmReport(where, out.states, runs)
    return out
