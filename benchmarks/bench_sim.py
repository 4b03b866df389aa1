"""aioctx.sim against its peers, measured in one run (see benchmarks/README.md).

    python3.13 -m venv .venv-bench    # 3.12 for interleave-test, 3.13 for ploom
    .venv-bench/bin/pip install -e '.[bench]'
    .venv-bench/bin/python benchmarks/bench_sim.py [--budget 20] [--out out/bench_sim.json]

1. Engines: executions and scheduling points per second, fiber vs OS-thread engine,
   on the same program and schedules (random walk, same seed).
2. Time to first failure for every catalogue scenario (buggy variant):
   * aioctx.sim PCT (depth 3, seed 1) and bounded DFS (bound 2), under the memory model
     the catalogue names for the bug (x86-TSO or the ARM-style model for the six
     memory-ordering bugs, which none of the peers simulates);
   * plain stress testing: the same program on free-running OS threads, repeated until
     it fails (an exception, or a hang longer than HANG_S) or the budget is spent;
   * interleave-test (PCT and random, seed 1) and frontrun (random, seed 1) running the
     same program.  The peers control ``threading`` but not eventfds, so for them the
     EventNotifier and poll are built on one ``threading.Condition`` (``CondBackend``);
     everything else is the same impl code.
   Every tool is measured the same way: each (tool, bug, variant) runs in a fresh
   process, which imports the tool and the program, warms the tool up on a small
   neutral program (``warm_program``), then starts the clock; it stops when the tool
   says a failure was found (for aioctx: ``result.failed``; building the counterexample,
   shrunk, traced and checked for determinism, is timed apart, for PCT and DFS alike,
   and checked against the target: no longer than the search, or 1 s).  A peer's report is a
   find only if it shows this bug (the exception type aioctx.sim reports for it, or a
   hang/deadlock for a lost wakeup or deadlock) and the same tool does not give the
   same report on the fixed variant within the same budget (a false alarm).  Each tool
   gets ``--budget`` seconds per bug; ratios are against the best peer.
3. Plain ``threading`` programs, unmodified, under aioctx (a step per line), frontrun,
   interleave-test and ploom: time to the first failure, false alarms on the fixed
   variants, and whether each tool's replay of its failure fails again; then the
   lost update with 2 to 8 threads: how each tool's time to the failure grows
   (``plain_threading.py``; ``--section plain`` runs only this part).
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
from typing import Any

from aioctx.sim.scenarios import CATALOGUE
from peer_world import fresh_world, peer_model, warm_program

from aioctx import sim

HANG_S = 0.5
BUILD_TARGET_S = 1.0               # a counterexample builds within max(search, this)
MAX_STRESS_RUNS = 2_000
PEERS = ("stress", "interleave-test-pct", "interleave-test-random", "frontrun-random")
OURS = ("aioctx-pct", "aioctx-dfs")
STUCK = "stuck"                    # a peer's report of a hang or deadlock


def exception_report(exc: BaseException) -> str:
    return f"exception:{type(exc).__name__}"


# --------------------------------------------------------------------------- the tools
# Every tool runs in a child process of its own: ``warm_up`` once, then ``search`` up to
# REPEATS times (while within the budget), each timed from its start to the tool's
# report; the fastest counts (the machine is shared: interference only adds time).
# A search returns {"found", "seconds", "runs", "report"}; the report is what the tool
# said was wrong.

REPEATS = 3


class Stopwatch:
    """Wall time (what the user waits) and this process's CPU time (what the work
    costs: on a shared machine only the wall time grows with the load)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()

    def seconds(self) -> float:
        return round(time.perf_counter() - self.t0, 4)

    def cpu_seconds(self) -> float:
        return round(time.process_time() - self.c0, 4)


def outcome(clock: Stopwatch, runs: int, report: str | None) -> dict[str, Any]:
    return {"found": report is not None, "seconds": clock.seconds(), "runs": runs,
            "report": report}


Attempt = Callable[[int, float], tuple[int, str | None]]


def search_until(budget: float, attempt: Attempt, max_runs: int | None = None
                 ) -> dict[str, Any]:
    """A peer's search: ``attempt(runs so far, seconds left)`` returns the runs it made
    and its report (None: nothing found), repeated until a report, the ``budget`` or
    ``max_runs``."""
    clock = Stopwatch()
    deadline = time.perf_counter() + budget
    runs, report = 0, None
    while report is None and time.perf_counter() < deadline and \
            (max_runs is None or runs < max_runs):
        made, report = attempt(runs, deadline - time.perf_counter())
        runs += made
    return outcome(clock, runs, report)


class Aioctx:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def strategy(self) -> Any:
        return sim.PCT(3) if self.kind == "pct" else sim.DFS(2)

    def warm_up(self) -> None:
        str(sim.explore(warm_program, self.strategy(), runs=20, seed=1))

    def search(self, slug: str, budget: float, buggy: bool) -> dict[str, Any]:
        s = CATALOGUE[slug]
        clock = Stopwatch()
        r = sim.explore(s.program(buggy), self.strategy(), runs=1_000_000, seed=1,
                        max_steps=s.max_steps, memory_model=s.memory_model)
        out = outcome(clock, r.executions, "failed" if r.failed else None)
        out["cpu_s"] = clock.cpu_seconds()
        if r.failed:
            clock = Stopwatch()
            str(r)                              # shrink, trace, check determinism
            out["counterexample_s"] = clock.seconds()
            out["counterexample_cpu_s"] = clock.cpu_seconds()
            failure = r.counterexample.failure
            out["report"] = failure.kind
            out["signature"] = list(failure.signature)
        return out


class Stress:
    """Free-running threads: run the program over and over; a failure is an exception
    or a run that does not finish within HANG_S (a lost wakeup hangs for real)."""

    @staticmethod
    def one(program: Callable[[], None]) -> str | None:
        errors: list[BaseException] = []

        def body() -> None:
            try:
                fresh_world()
                program()
            except BaseException as exc:       # a failure of the program under test
                errors.append(exc)

        t = threading.Thread(target=body, daemon=True)
        t.start()
        t.join(HANG_S)
        if errors:
            return exception_report(errors[0])
        return STUCK if t.is_alive() else None

    def warm_up(self) -> None:
        self.one(warm_program)

    def search(self, slug: str, budget: float, buggy: bool) -> dict[str, Any]:
        program = CATALOGUE[slug].program(buggy)
        return search_until(budget, lambda _runs, _left: (1, self.one(program)),
                            MAX_STRESS_RUNS)


class Interleave:
    def __init__(self, strategy: str) -> None:
        import interleave_test
        self.it = interleave_test
        self.strategy = strategy

    def explore(self, model: Callable[[], None], seed: int, iterations: int) -> Any:
        return self.it.explore(model, iterations=iterations, seed=seed,
                               strategy=self.strategy, timeout=HANG_S * 4,
                               raise_on_failure=False, include=["aioctx"])

    def warm_up(self) -> None:
        self.explore(peer_model(warm_program), 1, 20)

    def search(self, slug: str, budget: float, buggy: bool) -> dict[str, Any]:
        model = peer_model(CATALOGUE[slug].program(buggy))

        def attempt(runs: int, _left: float) -> tuple[int, str | None]:
            result = self.explore(model, 1 + runs, 50)
            if result.ok:
                return result.schedules_run, None
            f = result.failure
            return result.schedules_run, (exception_report(f.exception)
                                          if f.kind == "exception" else STUCK)

        return search_until(budget, attempt)


class Frontrun:
    """frontrun runs only under its own launcher (``frontrun python ...``).  The whole
    program is its one worker; an exception it raises is caught there, and frontrun's
    own aborts (a deadlock detected, a run that timed out) are reported as hangs; a
    search that ran out of time with nothing to show is inconclusive, not a find."""

    def __init__(self) -> None:
        import frontrun
        self.frontrun = frontrun
        self.failures: list[BaseException] = []

    def explore(self, model: Callable[[], None], seed: int, attempts: int,
                timeout: float) -> Any:
        def worker(_: object) -> None:
            try:
                model()
            except BaseException as exc:       # reported through the invariant
                self.failures.append(exc)

        self.failures.clear()
        return self.frontrun.explore(
            setup=lambda: None, workers=[worker], invariant=lambda _: not self.failures,
            strategy="random", max_attempts=attempts, seed=seed, total_timeout=timeout,
            timeout_per_run=HANG_S * 4, reproduce_on_failure=0)

    def warm_up(self) -> None:
        self.explore(peer_model(warm_program), 1, 20, 10.0)

    def search(self, slug: str, budget: float, buggy: bool) -> dict[str, Any]:
        model = peer_model(CATALOGUE[slug].program(buggy))

        def attempt(runs: int, left: float) -> tuple[int, str | None]:
            result = self.explore(model, 1 + runs, 20, max(1.0, left))
            failures = self.failures
            if not failures and result.property_holds is not False:
                return 20, None
            own = [e for e in failures if type(e).__module__.startswith("frontrun")]
            return 20, (exception_report(failures[0]) if failures and not own else STUCK)

        return search_until(budget, attempt)


TOOLS: dict[str, Callable[[], Any]] = {
    "aioctx-pct": lambda: Aioctx("pct"),
    "aioctx-dfs": lambda: Aioctx("dfs"),
    "stress": Stress,
    "interleave-test-pct": lambda: Interleave("pct"),
    "interleave-test-random": lambda: Interleave("random"),
    "frontrun-random": Frontrun,
}


def child(name: str, slug: str, budget: float, buggy: bool, repeats: int) -> dict[str, Any]:
    """What a child process does: warm the tool up, then the best of ``repeats``
    searches (a search that finds nothing ends the series)."""
    tool = TOOLS[name]()
    tool.warm_up()
    best: dict[str, Any] | None = None
    spent = 0.0
    for n in range(1, repeats + 1):
        got = tool.search(slug, budget, buggy)
        spent += got["seconds"]
        if not got["found"]:
            return best or got
        if best is None or got["seconds"] < best["seconds"]:
            best = got
        best["repeats"] = n
        if spent > budget:
            break
    assert best is not None
    return best


def in_child(tool: str, slug: str, budget: float, buggy: bool,
             repeats: int = REPEATS) -> dict[str, Any]:
    """Run ``tool`` on one variant in a fresh process; its answer is one JSON line."""
    launcher = [sys.executable]
    if tool.startswith("frontrun"):
        launcher = [os.path.join(os.path.dirname(sys.executable), "frontrun"), sys.executable]
    cmd = [*launcher, os.path.abspath(__file__), "--child", tool, slug,
           "--budget", str(budget), "--repeats", str(repeats)] + ([] if buggy else ["--fixed"])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=budget * 3 + 60)
    except subprocess.TimeoutExpired:
        return {"found": False, "seconds": None, "runs": 0, "report": None,
                "error": "the tool's process did not end"}
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"found": False, "seconds": None, "runs": 0, "report": None,
            "error": out.stderr.strip()[-300:]}


# --------------------------------------------------------------------------- verdicts


def shows_the_bug(report: str, signature: list[str] | None, expect: tuple[str, ...]) -> bool:
    """Is a peer's report this bug's symptom?  An exception must be of the type
    aioctx.sim reports for the bug; a hang or deadlock is the symptom of a lost wakeup
    or a deadlock."""
    if report == STUCK:
        return bool({"lost-wakeup", "deadlock"} & set(expect))
    if signature is not None and signature[0] == "exception":
        return report == f"exception:{signature[1]}"
    return "exception" in expect


def judge_peer(got: dict[str, Any], tool: str, slug: str, budget: float,
               signature: list[str] | None) -> None:
    """Classify a peer's find: a find, another report, or a false alarm."""
    if not got["found"]:
        got["verdict"] = "not found"
        return
    if not shows_the_bug(got["report"], signature, CATALOGUE[slug].expect):
        got["verdict"] = "other report"
        return
    fixed = in_child(tool, slug, budget, False, repeats=1)
    got["fixed_variant_report"] = fixed["report"]
    got["verdict"] = "false alarm" if fixed["report"] == got["report"] else "find"


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


def bug_row(slug: str, tools: list[str], budget: float) -> dict[str, Any]:
    row: dict[str, Any] = {name: in_child(name, slug, budget, True) for name in OURS}
    signature = row["aioctx-pct"].get("signature")
    for name in tools:
        row[name] = got = in_child(name, slug, budget, True)
        judge_peer(got, name, slug, budget, signature)
    found = [row[t]["seconds"] for t in OURS if row[t]["found"]]
    others = [row[t]["seconds"] for t in tools if row[t]["verdict"] == "find"]
    if not tools:
        row["speedup_vs_best_other"] = "no peer run"
    elif not found:
        row["speedup_vs_best_other"] = "aioctx did not find it"
    elif others:
        row["speedup_vs_best_other"] = round(min(others) / min(found), 1)
    else:
        row["speedup_vs_best_other"] = f">{round(budget / min(found))} (none found)"
    return row


def cell(got: dict[str, Any], budget: float) -> str:
    if got.get("verdict", "find") == "find" and got["found"]:
        text = f"{got['seconds']:.3f} s"
        fixed = got.get("fixed_variant_report")
        return text + (f" (fixed: {fixed})" if fixed else "")
    if got.get("verdict") == "false alarm":
        return f"false alarm ({got['report']})"
    if got.get("verdict") == "other report":
        return f"other report ({got['report']})"
    return f"not found ({budget:g} s)"


def build_cell(got: dict[str, Any]) -> str:
    """The counterexample's build time (wall, then CPU), flagged when its CPU time was
    longer than both the search's CPU time and BUILD_TARGET_S: CPU time is judged
    because it does not grow with the load of a shared machine."""
    cx = got.get("counterexample_s")
    if cx is None:
        return "-"
    cpu = got["counterexample_cpu_s"]
    over = cpu > max(got["cpu_s"], BUILD_TARGET_S)
    return f"{cx:.3f} s (cpu {cpu:.3f} s)" + (" (over target)" if over else "")


def markdown(report: dict[str, Any], tools: list[str]) -> str:
    budget = report["budget_s"]
    head = ["bug", *OURS, "counterexample (pct / dfs)", *tools, "aioctx vs best peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for slug, row in report["bugs"].items():
        cells = [slug] + [cell(row[t], budget) for t in OURS]
        cells.append(" / ".join(build_cell(row[t]) for t in OURS))
        cells += [cell(row[t], budget) for t in tools]
        ratio = row["speedup_vs_best_other"]
        cells.append(f"{ratio}x" if isinstance(ratio, float) else f"{ratio}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def work(slugs: list[str]) -> str:
    """What building each PCT counterexample costs in scheduling points (the
    simulation's unit of work, the same on any machine), beside its search's, and the
    size of what it builds."""
    from aioctx.sim import execution

    spent = [0]
    run = execution.Execution.run

    def counting(ex: execution.Execution) -> Any:
        try:
            return run(ex)
        finally:
            spent[0] += ex.nsteps

    execution.Execution.run = counting          # type: ignore[method-assign]
    lines = ["| bug (PCT) | search | build | preemptions | steps | decisions |",
             "|---|---:|---:|---:|---:|---:|"]
    try:
        for slug in slugs:
            s = CATALOGUE[slug]
            spent[0] = 0
            r = sim.explore(s.program(True), sim.PCT(s.pct_depth), runs=s.pct_runs,
                            seed=s.seed, max_steps=s.max_steps, memory_model=s.memory_model)
            search, spent[0] = spent[0], 0
            cx = r.counterexample
            lines.append(f"| {slug} | {search:,} | {spent[0]:,} | {cx.preemptions} | "
                         f"{cx.failure.step} | {len(cx.schedule['decisions'])} |")
    finally:
        execution.Execution.run = run           # type: ignore[method-assign]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per tool and bug")
    ap.add_argument("--bugs", default=",".join(CATALOGUE), help="comma-separated slugs")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated peers to run ('' for aioctx alone)")
    ap.add_argument("--out", default="out/bench_sim.json")
    ap.add_argument("--work", action="store_true",
                    help="print the scheduling points each PCT counterexample costs to "
                         "build, beside its search's (no timing, no peers)")
    ap.add_argument("--section", choices=("all", "catalogue", "plain"), default="all",
                    help="run the catalogue comparison, the plain-threading one, or both")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "SLUG"), help=argparse.SUPPRESS)
    ap.add_argument("--fixed", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=REPEATS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.work:
        print(work(args.bugs.split(",")))
        return 0
    if args.child:
        tool, slug = args.child
        got = child(tool, slug, args.budget, not args.fixed, args.repeats)
        print(json.dumps(got), flush=True)
        os._exit(0)                # threads a hung run left behind must not hold us
    tools = [t for t in args.peers.split(",") if t]
    unknown = [t for t in tools if t not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    if sys.version_info < (3, 12):
        tools = [t for t in tools if t == "stress"]   # the others need Python 3.12
    report: dict[str, Any] = {"python": sys.version.split()[0], "budget_s": args.budget,
                              "load_average": os.getloadavg(), "bugs": {}}
    if args.section != "plain":
        report["engines"] = engines(args.budget)
        print(f"engines: {json.dumps(report['engines'])}", flush=True)
        for slug in args.bugs.split(","):
            report["bugs"][slug] = row = bug_row(slug, tools, args.budget)
            print(slug, json.dumps(row), flush=True)
    if args.section != "catalogue":
        import plain_threading
        report["plain"] = plain_threading.run_all(args.budget, list(plain_threading.TOOLS))
        report["plain_curve"] = plain_threading.run_curve(args.budget,
                                                          plain_threading.CURVE_TOOLS)
    report["load_average_after"] = os.getloadavg()
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    if report["bugs"]:
        print(markdown(report, tools))
    if "plain" in report:
        print(report["plain"]["markdown"], report["plain_curve"]["markdown"], sep="\n\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
