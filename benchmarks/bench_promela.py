"""``aioctx check`` against SPIN's whole pipeline, end to end, on the project's models.

    python benchmarks/bench_promela.py              # every model, three modes, 5 runs each
    python benchmarks/bench_promela.py --repeat 3 --json out.json

For each model of promela/models (its default option set), in safety, acceptance and
acceptance-with-fairness mode, one run measures:

* aioctx: the wall time of the ``aioctx check`` command (a new Python process: start-up,
  imports, preprocessing, parsing, compiling, searching, printing);
* SPIN: the wall time of its pipeline in a fresh directory: ``spin -a``, ``gcc -O2``
  (with ``-DSAFETY`` for safety), ``./pan`` (``-a``, ``-a -f``), SPIN's defaults
  otherwise (statement merging and partial-order reduction on);
* the search alone: states and transitions per second, ours (from ``--json``) and
  pan's (from its report), where pan's search is long enough to be timed.

It also times Python start-up, the imports ``aioctx check`` needs and building the
parser without its cache, and adds the largest model: aio-notify-accept scaled up
with ``-DNOTES=n``, where SPIN's compile time is no longer the main cost.

Each figure is the median of ``--repeat`` runs (the machine may be shared).  The
``AIOCTX`` environment variable names the command to time (default: the ``aioctx``
installed next to this Python).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "promela" / "models").glob("*.pml"))
MODES = {"safety": (["-DSAFETY"], [], []),
         "acceptance": ([], ["-a"], ["--acceptance"]),
         "acceptance+fair": ([], ["-a", "-f"], ["--acceptance", "--fair"])}
LARGE = ("aio-notify-accept.pml", ["NOTES=3"])


def aioctx_command() -> list[str]:
    if os.environ.get("AIOCTX"):
        return shlex.split(os.environ["AIOCTX"])
    script = Path(sys.executable).with_name("aioctx")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aioctx"]


def wall(cmd: list[str], cwd: str | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
    return seconds, run.stdout


def time_aioctx(model: Path, defines: list[str], mode: str) -> tuple[float, dict[str, Any]]:
    cmd = aioctx_command() + ["check", str(model), "--json", *MODES[mode][2]]
    cmd += [f"-D{d}" for d in defines]
    seconds, out = wall(cmd)
    return seconds, json.loads(out)


def time_spin(model: Path, defines: list[str], mode: str) -> tuple[float, dict[str, Any]]:
    cflags, options, _ = MODES[mode]
    work = tempfile.mkdtemp(prefix="bench-spin-")
    try:
        start = time.perf_counter()
        wall(["spin", *(f"-D{d}" for d in defines), "-a", str(model)], cwd=work)
        wall(["gcc", "-O2", "-w", *cflags, "-o", "pan", "pan.c"], cwd=work)
        _, out = wall(["./pan", *options], cwd=work)
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return seconds, pan_report(out)


def pan_report(out: str) -> dict[str, Any]:
    def number(pattern: str) -> float:
        m = re.search(pattern, out)
        return float(m.group(1)) if m else 0.0
    return {"errors": int(number(r"errors: (\d+)")),
            "states": int(number(r"(\d+) states, stored")),
            "transitions": int(number(r"(\d+) transitions \(")),
            "seconds": number(r"pan: elapsed time ([\d.e+-]+) seconds")}


def median_runs(fn, repeat: int) -> tuple[float, dict[str, Any]]:
    runs = [fn() for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    return seconds, runs[0][1]


def rate(n: int, seconds: float) -> float | None:
    return n / seconds if seconds >= 0.01 else None


def compare(model: Path, defines: list[str], mode: str, repeat: int) -> dict[str, Any]:
    ours_s, ours = median_runs(lambda: time_aioctx(model, defines, mode), repeat)
    spin_s, pan = median_runs(lambda: time_spin(model, defines, mode), repeat)
    if (ours["verdict"] == "violation") != (pan["errors"] > 0):
        raise RuntimeError(f"verdicts differ on {model.name} {defines} {mode}: "
                           f"aioctx {ours['verdict']}, pan {pan['errors']} error(s)")
    return {"model": model.stem + "".join(f" -D{d}" for d in defines), "mode": mode,
            "verdict": ours["verdict"], "aioctx_s": ours_s, "spin_s": spin_s,
            "speedup": spin_s / ours_s,
            "states": ours["states"], "transitions": ours["transitions"],
            "trans_per_s": rate(ours["transitions"], ours["seconds"]),
            "pan_states": pan["states"], "pan_transitions": pan["transitions"],
            "pan_trans_per_s": rate(pan["transitions"], pan["seconds"])}


def startup(repeat: int) -> dict[str, float]:
    """Python start-up, the imports of ``aioctx check``, and the parser without cache."""
    py = sys.executable
    probes = {
        "python -c pass": [py, "-c", "pass"],
        "imports of aioctx check": [py, "-c", "import aioctx.cli, aioctx.commands.check, "
                                    "aioctx.promela.system, aioctx.promela.parser, "
                                    "aioctx.model.checker, lark"],
        "parser from the cache": [py, "-c", "from aioctx.promela import parser; "
                                  "parser._lark()"],
    }
    out = {name: statistics.median(wall(cmd)[0] for _ in range(repeat))
           for name, cmd in probes.items()}
    with tempfile.TemporaryDirectory() as tmp:
        cold = [py, "-c", "import tempfile; tempfile.tempdir = " + repr(tmp) +
                "; from aioctx.promela import parser; parser._lark()"]
        out["parser built from the grammar (no cache)"] = wall(cold)[0]
    return out


def table(rows: list[dict[str, Any]]) -> str:
    def fmt(x: float | None) -> str:
        return f"{x:,.0f}" if x is not None else "n/a"
    lines = ["| model | mode | verdict | aioctx s | SPIN s | SPIN/aioctx | states "
             "| aioctx tr/s | pan tr/s |", "|---" * 9 + "|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['mode']} | {r['verdict']} | {r['aioctx_s']:.2f} "
                     f"| {r['spin_s']:.2f} | {r['speedup']:.2f}x | {r['states']:,} "
                     f"| {fmt(r['trans_per_s'])} | {fmt(r['pan_trans_per_s'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    for tool in ("spin", "gcc"):
        if shutil.which(tool) is None:
            print(f"bench_promela: {tool} is not installed", file=sys.stderr)
            return 2
    print(f"aioctx command: {' '.join(aioctx_command())}; load average "
          f"{os.getloadavg()[0]:.2f}; median of {args.repeat} runs\n")
    times = startup(args.repeat)
    for name, seconds in times.items():
        print(f"{name:45} {seconds:6.3f} s")
    rows = [compare(m, [], mode, args.repeat) for m in MODELS for mode in MODES]
    large = [compare(ROOT / "promela" / "models" / LARGE[0], LARGE[1], mode, args.repeat)
             for mode in MODES]
    print("\n" + table(rows))
    print("\nLargest model:\n" + table(large))
    slower = [r for r in rows if r["speedup"] < 1]
    print(f"\naioctx faster than SPIN end to end on {len(rows) - len(slower)} of {len(rows)} "
          "model/mode pairs" + (": slower on " + ", ".join(
              f"{r['model']} ({r['mode']})" for r in slower) if slower else ""))
    if args.json:
        Path(args.json).write_text(json.dumps({"startup": times, "models": rows,
                                               "largest": large}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
