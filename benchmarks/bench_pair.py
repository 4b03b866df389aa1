"""A model's counterexample carried onto the code, against searching the code blind:
executions (and CPU seconds) to the first failure of each paired bug.

    python benchmarks/bench_pair.py                  # every paired bug, seeds 1-5
    python benchmarks/bench_pair.py --seeds 3 --json out.json

For every buggy variant that a mapping beside the project's models pairs with a
scenario (the regress rows ``NAME buggy transfer``), with each seed:

* **transfer**: ``Pair.transfer`` (the model variant's counterexample as an order of
  labelled operations, followed by the ``ordered`` strategy); executions until the
  scenario's failure, and the CPU time of the whole transfer (the model check that
  finds the counterexample included);
* **PCT**: the scenario's own PCT depth, runs until the first failure (at most
  ``--budget`` runs, default 2,000), no shrinking;
* **random walk**: the same, with the ``random`` strategy.

The ratios are the peer's executions over the transfer's, per bug, median over the
seeds; a peer that does not find the bug within its budget counts as its budget (a
lower bound, marked ``>``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from aioctx import sim
from aioctx.pairing import Pair, find_scenario
from aioctx.regress_pairing import pair_checks


def blind(strategy: str, scenario, seed: int, budget: int) -> tuple[int, bool, float]:
    """Executions to the first failure of ``strategy`` on the buggy code."""
    made = sim.PCT(scenario.pct_depth) if strategy == "pct" else sim.make_strategy(strategy)
    start = time.process_time()
    r = sim.explore(scenario.program(True), made, runs=budget, seed=seed,
                    max_steps=scenario.max_steps, shrink=False)
    return r.executions, r.failed, time.process_time() - start


def measure(seeds: int, budget: int) -> list[dict]:
    rows = []
    for check in pair_checks(1):
        if check.what != "transfer":
            continue
        scenario = find_scenario(check.scenario)
        row: dict = {"scenario": check.scenario, "model": check.model_stem,
                     "defines": list(check.defines), "seeds": []}
        for seed in range(1, seeds + 1):
            pair = Pair(check.model, check.scenario, list(check.defines),
                        mapping=check.mapping)
            start = time.process_time()
            t = pair.transfer(seed=seed)
            entry = {"seed": seed, "transfer": t.executions if t.reproduced else None,
                     "transfer_cpu": time.process_time() - start}
            for strategy in ("pct", "random"):
                n, found, cpu = blind(strategy, scenario, seed, budget)
                entry[strategy] = n if found else None
                entry[f"{strategy}_budget"] = n
                entry[f"{strategy}_cpu"] = cpu
            row["seeds"].append(entry)
            print(f"  {check.scenario} seed {seed}: {entry}", flush=True)
        rows.append(row)
    return rows


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(rows: list[dict]) -> str:
    lines = ["| bug (scenario) | transfer: executions | PCT: executions | random walk: "
             "executions | PCT / transfer | transfer CPU s | PCT CPU s |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        seeds = row["seeds"]
        tr = [s["transfer"] for s in seeds if s["transfer"] is not None]
        cells = [f"{min(tr)}-{max(tr)} ({len(tr)}/{len(seeds)} seeds)" if tr else "none"]
        ratio = ""
        for strategy in ("pct", "random"):
            got = [s[strategy] if s[strategy] is not None else s[f"{strategy}_budget"]
                   for s in seeds]
            missed = sum(s[strategy] is None for s in seeds)
            cells.append(f"median {_median(got):.0f}, {min(got)}-{max(got)}"
                         + (f" ({missed} not found: budget counted)" if missed else ""))
            if strategy == "pct" and tr:
                mark = ">" if missed else ""
                ratio = f"{mark}{_median(got) / _median(tr):.0f}x"
        cpu_t = _median([s["transfer_cpu"] for s in seeds])
        cpu_p = _median([s["pct_cpu"] for s in seeds])
        lines.append(f"| {row['scenario']} | {cells[0]} | {cells[1]} | {cells[2]} | "
                     f"{ratio} | {cpu_t:.2f} | {cpu_p:.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--budget", type=int, default=2_000,
                    help="runs PCT and random walk may take per seed")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    rows = measure(args.seeds, args.budget)
    print(report(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
