"""``aioctx check`` storage and budgets: --hash-compact, --bitstate, --memory-limit and
Ctrl-C, each ending with the statistics so far and the right exit status."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from promela_cases import ROOT

PROJECT = ROOT / "promela" / "models"
#: three counters that a process bumps for ever: 2**24 states, more than any test waits for
COUNTERS = ("byte a, b, c;\n"
            "active proctype P() { do :: a++ :: b++ :: c++ od }\n")


def test_hash_compact_reports_its_omission_probability(run):
    code, out, _err = run(PROJECT / "graph-lock.pml", "--hash-compact")
    assert code == 0
    assert re.search(r"\(dfs, hash-compact\): ok; 7,535 states", out)
    assert re.search(r"probability that a state was missed .* \d\.\de-\d+", out)


def test_bitstate_verdicts_and_json(run):
    code, out, _err = run(PROJECT / "graph-lock.pml", "--bitstate", "-w", "22", "--json")
    data = json.loads(out)
    assert code == 0 and data["storage"] == "bitstate" and data["verdict"] == "ok"
    assert data["store"]["bits"] == 1 << 22 and data["store"]["hashes"] == 3
    assert data["states"] > 0 and data["store"]["hash_factor"] > 100
    code, out, _err = run(PROJECT / "graph-lock.pml", "--bitstate", "-w", "10", "-k", "2")
    assert code == 0 and "not a proof" in out
    code, out, _err = run(PROJECT / "aio-notify-accept.pml", "-DNOTIFIED_BEFORE_EVENT",
                          "--acceptance", "--fair", "--bitstate")
    assert code == 1 and "START OF CYCLE" in out


@pytest.mark.parametrize("argv,message", [
    (["-w", "20"], "-w and -k apply to --bitstate only"),
    (["--bitstate", "--bfs"], "--bitstate needs a depth-first search"),
    (["--hash-compact", "--bfs"], "--hash-compact needs a depth-first search"),
    (["--bitstate", "-w", "50"], "-w takes 3..40"),
    (["--bitstate", "-w", "0"], "-w takes 3..40"),
    (["--bitstate", "-k", "0"], "-k takes 1..32"),
    (["--memory-limit", "nan"], "'nan' is not a size"),
    (["--memory-limit=-1G"], "'-1G' is not a size"),
    (["--memory-limit", "lots"], "'lots' is not a size"),
])
def test_bad_storage_options_are_usage_errors(run, argv, message, capsys):
    try:
        code, _out, err = run(PROJECT / "lockcnt.pml", *argv)
    except SystemExit as exc:           # argparse's own usage errors
        code, err = exc.code, capsys.readouterr().err
    assert code == 2 and message in err
    assert "Traceback" not in err


def test_memory_budget_stops_with_statistics(run):
    code, out, _err = run(PROJECT / "graph-lock.pml", "--memory-limit", "1M", "--json")
    data = json.loads(out)
    assert code == 3 and data["verdict"] == "incomplete" and data["limit"] == "memory"
    assert data["states"] > 0 and data["transitions"] > 0


def test_a_bit_array_larger_than_the_memory_budget_is_the_budget(run):
    """The array is allocated whole before the first state: one that does not fit is
    refused as the budget stops a search (exit 3), not by a MemoryError (exit 4, found
    by a fuzz run with -w 38) or the out-of-memory killer."""
    code, out, _err = run(PROJECT / "lockcnt.pml", "--bitstate", "-w", "40",
                          "--memory-limit", "1G", "--json")
    data = json.loads(out)
    assert code == 3 and data["verdict"] == "incomplete" and data["limit"] == "memory"
    assert "the bit array (131,072 MiB) does not fit in the memory budget (1,024 MiB)" \
        in data["note"]
    code, out, _err = run(PROJECT / "lockcnt.pml", "--bitstate", "-w", "20",
                          "--memory-limit", "1G")
    assert code == 0, out


def _start(tmp_path, *argv: str) -> subprocess.Popen:
    model = tmp_path / "counters.pml"
    model.write_text(COUNTERS)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "aioctx", "check", str(model), *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def _searching(proc: subprocess.Popen, cpu: float = 2.0) -> None:
    """Wait until the child has used ``cpu`` seconds of CPU (past reading and compiling
    the model, whatever the machine's load), or 3 s where there is no /proc."""
    stat = f"/proc/{proc.pid}/stat"
    if not os.path.exists(stat):
        time.sleep(3.0)
        return
    ticks = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < end:
        with open(stat) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu:
            return
        time.sleep(0.05)


def _peak_resident(proc: subprocess.Popen) -> int:
    """The child's resident high-water mark (the kernel's VmHWM, read until it ends)."""
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            break
        time.sleep(0.02)
    return peak


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_memory_budget_holds_for_the_whole_process(tmp_path):
    limit = 160 << 20
    proc = _start(tmp_path, "--memory-limit", str(limit), "--json")
    peak = _peak_resident(proc)
    out, _err = proc.communicate(timeout=60)
    data = json.loads(out)
    assert proc.returncode == 3
    assert data["limit"] == "memory" and data["states"] > 100_000
    assert 0 < peak <= 1.1 * limit


def test_ctrl_c_ends_the_search_with_a_summary_and_json(tmp_path):
    proc = _start(tmp_path, "--json")
    _searching(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    data = json.loads(out)
    assert proc.returncode == 3, err
    assert data["verdict"] == "incomplete" and data["limit"] == "interrupted"
    assert data["states"] > 0 and data["transitions"] > 0 and data["depth"] > 0
    proc = _start(tmp_path)
    _searching(proc)
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate(timeout=60)
    assert proc.returncode == 3 and "INCOMPLETE (interrupted)" in out
    assert re.search(r"[\d,]+ states, [\d,]+ transitions, depth \d+", out)
