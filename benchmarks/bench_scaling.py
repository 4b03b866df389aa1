"""How ``aioctx check`` scales against SPIN, from thousands of states to millions.

    python benchmarks/bench_scaling.py                   # every family, every size
    python benchmarks/bench_scaling.py --family filter --sizes 3,4 --json out.json
    python benchmarks/bench_scaling.py --tcg-exclusive /path/to/tcg-exclusive.promela
    python benchmarks/bench_scaling.py --family none --tcg-exclusive FILE --tcg-sizes 3

Model families of our own (benchmarks/models): the filter lock (N processes),
dining philosophers (N) and a bounded-buffer pipeline (N relay stages), each in safety
mode at growing N; optionally QEMU's docs/spin/tcg-exclusive.promela (not in this
repository: give a copy) at N_CPUS=2 and 3, in acceptance mode as its comment asks.
Every row is measured in the same run, one after another, for:

* aioctx: exact storage, ``--hash-compact``, ``--bitstate -w 30`` and a swarm
  (``--workers 2``, bitstate);
* SPIN: its defaults (statement merging and partial-order reduction), ``-DNOREDUCE``,
  ``-DHC4`` and ``-DBITSTATE -w30``;

each with the wall time end to end (aioctx: a new process that preprocesses, parses,
compiles and searches; SPIN: ``spin -a``, ``gcc -O2``, ``./pan``), the CPU time of the
same (what a shared machine's load does not inflate), the search time, the
states stored and the memory for states: ours the memory the search needed (``--json``'s
``memory``: the state table, the states and the search path), SPIN's "actual memory
usage for states" plus its hash table or bit array (its DFS stack, allocated for the
depth bound ``-m``, is left out; the JSON has pan's total too).  A run stopped by
``--budget`` seconds shows its verdict as "incomplete".  Verdicts of complete runs must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_promela import aioctx_command, pan_report

HERE = Path(__file__).resolve().parent
FAMILIES = {
    "filter": (HERE / "models" / "filter.pml", "N", [2, 3, 4]),
    "philosophers": (HERE / "models" / "philosophers.pml", "N", [4, 5, 6, 7]),
    "pipeline": (HERE / "models" / "pipeline.pml", "N", [1, 2, 3, 4]),
}
OURS = {"exact": [], "hash-compact": ["--hash-compact"],
        "bitstate": ["--bitstate", "-w", "30"], "swarm": ["--workers", "2"]}
SPIN = {"default": [], "NOREDUCE": ["-DNOREDUCE"], "HC4": ["-DHC4"],
        "BITSTATE": ["-DBITSTATE"]}


def run_ours(model: Path, defines: list[str], mode: list[str], variant: str,
             budget: float) -> dict[str, Any]:
    cmd = aioctx_command() + ["check", str(model), "--json", *mode, *OURS[variant],
                              "--time-limit", str(budget), *(f"-D{d}" for d in defines)]
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=budget * 3 + 120)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    if proc.returncode not in (0, 1, 3):
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stderr}")
    out = json.loads(proc.stdout)
    return {"tool": "aioctx", "variant": variant, "wall": wall, "cpu": cpu,
            "search": out["seconds"],
            "states": out["states"], "memory_mb": out["memory"] / 2**20,
            "verdict": out["verdict"], "limit": out["limit"]}


def run_spin(model: Path, defines: list[str], pan_mode: list[str], variant: str,
             budget: float, depth: int = 100_000) -> dict[str, Any]:
    """SPIN's pipeline; pan's depth bound (-m) grows tenfold until the search fits."""
    work = tempfile.mkdtemp(prefix="bench-scaling-")
    cflags = ["-DMEMLIM=4096", *SPIN[variant]] + ([] if pan_mode else ["-DSAFETY"])
    options = pan_mode + [f"-m{depth}"] + (["-w30"] if variant == "BITSTATE" else [])
    try:
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(["spin", *(f"-D{d}" for d in defines), "-a", str(model)], cwd=work,
                       check=True, capture_output=True)
        subprocess.run(["gcc", "-O2", "-w", *cflags, "-o", "pan", "pan.c"], cwd=work,
                       check=True, capture_output=True)
        try:
            proc = subprocess.run(["./pan", *options], cwd=work, capture_output=True,
                                  text=True, timeout=budget)
            out, verdict = proc.stdout, None
        except subprocess.TimeoutExpired as exc:
            out, verdict = (exc.stdout or b"").decode(), "incomplete"
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "max search depth too small" in out and depth < 10**7:
        return run_spin(model, defines, pan_mode, variant, budget, depth * 10)
    pan = pan_report(out)
    if verdict is None:
        verdict = "violation" if pan["errors"] else "ok"
        if "out of memory" in out:
            verdict = "incomplete"
    return {"tool": "SPIN", "variant": variant, "wall": wall, "cpu": cpu,
            "search": pan["seconds"],
            "states": pan["states"], "memory_mb": _megabytes(out, "for states") +
            _megabytes(out, "for hash (?:table|array)"),
            "total_mb": _megabytes(out, "total actual memory usage"),
            "verdict": verdict, "limit": None}


def children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _megabytes(out: str, what: str) -> float:
    """A line of pan's memory statistics (0 if absent)."""
    m = re.search(r"([\d.]+)\s+(?:actual memory usage |memory used )?" + what, out)
    return float(m.group(1)) if m else 0.0


def measure(name: str, model: Path, defines: list[str], ours_mode: list[str],
            pan_mode: list[str], budget: float) -> list[dict[str, Any]]:
    rows = [run_ours(model, defines, ours_mode, v, budget) for v in OURS]
    rows += [run_spin(model, defines, pan_mode, v, budget) for v in SPIN]
    complete = {r["verdict"] for r in rows if r["verdict"] != "incomplete"}
    if len(complete) > 1:
        raise RuntimeError(f"verdicts differ on {name}: " + ", ".join(
            f"{r['tool']} {r['variant']}: {r['verdict']}" for r in rows))
    for r in rows:
        r["instance"] = name
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| instance | tool | storage | verdict | end to end s | CPU s | search s "
             "| states | memory MB |", "|---" * 9 + "|"]
    for r in rows:
        lines.append(f"| {r['instance']} | {r['tool']} | {r['variant']} | {r['verdict']} "
                     f"| {r['wall']:.2f} | {r['cpu']:.2f} | {r['search']:.2f} "
                     f"| {r['states']:,} | {r['memory_mb']:,.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", action="append", choices=[*FAMILIES, "none"],
                    help="only this family (repeatable; 'none': only tcg-exclusive)")
    ap.add_argument("--sizes", help="only these values of N (comma-separated)")
    ap.add_argument("--tcg-exclusive", metavar="FILE",
                    help="also QEMU's tcg-exclusive.promela at N_CPUS=2 and 3")
    ap.add_argument("--tcg-sizes", default="2,3",
                    help="the values of N_CPUS for tcg-exclusive (default 2,3)")
    ap.add_argument("--budget", type=float, default=600.0,
                    help="seconds per run before it counts as incomplete (default 600)")
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = ap.parse_args(argv)
    for tool in ("spin", "gcc"):
        if shutil.which(tool) is None:
            print(f"bench_scaling: {tool} is not installed", file=sys.stderr)
            return 2
    print(f"aioctx command: {' '.join(aioctx_command())}; load average "
          f"{os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs\n", flush=True)
    rows: list[dict[str, Any]] = []
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    for family in args.family or list(FAMILIES):
        if family == "none":
            continue
        model, var, default_sizes = FAMILIES[family]
        for n in sizes or default_sizes:
            rows += measure(f"{family} {var}={n}", model, [f"{var}={n}"], [], [],
                            args.budget)
            print(table(rows[-len(OURS) - len(SPIN):]), flush=True)
    if args.tcg_exclusive:
        for cpus in (int(n) for n in args.tcg_sizes.split(",")):
            rows += measure(f"tcg-exclusive N_CPUS={cpus}", Path(args.tcg_exclusive),
                            [f"N_CPUS={cpus}"], ["--acceptance"], ["-a"], args.budget)
            print(table(rows[-len(OURS) - len(SPIN):]), flush=True)
    print("\n" + table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
