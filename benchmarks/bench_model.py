"""Throughput of aioctx.model: states and transitions per second, and SPIN end to end.

    python benchmarks/bench_model.py            # full run (a few minutes)
    python benchmarks/bench_model.py --quick    # smaller n, one repetition
    python benchmarks/bench_model.py --json out.json

Three tables, all measured in this one run, on one core (the checker is
single-threaded):

1. the shipped models (model/examples): safety by BFS and DFS, and the weakly fair
   liveness checks, with the verdict each must give;
2. growth with n: dining philosophers with ordered forks (deadlock-free, so the whole
   graph is explored) for increasing n, safety by DFS, and the graph lock with 1..3
   readers, weakly fair liveness;
3. SPIN end to end on aio_notify: ``spin -a`` + ``gcc -O2`` + ``./pan`` against our
   check of the same model, with SPIN told to build the same state graph
   (``-o1 -o2 -o3``, ``-DNOREDUCE``, see tests/model/conftest.py).  SPIN's verifier
   alone is far faster; on models of this size its compile step dominates.

Each figure is the best of ``--repeat`` runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aioctx.model import Result
from aioctx.model.examples import aio_notify, graph_lock
from aioctx.model.examples.classic import philosophers

PROMELA = Path(__file__).resolve().parent.parent / "tests" / "model" / "promela"


def best(run: Any, repeat: int) -> Result:
    """The fastest of ``repeat`` runs of ``run()`` (they explore the same graph)."""
    results = [run() for _ in range(repeat)]
    return min(results, key=lambda r: r.seconds)


def row(name: str, what: str, r: Result, expected: str) -> dict[str, Any]:
    verdict = r.verdict if r.verdict != "violation" else f"violation ({r.kind})"
    return {"model": name, "check": what, "verdict": verdict, "expected": expected,
            "states": r.states, "transitions": r.transitions, "seconds": r.seconds,
            "rate": r.rate, "mib": r.peak_memory / 2**20}


def shipped(repeat: int) -> list[dict[str, Any]]:
    rows = []
    fixed = aio_notify.model()
    rows.append(row("aio_notify", "safety, BFS", best(lambda: fixed.check(search="bfs"),
                                                       repeat), "ok"))
    rows.append(row("aio_notify", "safety, DFS", best(lambda: fixed.check(), repeat), "ok"))
    for prop in ("lost wakeup", "busy loop"):
        rows.append(row("aio_notify", f"{prop}, fair", best(
            lambda p=prop: fixed.check("acceptance", claim=p, fair=True), repeat), "ok"))
    for bug in aio_notify.BUGS:
        model = aio_notify.model(bug)
        prop = aio_notify.VIOLATES[bug]
        rows.append(row(f"aio_notify[{bug}]", f"{prop}, fair", best(
            lambda m=model, p=prop: m.check("acceptance", claim=p, fair=True), repeat),
            "violation"))
    lock = graph_lock.model()
    rows.append(row("graph_lock", "safety, BFS", best(lambda: lock.check(search="bfs"),
                                                       repeat), "ok"))
    for prop in ("writer starves", "reader0 starves"):
        rows.append(row("graph_lock", f"{prop}, fair", best(
            lambda p=prop: lock.check("acceptance", claim=p, fair=True), repeat), "ok"))
    bug = graph_lock.BUGS[0]
    buggy = graph_lock.model(bug)
    rows.append(row(f"graph_lock[{bug}]", "writer starves, fair", best(
        lambda: buggy.check("acceptance", claim="writer starves", fair=True), repeat),
        "violation"))
    return rows


def growth(ns: list[int], readers: list[int], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for n in ns:
        model = philosophers(n, ordered=True)
        rows.append(row(f"philosophers({n})", "safety, DFS", best(model.check, repeat), "ok"))
    for k in readers:
        model = graph_lock.model(readers=k)
        rows.append(row(f"graph_lock({k} readers)", "writer starves, fair", best(
            lambda m=model: m.check("acceptance", claim="writer starves", fair=True),
            repeat), "ok"))
    return rows


def spin_end_to_end(repeat: int) -> list[dict[str, Any]]:
    """SPIN (translate + compile + verify) against our check, same state graph."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if shutil.which("spin") is None or cc is None:
        return []
    rows = []
    cases = [("safety", (), (), lambda: aio_notify.model().check(search="bfs")),
             ("lost wakeup, fair", ("LOST_WAKEUP",), ("-a", "-f"),
              lambda: aio_notify.model().check("acceptance", claim="lost wakeup",
                                               fair=True))]
    for what, defines, args, ours in cases:
        spin_times, pan_times, stored = [], [], 0
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                shutil.copy(PROMELA / "aio_notify.pml", tmp)
                start = time.perf_counter()
                subprocess.run(["spin", "-a", "-o1", "-o2", "-o3",
                                *[f"-D{d}" for d in defines], "aio_notify.pml"],
                               cwd=tmp, check=True, capture_output=True)
                subprocess.run([cc, "-O2", "-DNOREDUCE", "-o", "pan", "pan.c"], cwd=tmp,
                               check=True, capture_output=True)
                verify = time.perf_counter()
                out = subprocess.run(["./pan", "-m100000", "-w18", *args], cwd=tmp, check=True,
                                     capture_output=True, text=True).stdout
                end = time.perf_counter()
            spin_times.append(end - start)
            pan_times.append(end - verify)
            stored = int(out.split(" states, stored")[0].split()[-1])
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = ours()
            runs.append((time.perf_counter() - start, result))
        seconds, result = min(runs, key=lambda x: x[0])
        rows.append({"check": f"aio_notify {what}", "spin_states": stored,
                     "our_states": result.states, "spin_seconds": min(spin_times),
                     "pan_seconds": min(pan_times), "our_seconds": seconds,
                     "speedup": min(spin_times) / seconds})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| model | check | verdict | states | transitions | s | transitions/s | MiB |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        flag = "" if r["verdict"].startswith(r["expected"]) else " (UNEXPECTED)"
        lines.append(f"| {r['model']} | {r['check']} | {r['verdict']}{flag} | "
                     f"{r['states']:,} | {r['transitions']:,} | {r['seconds']:.2f} | "
                     f"{r['rate']:,.0f} | {r['mib']:.1f} |")
    return "\n".join(lines)


def growth_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| model | check | states | x prev | s | x prev | transitions/s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    prev = None
    for r in rows:
        same = prev is not None and prev["model"].split("(")[0] == r["model"].split("(")[0]
        ratio_s = f"{r['states'] / prev['states']:.2f}" if same else ""
        ratio_t = f"{r['seconds'] / prev['seconds']:.2f}" if same and prev["seconds"] else ""
        lines.append(f"| {r['model']} | {r['check']} | {r['states']:,} | {ratio_s} | "
                     f"{r['seconds']:.2f} | {ratio_t} | {r['rate']:,.0f} |")
        prev = r
    return "\n".join(lines)


def spin_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| check | states (SPIN / ours) | SPIN end to end s | of which pan s | "
             "ours s | SPIN time / ours |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['check']} | {r['spin_states']:,} / {r['our_states']:,} | "
                     f"{r['spin_seconds']:.2f} | {r['pan_seconds']:.3f} | "
                     f"{r['our_seconds']:.2f} | {r['speedup']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller n, one repetition")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (best)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--only", choices=("shipped", "growth", "spin"), action="append",
                        help="run only these tables (repeatable)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    ns = list(range(4, 9)) if args.quick else list(range(4, 12))
    readers = [1, 2] if args.quick else [1, 2, 3]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# aioctx.model throughput (Python {sys.version.split()[0]}, best of {repeat}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at start)\n")
    only = set(args.only or ("shipped", "growth", "spin"))
    ship = shipped(repeat) if "shipped" in only else []
    if ship:
        print("## Shipped models\n\n" + table(ship) + "\n")
    grow = growth(ns, readers, repeat) if "growth" in only else []
    if grow:
        print("## Growth with n\n\n" + growth_table(grow) + "\n")
    spin = spin_end_to_end(repeat) if "spin" in only else []
    if spin:
        print("## SPIN end to end (same state graph)\n\n" + spin_table(spin) + "\n")
    elif "spin" in only:
        print("SPIN or a C compiler is missing: no SPIN comparison.\n")
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"shipped": ship, "growth": grow, "spin": spin},
                                        indent=2))
    bad = [r for r in ship + grow if not r["verdict"].startswith(r["expected"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
