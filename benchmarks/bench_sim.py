"""aioctx.sim against its peers, measured in one run (see benchmarks/README.md).

    /root/.pyenv/versions/3.12.1/bin/python -m venv .venv-bench    # any Python >= 3.12
    .venv-bench/bin/pip install -e '.[bench]'
    .venv-bench/bin/python benchmarks/bench_sim.py [--budget 20] [--out out/bench_sim.json]

1. Engines: executions and scheduling points per second, fiber vs OS-thread engine,
   on the same program and schedules (random walk, same seed).
2. Time to first failure for every catalogue scenario (buggy variant):
   * aioctx.sim PCT (depth 3, seed 1) and bounded DFS (bound 2), without shrinking;
   * plain stress testing: the same program on free-running OS threads, repeated until
     it fails (an exception, or a hang longer than HANG_S) or the budget is spent;
   * interleave-test (PCT and random, seed 1) and frontrun (random, seed 1) running the
     same program.  The peers control ``threading`` but not eventfds, so for them the
     EventNotifier and poll are built on one ``threading.Condition`` (``CondBackend``);
     everything else is the same impl code.
   Each tool gets ``--budget`` seconds per bug; ratios are against the best peer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from aioctx.impl import sync
from aioctx.sim.scenarios import CATALOGUE

from aioctx import sim

HANG_S = 0.5
MAX_STRESS_RUNS = 2_000
Tool = Callable[[str, float, bool], tuple[bool, int]]


# --------------------------------------------------------------------------- peers' world


class _CondNotifier(sync.EventNotifier):
    """An EventNotifier made of a flag and the backend's condition (peers can see it)."""

    __slots__ = ("_backend", "_flag")

    def __init__(self, active: bool = False, name: str | None = None) -> None:
        self.name = name
        self._backend = backend = sync.current_backend()
        self._flag = bool(active)
        self.rfd = self.wfd = backend.register(self)
        self.initialized = True

    def set(self, label: str | None = None) -> int:
        with self._backend.cond:
            self._flag = True
            self._backend.cond.notify_all()
        return 0

    def test_and_clear(self, label: str | None = None) -> bool:
        with self._backend.cond:
            was, self._flag = self._flag, False
        return was

    def cleanup(self) -> None:
        self.initialized = False


class _CondPoller(sync.Poller):
    __slots__ = ("_backend",)

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._backend = sync.current_backend()

    def poll(self, fds: Any, timeout_ns: int, label: str | None = None) -> list[int]:
        backend = self._backend
        notifiers = [backend.fds[fd] for fd, _ in fds]
        with backend.cond:
            if timeout_ns != 0 and not any(n._flag for n in notifiers):
                backend.cond.wait(None if timeout_ns < 0 else timeout_ns / 1e9)
            return [sync.POLLIN if n._flag else 0 for n in notifiers]


class CondBackend:
    """impl.sync backend for the peers: real threads, fds made of a condition."""

    def __init__(self) -> None:
        self.classes = {sync.EventNotifier: _CondNotifier, sync.Poller: _CondPoller}
        self.cond = threading.Condition()
        self.fds: dict[int, _CondNotifier] = {}
        self.locals = threading.local()

    def register(self, notifier: _CondNotifier) -> int:
        fd = 1000 + len(self.fds)
        self.fds[fd] = notifier
        return fd

    def fence(self, kind: str, label: str | None) -> None:
        """Python threads are sequentially consistent."""

    def cpu_relax(self, label: str | None) -> None:
        time.sleep(0)

    def thread_locals(self) -> dict[Any, Any]:
        if not hasattr(self.locals, "slots"):
            self.locals.slots = {}
        return self.locals.slots

    def global_state(self) -> dict[str, Any]:
        return sync._real_globals          # shared with the program's other threads


def fresh_world() -> None:
    """Forget QEMU's process globals (main loop, graph lock, pools), as a new process
    would: every run of a scenario outside the simulation starts from scratch."""
    sync._real_globals.clear()


def peer_model(slug: str, buggy: bool = True) -> Callable[[], None]:
    """The scenario as a zero-argument model for the peers."""
    program = CATALOGUE[slug].program(buggy)

    def model() -> None:
        fresh_world()
        with sync.using_backend(CondBackend()):
            program()
    return model


# --------------------------------------------------------------------------- measurements


def timed(fn: Callable[[], tuple[bool, int]]) -> dict[str, Any]:
    t0 = time.perf_counter()
    found, runs = fn()
    return {"found": found, "seconds": round(time.perf_counter() - t0, 4), "runs": runs}


def ours_pct(slug: str, budget: float, buggy: bool = True) -> tuple[bool, int]:
    s = CATALOGUE[slug]
    r = sim.explore(s.program(buggy), sim.PCT(3), runs=1_000_000, seed=1,
                    max_steps=s.max_steps, shrink=False,
                    max_executions=1_000_000)
    return r.failed, r.executions


def ours_dfs(slug: str, budget: float, buggy: bool = True) -> tuple[bool, int]:
    s = CATALOGUE[slug]
    r = sim.explore(s.program(buggy), sim.DFS(2), max_steps=s.max_steps, shrink=False)
    return r.failed, r.executions


def stress(slug: str, budget: float, buggy: bool = True) -> tuple[bool, int]:
    """Plain stress testing, in a child process (hung runs leave threads behind)."""
    return in_child("stress", slug, budget, buggy, [sys.executable])


def stress_child(slug: str, budget: float, buggy: bool) -> tuple[bool, int]:
    """Free-running threads: run the program over and over; a failure is an exception
    or a run that does not finish within HANG_S (a lost wakeup hangs for real)."""
    program = CATALOGUE[slug].program(buggy)
    deadline = time.perf_counter() + budget
    runs = 0
    while time.perf_counter() < deadline and runs < MAX_STRESS_RUNS:
        runs += 1
        errors: list[BaseException] = []

        def one(errors: list[BaseException] = errors) -> None:
            try:
                fresh_world()
                program()
            except BaseException as exc:       # a failure of the program under test
                errors.append(exc)

        t = threading.Thread(target=one, daemon=True)
        t.start()
        t.join(HANG_S)
        if errors or t.is_alive():
            return True, runs
    return False, runs


def interleave(strategy: str) -> Tool:
    def run(slug: str, budget: float, buggy: bool = True) -> tuple[bool, int]:
        import interleave_test as it
        model = peer_model(slug, buggy)
        deadline = time.perf_counter() + budget
        runs = 0
        while time.perf_counter() < deadline:
            result = it.explore(model, iterations=50, seed=1 + runs, strategy=strategy,
                                timeout=HANG_S * 4, raise_on_failure=False,
                                include=["aioctx"])
            runs += getattr(result, "iterations", 50) or 50
            if not result.ok:
                return True, runs
        return False, runs
    return run


def in_child(tool: str, slug: str, budget: float, buggy: bool,
             launcher: list[str]) -> tuple[bool, int]:
    """Run this script's ``--child TOOL SLUG`` mode in a fresh process and read its
    answer (one JSON line)."""
    import subprocess
    out = subprocess.run([*launcher, os.path.abspath(__file__), "--child", tool, slug,
                          "--budget", str(budget)] + ([] if buggy else ["--fixed"]),
                         capture_output=True, text=True, timeout=budget * 3 + 60)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            got = json.loads(line)
            return got["found"], got["runs"]
    raise RuntimeError(f"{tool} child failed: {out.stderr.strip()[-400:]}")


def frontrun_random(slug: str, budget: float, buggy: bool = True) -> tuple[bool, int]:
    """frontrun only runs under its own launcher (``frontrun python ...``)."""
    launcher = os.path.join(os.path.dirname(sys.executable), "frontrun")
    return in_child("frontrun", slug, budget, buggy, [launcher, sys.executable])


def frontrun_child(slug: str, budget: float, buggy: bool) -> tuple[bool, int]:
    import frontrun
    model = peer_model(slug, buggy)
    failures: list[BaseException] = []

    def worker(_: object) -> None:
        try:
            model()
        except BaseException as exc:           # reported through the invariant
            failures.append(exc)

    deadline = time.perf_counter() + budget
    runs = 0
    while time.perf_counter() < deadline:
        result = frontrun.explore(setup=lambda: None, workers=[worker],
                                  invariant=lambda _: not failures, strategy="random",
                                  max_attempts=20, seed=1 + runs,
                                  total_timeout=max(1.0, deadline - time.perf_counter()),
                                  timeout_per_run=HANG_S * 4, reproduce_on_failure=0)
        runs += 20
        if failures or not getattr(result, "property_holds", True):
            return True, runs
    return False, runs


def engines(seconds: float) -> dict[str, Any]:
    """Executions per second of one small scenario, both engines, same schedules."""
    s = CATALOGUE["notify-accept-stolen-by-other-thread"]
    out: dict[str, Any] = {}
    for engine in ("fiber", "thread"):
        runs = 200
        while True:
            t0 = time.perf_counter()
            r = sim.explore(s.program(False), sim.RandomWalk(), runs=runs, seed=3,
                            engine=engine, max_steps=s.max_steps)
            dt = time.perf_counter() - t0
            if dt > seconds / 4 or runs > 2_000_000:
                break
            runs *= 4
        out[engine] = {"executions": r.executions, "seconds": round(dt, 3),
                       "executions_per_s": round(r.executions / dt)}
    out["fiber_vs_thread"] = round(out["fiber"]["executions_per_s"]
                                   / out["thread"]["executions_per_s"], 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per tool and bug")
    ap.add_argument("--bugs", default=",".join(CATALOGUE), help="comma-separated slugs")
    ap.add_argument("--out", default="out/bench_sim.json")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "SLUG"), help=argparse.SUPPRESS)
    ap.add_argument("--fixed", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        tool, slug = args.child
        child = {"stress": stress_child, "frontrun": frontrun_child}[tool]
        found, runs = child(slug, args.budget, not args.fixed)
        print(json.dumps({"found": found, "runs": runs}))
        return 0
    peers_ok = sys.version_info >= (3, 12)
    report: dict[str, Any] = {"python": sys.version.split()[0], "budget_s": args.budget,
                              "engines": engines(args.budget), "bugs": {}}
    print(f"engines: {json.dumps(report['engines'])}", flush=True)
    tools: dict[str, Tool] = {"aioctx-pct": ours_pct, "aioctx-dfs": ours_dfs, "stress": stress}
    if peers_ok:
        tools.update({"interleave-test-pct": interleave("pct"),
                      "interleave-test-random": interleave("random"),
                      "frontrun-random": frontrun_random})
    for slug in args.bugs.split(","):
        row: dict[str, Any] = {}
        for name, fn in tools.items():
            row[name] = timed(lambda fn=fn, slug=slug: fn(slug, args.budget, True))
            if row[name]["found"] and not name.startswith("aioctx"):
                # a report on the fixed variant too is a false alarm, not a find
                fixed = fn(slug, args.budget, False)
                row[name]["fixed_variant_also_fails"] = fixed[0]
        ours = min(row[t]["seconds"] for t in ("aioctx-pct", "aioctx-dfs") if row[t]["found"])
        others = [row[t]["seconds"] for t in row if not t.startswith("aioctx")
                  and row[t]["found"] and not row[t].get("fixed_variant_also_fails")]
        best_other = min(others) if others else None
        row["speedup_vs_best_other"] = (round(best_other / ours, 1) if best_other
                                        else f">{round(args.budget / ours)} (none found)")
        report["bugs"][slug] = row
        print(slug, json.dumps(row), flush=True)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
