"""Plain ``threading`` programs, unmodified, under aioctx and its Python peers.

Part of ``bench_sim.py`` (its ``--plain`` section); also runs alone:

    .venv-bench/bin/python benchmarks/plain_threading.py [--budget 10]

Each program below uses the standard library only (``threading``, ``queue``,
``concurrent.futures``) and has a racy and a fixed variant.  Every tool runs the same
function, unchanged, in a fresh process (as in bench_sim): aioctx (``sim.explore`` with
a step per line: DFS at 2 preemptions, and PCT), interleave-test (PCT and random, its
bytecode-level tracing), frontrun (DPOR and random; the whole program is its one
worker, a failure reported through the invariant) and ploom (``ploom.check``).  For
each: the time to the first failure of the racy variant, whether the fixed variant is
reported too within the same budget (a false alarm), and whether the failure replays:
the tool's own replay of what it found, run 5 times, must fail 5 times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

REPLAYS = 5


# --------------------------------------------------------------------------- programs


class Stock:
    def __init__(self, count: int, locked: bool) -> None:
        self.count = count
        self.lock = threading.Lock() if locked else None

    def take(self) -> None:
        if self.lock is not None:
            with self.lock:
                left = self.count
                self.count = left - 1
        else:
            left = self.count
            self.count = left - 1


def lost_update(fixed: bool) -> None:
    """Two threads take from a stock by read-then-write of an attribute."""
    stock = Stock(2, fixed)
    takers = [threading.Thread(target=stock.take) for _ in range(2)]
    for t in takers:
        t.start()
    for t in takers:
        t.join()
    assert stock.count == 0, f"a take was lost: {stock.count} left"


class BoundedQueue:
    def __init__(self, size: int, wake_all: bool) -> None:
        self.items: list[int] = []
        self.size = size
        self.wake_all = wake_all
        self.changed = threading.Condition()

    def _wake(self) -> None:
        if self.wake_all:
            self.changed.notify_all()
        else:
            self.changed.notify()

    def put(self, item: int) -> None:
        with self.changed:
            while len(self.items) >= self.size:
                self.changed.wait()
            self.items.append(item)
            self._wake()

    def get(self) -> int:
        with self.changed:
            while not self.items:
                self.changed.wait()
            item = self.items.pop(0)
            self._wake()
            return item


def lost_wakeup(fixed: bool) -> None:
    """A one-slot queue, two producers, two consumers, one condition: notify() can
    wake a waiter of the wrong kind, and everyone sleeps."""
    q = BoundedQueue(1, fixed)
    got: list[int] = []
    threads = [threading.Thread(target=q.put, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=lambda: got.append(q.get())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [0, 1]


class Config:
    def __init__(self, locked: bool) -> None:
        self.loads = 0
        self.value: dict[str, int] | None = None
        self.lock = threading.Lock() if locked else None

    def _load(self) -> None:
        if self.value is None:
            self.loads += 1
            self.value = {"workers": 4}

    def get(self) -> dict[str, int] | None:
        if self.lock is not None:
            with self.lock:
                self._load()
        else:
            self._load()
        return self.value


def check_then_act(fixed: bool) -> None:
    """Lazy initialisation: two threads both see it missing and both load it."""
    config = Config(fixed)
    threads = [threading.Thread(target=config.get) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert config.loads == 1, f"loaded {config.loads} times"


def abba(fixed: bool) -> None:
    """Two locks taken in opposite orders by two threads: a deadlock."""
    a, b = threading.Lock(), threading.Lock()

    def one() -> None:
        with a, b:
            pass

    def two() -> None:
        first, second = (a, b) if fixed else (b, a)
        with first, second:
            pass

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def pool_lost_update(fixed: bool) -> None:
    """Tasks on a ThreadPoolExecutor update a shared attribute."""
    stock = Stock(2, fixed)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(2):
            pool.submit(stock.take)
    assert stock.count == 0, f"a take was lost: {stock.count} left"


PROGRAMS: dict[str, Callable[[bool], None]] = {
    "lost-update": lost_update, "lost-wakeup (Condition)": lost_wakeup,
    "check-then-act": check_then_act, "lock-order deadlock": abba,
    "thread-pool lost update": pool_lost_update,
}
HANG_S = 2.0


def variant(name: str, fixed: bool) -> Callable[[], None]:
    program = PROGRAMS[name]

    def run() -> None:
        program(fixed)

    run.__qualname__ = run.__name__ = f"{program.__name__}_{'fixed' if fixed else 'racy'}"
    return run


# --------------------------------------------------------------------------- tools
# Each returns {"found", "seconds", "runs", "report", "replayed"}: "replayed" is how
# many of REPLAYS replays of the failure it found failed again (None: no replay).


def _until(budget: float, attempt: Callable[[float], tuple[int, Any]]) -> dict[str, Any]:
    start = time.perf_counter()
    runs, found = 0, None
    while found is None and time.perf_counter() - start < budget:
        made, found = attempt(budget - (time.perf_counter() - start))
        runs += made
    return {"found": found is not None, "seconds": round(time.perf_counter() - start, 4),
            "runs": runs, "evidence": found}


def aioctx_tool(strategy: str) -> Callable[[Callable[[], None], float], dict[str, Any]]:
    from aioctx import sim

    class OutOfTime(Exception):
        pass

    def search(program: Callable[[], None], budget: float) -> dict[str, Any]:
        chosen = sim.DFS(2) if strategy == "dfs" else sim.PCT(3)
        start = time.perf_counter()
        done = [0]

        def count(n: int) -> None:            # the same time budget as every tool
            done[0] = n
            if time.perf_counter() - start > budget:
                raise OutOfTime

        try:
            result = sim.explore(program, chosen, runs=1_000_000, seed=1, line_level=True,
                                 max_executions=1_000_000, on_execution=count)
        except OutOfTime:
            return {"found": False, "seconds": round(time.perf_counter() - start, 4),
                    "runs": done[0]}
        out = {"found": result.failed, "seconds": round(time.perf_counter() - start, 4),
               "runs": result.executions}
        if result.failed:
            cx = result.counterexample
            out["report"] = cx.failure.kind
            out["replayed"] = sum(sim.replay(program, cx.schedule).failed
                                  for _ in range(REPLAYS))
        return out

    return search


def interleave_tool(strategy: str) -> Callable[[Callable[[], None], float], dict[str, Any]]:
    import interleave_test

    here = os.path.dirname(os.path.abspath(__file__))

    def search(program: Callable[[], None], budget: float) -> dict[str, Any]:
        def attempt(left: float) -> tuple[int, Any]:
            result = interleave_test.explore(program, iterations=50, seed=1 + attempt.runs,
                                             strategy=strategy, timeout=HANG_S,
                                             raise_on_failure=False, include=[here])
            attempt.runs += result.schedules_run
            return result.schedules_run, (None if result.ok else result.failure)

        attempt.runs = 0
        out = _until(budget, attempt)
        failure = out.pop("evidence")
        if failure is not None:
            out["report"] = failure.kind
            out["replayed"] = sum(not interleave_test.replay(
                program, failure, timeout=HANG_S, include=[here],
                raise_on_failure=False).ok for _ in range(REPLAYS))
        return out

    return search


def frontrun_tool(strategy: str) -> Callable[[Callable[[], None], float], dict[str, Any]]:
    import frontrun

    def search(program: Callable[[], None], budget: float) -> dict[str, Any]:
        failures: list[BaseException] = []

        def worker(_: object) -> None:
            try:
                program()
            except BaseException as exc:              # reported through the invariant
                failures.append(exc)

        def attempt(left: float) -> tuple[int, Any]:
            failures.clear()
            sampling = {"max_attempts": 20, "seed": 1} if strategy == "random" else {}
            result = frontrun.explore(setup=lambda: None, workers=[worker],
                                      invariant=lambda _: not failures, strategy=strategy,
                                      total_timeout=max(1.0, left), timeout_per_run=HANG_S,
                                      reproduce_on_failure=REPLAYS, **sampling)
            if result.property_holds is not False and not failures:
                return 20, None
            return 20, result

        out = _until(budget, attempt)
        result = out.pop("evidence")
        if result is not None:
            out["report"] = type(failures[0]).__name__ if failures else "stuck"
            out["replayed"] = (result.reproduction_successes
                               if result.reproduction_attempts else None)
        return out

    return search


def ploom_tool(program: Callable[[], None], budget: float) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    import ploom

    start = time.perf_counter()
    out: dict[str, Any] = {"found": False, "runs": 0}
    with tempfile.TemporaryDirectory() as traces:
        try:
            stats = ploom.check(program, config=ploom.Config(timeout=budget),
                                trace_dir=Path(traces), on_failure=lambda *a: None)
            out["runs"] = stats.executions
        except ploom.ModelCheckError as exc:
            out.update(found=True, report=type(exc).__name__,
                       replayed=sum(1 for _ in range(REPLAYS)
                                    if ploom.replay(program, exc.original_path)))
        except ploom.IncompleteExplorationError as exc:
            out["report"] = f"incomplete: {exc}"[:80]
    out["seconds"] = round(time.perf_counter() - start, 4)
    return out


TOOLS: dict[str, Callable[[], Any]] = {
    "aioctx-dfs": lambda: aioctx_tool("dfs"), "aioctx-pct": lambda: aioctx_tool("pct"),
    "interleave-test-pct": lambda: interleave_tool("pct"),
    "interleave-test-random": lambda: interleave_tool("random"),
    "frontrun-dpor": lambda: frontrun_tool("dpor"),
    "frontrun-random": lambda: frontrun_tool("random"),
    "ploom": lambda: ploom_tool,
}


# --------------------------------------------------------------------------- driver


def child(tool: str, name: str, fixed: bool, budget: float) -> dict[str, Any]:
    search = TOOLS[tool]()
    search(variant("lost-update", True), min(budget, 2.0))    # warm up, untimed
    return search(variant(name, fixed), budget)


def in_child(tool: str, name: str, fixed: bool, budget: float) -> dict[str, Any]:
    launcher = [sys.executable]
    if tool.startswith("frontrun"):
        launcher = [os.path.join(os.path.dirname(sys.executable), "frontrun"), sys.executable]
    cmd = [*launcher, os.path.abspath(__file__), "--child", tool, name,
           "--budget", str(budget)] + (["--fixed"] if fixed else [])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=budget * 4 + 60)
    except subprocess.TimeoutExpired:
        return {"found": False, "seconds": None, "error": "the tool's process did not end"}
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"found": False, "seconds": None, "error": (out.stderr.strip() or "no output")[-300:]}


def cell(racy: dict[str, Any], fixed: dict[str, Any], budget: float) -> str:
    if racy.get("error"):
        return f"error ({racy['error'].splitlines()[-1][:60]})"
    if not racy["found"]:
        text = f"not found ({budget:g} s)"
    else:
        text = f"{racy['seconds']:.3f} s"
        replayed = racy.get("replayed")
        text += (", no replay" if replayed is None
                 else f", replays {replayed}/{REPLAYS}")
    if fixed.get("found"):
        text += f"; FALSE ALARM on the fix ({fixed.get('report')})"
    return text


def run_all(budget: float, tools: list[str]) -> dict[str, Any]:
    """Every tool on every program, racy and fixed; the report and a markdown table."""
    rows: dict[str, Any] = {}
    for name in PROGRAMS:
        rows[name] = row = {}
        for tool in tools:
            row[tool] = {"racy": in_child(tool, name, False, budget),
                         "fixed": in_child(tool, name, True, budget)}
            print(name, tool, json.dumps(row[tool]), flush=True)
    head = ["program", *tools]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in rows.items():
        lines.append("| " + " | ".join([name] + [cell(row[t]["racy"], row[t]["fixed"], budget)
                                                  for t in tools]) + " |")
    return {"budget_s": budget, "rows": rows, "markdown": "\n".join(lines)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per tool and program")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--out", default="out/bench_plain.json")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "PROGRAM"), help=argparse.SUPPRESS)
    ap.add_argument("--fixed", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        got = child(*args.child, args.fixed, args.budget)
        print(json.dumps(got), flush=True)
        os._exit(0)                  # threads a hung run left behind must not hold us
    report = run_all(args.budget, args.tools.split(","))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(report["markdown"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
