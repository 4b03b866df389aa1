"""One ~10^8-state instance of a scaling family: ``--bitstate`` alone, then a swarm on a
Dask LocalCluster, each with its coverage estimate.

    python benchmarks/bench_large.py calibrate --sizes 1,2,3,4,5,6
    nice -n 19 python benchmarks/bench_large.py bitstate -w 33 --time-limit 4800
    nice -n 19 python benchmarks/bench_large.py swarm -w 32 --time-limit 4500

The instance is a family of bench_scaling.py (default: the pipeline at N=9) with the
reductions on, as ``aioctx check`` runs it by default.  Its reachable state count is
too large to count exactly here, so ``calibrate`` counts the family exactly at small N
(the same reductions) and projects the count at the target N from the growth factor
of the last two sizes; every other part prints that projection next to what it
reached.  The coverage estimate of a run is then:

* ``bitstate``: one ``aioctx check --bitstate`` process (under ``--memory-limit``,
  4G by default): the states it stored, the bit array's hash factor and expected
  number of states missed by hash collisions (``--json``'s ``store``), and the states
  stored against the projection; its peak resident memory is the child's
  (getrusage);
* ``swarm``: a ``distributed.LocalCluster`` of ``--dask-workers`` worker processes of
  one thread each, and ``aioctx check --scheduler`` running one bitstate search per
  worker: the merged estimate of the distinct states the searches stored (HyperLogLog),
  against the projection; its peak memory is the largest sum of the workers' resident
  memory, sampled every second.

A run stopped by its time or memory budget says so ("incomplete" and the budget), with
the states it reached: the figures are what happened, not a projection.  Run it under
``nice`` on a shared machine; the load average at the start and the end is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench_promela import aioctx_command
from bench_scaling import FAMILIES


def run_check(args: list[str]) -> tuple[dict[str, Any], float, int]:
    """``aioctx check ... --json``: (its report, wall seconds, exit status)."""
    start = time.perf_counter()
    proc = subprocess.run(aioctx_command() + ["check", *args, "--json"], capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1, 3):
        raise RuntimeError(f"aioctx check {' '.join(args)}: exit {proc.returncode}\n"
                           f"{proc.stderr}")
    return json.loads(proc.stdout), seconds, proc.returncode


def model_args(family: str, n: int) -> list[str]:
    model, var, _ = FAMILIES[family]
    return [str(model), f"-D{var}={n}"]


def calibrate(family: str, sizes: list[int], target: int) -> dict[str, Any]:
    """Exact state counts at ``sizes`` and the count projected at ``target``."""
    counts = {}
    for n in sizes:
        report, _, _ = run_check(model_args(family, n))
        if report["verdict"] != "ok":
            raise RuntimeError(f"{family} N={n}: {report['verdict']}")
        counts[n] = report["states"]
        print(f"{family} N={n}: {counts[n]:,} states", flush=True)
    a, b = sizes[-2], sizes[-1]
    factor = (counts[b] / counts[a]) ** (1 / (b - a))
    projected = round(counts[b] * factor ** (target - b))
    print(f"growth x{factor:.3f} per step from N={a} to N={b}: N={target} projected at "
          f"{projected:,} states", flush=True)
    return {"counts": counts, "factor": factor, "target": target, "projected": projected}


def bitstate(family: str, n: int, width: int, hashes: int, time_limit: float,
             memory_limit: str) -> dict[str, Any]:
    report, seconds, status = run_check(model_args(family, n) + [
        "--bitstate", "-w", str(width), "-k", str(hashes), "--time-limit", str(time_limit),
        "--memory-limit", memory_limit])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"run": "bitstate", "exit": status, "wall": seconds, "peak_rss": peak,
            "report": report}


class WorkerMemory(threading.Thread):
    """Samples the resident memory of some processes every second: the peak of their
    sum, and each one's peak."""

    def __init__(self, pids: list[int]) -> None:
        import psutil
        super().__init__(daemon=True)
        self.procs = [psutil.Process(pid) for pid in pids]
        self.peak_sum = 0
        self.peaks = [0] * len(pids)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            rss = []
            for proc in self.procs:
                try:
                    rss.append(proc.memory_info().rss)
                except Exception:           # a worker that ended holds nothing
                    rss.append(0)
            self.peaks = [max(p, r) for p, r in zip(self.peaks, rss, strict=True)]
            self.peak_sum = max(self.peak_sum, sum(rss))


def swarm(family: str, n: int, width: int, hashes: int, time_limit: float,
          memory_limit: str, workers: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        sampler = WorkerMemory(pids)
        sampler.start()
        try:
            report, seconds, status = run_check(model_args(family, n) + [
                "--bitstate", "-w", str(width), "-k", str(hashes),
                "--time-limit", str(time_limit), "--memory-limit", memory_limit,
                "--scheduler", cluster.scheduler_address, "--searches", str(workers)])
        finally:
            sampler.done.set()
            sampler.join()
    return {"run": "swarm", "exit": status, "wall": seconds, "peak_rss": sampler.peak_sum,
            "worker_peaks": sampler.peaks, "report": report}


def summary(row: dict[str, Any], projected: int | None) -> str:
    r = row["report"]
    lines = [f"{row['run']}: exit {row['exit']}, verdict {r['verdict']}"
             + (f" (budget: {r['limit']})" if r.get("limit") else "")
             + f", {r['states']:,} states, {r['transitions']:,} transitions, depth "
             f"{r['depth']:,}, search {r['seconds']:.0f} s "
             f"({r['states'] / max(r['seconds'], 1e-9):,.0f} states/s), wall "
             f"{row['wall']:.0f} s, peak RSS {row['peak_rss'] / 2**20:,.0f} MiB"]
    store = r.get("store") or {}
    if store.get("hash_factor"):
        lines.append(f"  bit array 2^{store['bits'].bit_length() - 1} bits "
                     f"({store['bits'] // 8 // 2**20:,} MiB), hash factor "
                     f"{store['hash_factor']:,.1f}, expected missed states "
                     f"{store['expected_missed']:,.1f}")
    if r.get("swarm"):
        runs = ", ".join(f"{s['states']:,} ({s['verdict']})" for s in r["swarm"]["runs"])
        lines.append(f"  swarm on {r['swarm']['where']}: distinct states (estimate) "
                     f"{r['swarm']['distinct_states']:,}; per search {runs}")
    if projected:
        lines.append(f"  coverage of the projected {projected:,} states: "
                     f"{r['states'] / projected:.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("part", choices=["calibrate", "bitstate", "swarm"])
    ap.add_argument("--family", choices=list(FAMILIES), default="pipeline")
    ap.add_argument("-N", type=int, default=9, help="the instance's size (default 9)")
    ap.add_argument("--sizes", default="1,2,3,4,5,6",
                    help="sizes counted exactly to project the count (default 1..6)")
    ap.add_argument("-w", type=int, default=33, help="bit array of 2**W bits (default 33)")
    ap.add_argument("-k", type=int, default=3, help="bits per state (default 3)")
    ap.add_argument("--time-limit", type=float, default=3600.0, help="seconds (default 3600)")
    ap.add_argument("--memory-limit", default="4G",
                    help="aioctx's --memory-limit (default 4G; per search in a swarm)")
    ap.add_argument("--dask-workers", type=int, default=2,
                    help="worker processes of the LocalCluster (default 2)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    print(f"aioctx command: {' '.join(aioctx_command())}; load average at the start "
          f"{os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs", flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    law = calibrate(args.family, sizes, args.N)
    out: dict[str, Any] = {"family": args.family, "N": args.N, "calibration": law}
    if args.part == "bitstate":
        out["row"] = bitstate(args.family, args.N, args.w, args.k, args.time_limit,
                              args.memory_limit)
    elif args.part == "swarm":
        out["row"] = swarm(args.family, args.N, args.w, args.k, args.time_limit,
                           args.memory_limit, args.dask_workers)
    if "row" in out:
        print(summary(out["row"], law["projected"]))
    out["load_end"] = os.getloadavg()
    print(f"load average at the end {out['load_end'][0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
