"""Plain ``threading`` programs, unmodified, under aioctx and its Python peers.

Part of ``bench_sim.py`` (its ``--section plain``); also runs alone:

    .venv-bench/bin/python benchmarks/plain_threading.py [--budget 10] [--curve]

The programs are in ``plain_programs.py``: standard library only, a racy and a fixed
variant each.  Every tool runs the same function, unchanged, in a fresh process (as in
bench_sim): aioctx (``sim.explore`` with a step per line: DFS at 2 preemptions, and
PCT), interleave-test (PCT and random, its bytecode-level tracing), frontrun (DPOR and
random; the whole program is its one worker, a failure reported through the
invariant) and ploom (``ploom.check``).  frontrun also runs in its own form,
``frontrun-dpor (workers)``: the program's thread bodies handed to it as its workers,
the final assertion as its invariant.  For each: the time to the first failure of the
racy variant, whether the fixed variant is reported too within the same budget (a
false alarm), and whether the failure replays: the tool's own replay of what it found,
run 5 times, must fail 5 times.  ``--curve`` runs the lost update with 2 to 8
threads instead: how each tool's time to the failure grows with the program.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from plain_programs import CURVE_SIZES, PROGRAMS, curve_name, program, thread_bodies

REPLAYS = 5
HANG_S = 2.0


def variant(name: str, fixed: bool) -> Callable[[], None]:
    chosen = program(name)

    def run() -> None:
        chosen(fixed)

    run.__qualname__ = run.__name__ = "racy" if not fixed else "fixed"
    return run


# --------------------------------------------------------------------------- tools
# A tool's search takes the program's name, the variant and the budget, and returns
# {"found", "seconds", "runs", "report", "replayed"}: "replayed" is how many of REPLAYS
# replays of the failure it found failed again (None: no replay).
Search = Callable[[str, bool, float], dict[str, Any]]


def _until(budget: float, attempt: Callable[[float], tuple[int, Any]]) -> dict[str, Any]:
    start = time.perf_counter()
    runs, found = 0, None
    while found is None and time.perf_counter() - start < budget:
        made, found = attempt(budget - (time.perf_counter() - start))
        runs += made
    return {"found": found is not None, "seconds": round(time.perf_counter() - start, 4),
            "runs": runs, "evidence": found}


def aioctx_tool(strategy: str) -> Search:
    from aioctx import sim

    class OutOfTime(Exception):
        pass

    def search(name: str, fixed: bool, budget: float) -> dict[str, Any]:
        program = variant(name, fixed)
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


def interleave_tool(strategy: str) -> Search:
    import interleave_test

    here = os.path.dirname(os.path.abspath(__file__))

    def search(name: str, fixed: bool, budget: float) -> dict[str, Any]:
        program = variant(name, fixed)
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


def frontrun_tool(strategy: str) -> Search:
    import frontrun

    def search(name: str, fixed: bool, budget: float) -> dict[str, Any]:
        program = variant(name, fixed)
        failures: list[BaseException] = []

        def worker(_: object) -> None:
            try:
                program()
            except BaseException as exc:              # reported through the invariant
                failures.append(exc)

        def explore(left: float, replays: int) -> Any:
            failures.clear()
            sampling = {"max_attempts": 20, "seed": 1} if strategy == "random" else {}
            return frontrun.explore(setup=lambda: None, workers=[worker],
                                    invariant=lambda _: not failures, strategy=strategy,
                                    total_timeout=max(1.0, left), timeout_per_run=HANG_S,
                                    reproduce_on_failure=replays, **sampling)

        def attempt(left: float) -> tuple[int, Any]:
            result = explore(left, 0)        # timed without frontrun's own replays
            if result.property_holds is not False and not failures:
                return 20, None
            return 20, type(failures[0]).__name__ if failures else "stuck"

        out = _until(budget, attempt)
        report = out.pop("evidence")
        if report is not None:
            out["report"] = report
            again = explore(budget, REPLAYS)
            out["replayed"] = (again.reproduction_successes
                               if again.reproduction_attempts else None)
        return out

    return search


def frontrun_workers_tool() -> Search:
    """frontrun's own form: the program's thread bodies are its workers."""
    import frontrun

    def search(name: str, fixed: bool, budget: float) -> dict[str, Any]:
        bodies = thread_bodies(name, fixed)
        if bodies is None:
            return {"found": False, "seconds": None, "runs": 0, "na": "no thread bodies"}
        setup, workers, invariant = bodies

        def explore(timeout: float, replays: int) -> Any:
            return frontrun.explore(setup=setup, workers=workers, invariant=invariant,
                                    strategy="dpor", total_timeout=timeout,
                                    timeout_per_run=HANG_S, deadlock_timeout=HANG_S,
                                    reproduce_on_failure=replays)

        start = time.perf_counter()
        result = explore(budget, 0)          # timed without frontrun's own replays
        out: dict[str, Any] = {"found": result.property_holds is False,
                               "seconds": round(time.perf_counter() - start, 4),
                               "runs": result.num_explored,
                               "exhausted": bool(result.exhausted)}
        if result.inconclusive_reason:
            out["inconclusive"] = str(result.inconclusive_reason)[:120]
        if out["found"]:
            out["report"] = str(result.failure_kind or "invariant")
            again = explore(budget, REPLAYS)
            out["replayed"] = (again.reproduction_successes
                               if again.reproduction_attempts else None)
        return out

    return search


def ploom_tool(name: str, fixed: bool, budget: float) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    import ploom

    program = variant(name, fixed)
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
    "frontrun-dpor (workers)": frontrun_workers_tool,
    "ploom": lambda: ploom_tool,
}


# The tools the curve runs: frontrun on the unmodified program and ploom do not find
# the two-thread lost update (the table's first row), so at every size they would only
# spend their budget.
CURVE_TOOLS = ["aioctx-dfs", "aioctx-pct", "interleave-test-pct", "interleave-test-random",
               "frontrun-dpor (workers)"]
MODULES = {"aioctx": "aioctx", "interleave-test": "interleave_test", "frontrun": "frontrun",
           "ploom": "ploom"}


def installed(tools: list[str]) -> list[str]:
    """The tools whose package this Python has (interleave-test needs 3.12, ploom 3.13)."""
    import importlib.util

    return [t for t in tools if any(t.startswith(prefix) and importlib.util.find_spec(module)
                                    for prefix, module in MODULES.items())]


# --------------------------------------------------------------------------- driver


def child(tool: str, name: str, fixed: bool, budget: float) -> dict[str, Any]:
    search = TOOLS[tool]()
    search("lost-update", True, min(budget, 2.0))    # warm up, untimed
    return search(name, fixed, budget)


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


def cell(racy: dict[str, Any], fixed: dict[str, Any], budget: float,
         runs: bool = False) -> str:
    if racy.get("na"):
        return f"n/a ({racy['na']})"
    if racy.get("error"):
        return f"error ({racy['error'].splitlines()[-1][:60]})"
    if not racy["found"]:
        text = f"not found ({budget:g} s)"
    else:
        text = f"{racy['seconds']:.3f} s" + (f" ({racy['runs']:,} run{'s' * (racy['runs'] != 1)})"
                                             if runs else "")
        replayed = racy.get("replayed")
        text += (", no replay" if replayed is None
                 else f", replays {replayed}/{REPLAYS}")
    if fixed.get("found"):
        text += f"; FALSE ALARM on the fix ({fixed.get('report')})"
    return text


def fastest(row: dict[str, Any], tools: list[str]) -> tuple[str, float] | None:
    """The tool that found the racy variant first without a false alarm on the fix."""
    times = [(r["racy"]["seconds"], t) for t in tools if (r := row[t])["racy"].get("found")
             and not r["fixed"].get("found")]
    return (min(times)[1], min(times)[0]) if times else None


def versus(row: dict[str, Any], tools: list[str]) -> str:
    """The best aioctx time against the best peer's, as 'N.Nx' (> 1: aioctx first)."""
    ours = fastest(row, [t for t in tools if t.startswith("aioctx")])
    peer = fastest(row, [t for t in tools if not t.startswith("aioctx")])
    if ours is None or peer is None:
        return "aioctx only" if ours else ("peer only" if peer else "none")
    ratio = peer[1] / max(ours[1], 1e-4)
    return f"{ratio:.1f}x" + ("" if ratio >= 1 else f" ({peer[0]} wins)")


def run_curve(budget: float, tools: list[str]) -> dict[str, Any]:
    """The lost update with 2 to 8 threads, racy and fixed, under each tool."""
    return run_all(budget, tools, [curve_name(n) for n in CURVE_SIZES], runs=True)


def run_all(budget: float, tools: list[str], names: list[str] | None = None,
            runs: bool = False) -> dict[str, Any]:
    """Every tool on every program, racy and fixed; the report and a markdown table."""
    tools = installed(tools)
    rows: dict[str, Any] = {}
    for name in names or list(PROGRAMS):
        rows[name] = row = {}
        for tool in tools:
            row[tool] = {"racy": in_child(tool, name, False, budget),
                         "fixed": in_child(tool, name, True, budget)}
            print(name, tool, json.dumps(row[tool]), flush=True)
    head = ["program", *tools, "best peer / best aioctx"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in rows.items():
        cells = [cell(row[t]["racy"], row[t]["fixed"], budget, runs) for t in tools]
        lines.append("| " + " | ".join([name, *cells, versus(row, tools)]) + " |")
    return {"budget_s": budget, "rows": rows, "markdown": "\n".join(lines)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per tool and program")
    ap.add_argument("--tools", help="comma-separated (default: all; with --curve, "
                                    + ", ".join(CURVE_TOOLS) + ")")
    ap.add_argument("--out", default="out/bench_plain.json")
    ap.add_argument("--curve", action="store_true",
                    help=f"the lost update with {', '.join(map(str, CURVE_SIZES))} threads")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "PROGRAM"), help=argparse.SUPPRESS)
    ap.add_argument("--fixed", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        got = child(*args.child, args.fixed, args.budget)
        print(json.dumps(got), flush=True)
        os._exit(0)                  # threads a hung run left behind must not hold us
    load = os.getloadavg()
    if args.curve:
        report = run_curve(args.budget, args.tools.split(",") if args.tools else CURVE_TOOLS)
    else:
        report = run_all(args.budget, args.tools.split(",") if args.tools else list(TOOLS))
    report.update(python=sys.version.split()[0], load_average=load,
                  load_average_after=os.getloadavg())
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(report["markdown"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
