"""The one entry point of the checkers: ``check(system, mode=..., ...)``.

Modes follow SPIN's verifier:

* ``"safety"``: assertions, invariants, invalid end states (a state where no process
  can move and some process is not at an end mark), never-claim ends.  BFS (shortest
  counterexample) or DFS.
* ``"acceptance"``: ``pan -a``: a run that passes through an accepting state infinitely
  often (an acceptance cycle); with a never claim, check ``product(system, claim)``.
  A state where nothing can move is extended by stuttering, so an accepting dead end is
  an acceptance cycle (SPIN's "accept stutter").  Invalid end states are not checked in
  this mode, as in SPIN; assertions and invariants are.  A system with no accepting
  states at all gets a safety search instead, as SPIN does (the result says so).
* ``"non-progress"``: ``pan -l``: a cycle that never passes a progress state.  Finite
  runs are not extended here (SPIN does not either).

``fair=True`` restricts cycles to weakly fair ones (``pan -f``); see ``system.py`` for
the definition.  Budgets (``max_states``, ``max_depth``, ``time_limit`` in seconds,
``memory_limit`` in bytes of the process's resident set, by default most of what the
machine has available) turn an exhausted search into an ``"incomplete"`` verdict naming
the budget, never into ``"ok"``; so does Ctrl-C (SIGINT) in the main thread.

``storage`` chooses how states are kept (store.py): ``"exact"`` (the default),
``"hash-compact"`` (64-bit fingerprints) or ``"bitstate"`` (``bits`` bits, ``hashes``
per state); ``seed`` picks the hash function of a lossy store.  Lossy storage needs a
depth-first search; its liveness searches are SPIN's nested depth-first search
(nested.py), the exact ones an SCC search (liveness.py).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TextIO

from .liveness import cycle_search
from .monitor import Monitor, resident_bytes
from .nested import nested_search
from .result import INCOMPLETE, Result
from .safety import safety_bfs, safety_dfs
from .sketch import Sketch
from .store import STORAGES, BitState, HashCompact
from .system import TransitionSystem

MODES = ("safety", "acceptance", "non-progress")
SEARCHES = ("dfs", "bfs")

#: bits of a bitstate search's array when the caller gives none (SPIN's -w: 2**27)
DEFAULT_BITS = 1 << 27


def check(system: TransitionSystem, mode: str = "safety", *, fair: bool = False,
          search: str = "dfs", max_states: int | None = None, max_depth: int | None = None,
          time_limit: float | None = None, progress: bool | None = None,
          progress_stream: TextIO | None = None, memory_limit: int | None = None,
          storage: str = "exact", bits: int | None = None, hashes: int = 3,
          seed: int = 0, order: Callable[[list], None] | None = None,
          sketch: Sketch | None = None, stop: Callable[[], bool] | None = None) -> Result:
    """Explore ``system`` and report the first error of ``mode``, or that there is none.

    ``search`` is ``"dfs"`` or ``"bfs"``; liveness modes always search depth-first.
    ``progress=None`` shows a progress bar on stderr only when it is a terminal.
    ``order`` (a depth-first search's successor order, for swarms) reorders each
    state's new successors in place; a lossy store adds the states it stores to
    ``sketch`` (sketch.py); ``stop()``, looked at now and then, stops the search when
    true (limit "stopped").  swarm.py runs many such searches at once.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if search not in SEARCHES:
        raise ValueError(f"unknown search {search!r}; expected 'dfs' or 'bfs'")
    if mode != "safety" and search == "bfs":
        raise ValueError(f"{mode} checking needs a depth-first search (search='dfs')")
    for name, value in (("max_states", max_states), ("max_depth", max_depth),
                        ("time_limit", time_limit), ("memory_limit", memory_limit)):
        if value is not None and not value >= 0:
            raise ValueError(f"{name} must be a number, not negative")
    if storage not in STORAGES:
        raise ValueError(f"unknown storage {storage!r}; expected one of {', '.join(STORAGES)}")
    if storage != "exact" and search == "bfs":
        raise ValueError(f"{storage} storage needs a depth-first search (search='dfs')")
    note = ""
    if mode == "acceptance" and system.accepting is None:
        mode, note = "safety", ("no accepting states: a safety search instead (as SPIN "
                                "does for -a without accept labels)")
    result = Result(model=system.name, mode=mode, fair=fair and mode != "safety",
                    search=search, note=note, storage=storage, seed=seed)
    monitor = Monitor(f"{system.name} ({mode})", max_states, max_depth, time_limit, progress,
                      progress_stream, memory_limit, stop)
    store: HashCompact | BitState | None = None
    if storage == "hash-compact":
        store = HashCompact(seed, sketch=sketch)
    elif storage == "bitstate":
        bits = bits or DEFAULT_BITS
        if resident_bytes() + bits // 8 > monitor.memory_limit:
            # the array is allocated whole, before the first state: refuse it as the
            # budget would stop the search, not by a MemoryError or the OOM killer
            result.verdict, result.limit = INCOMPLETE, "memory"
            result.note = (f"the bit array ({bits // 8 / 2**20:,.0f} MiB) does not fit in "
                           f"the memory budget ({monitor.memory_limit / 2**20:,.0f} MiB)")
            result.seconds, result.cpu_seconds, result.peak_memory = monitor.close()
            return result
        store = BitState(bits, hashes, seed, sketch=sketch)
    # The search allocates many objects and no reference cycles: the cyclic garbage
    # collector would only rescan the growing state table, so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with monitor.interruptible():
            if mode == "safety" and search == "bfs":
                safety_bfs(system, monitor, result)
            elif mode == "safety":
                safety_dfs(system, monitor, result, store, order)
            elif store is None:
                cycle_search(system, monitor, result, mode, fair)
            else:
                nested_search(system, monitor, result, mode, fair, store, order)
    finally:
        if collecting:
            gc.enable()
        result.seconds, result.cpu_seconds, result.peak_memory = monitor.close()
    return result
