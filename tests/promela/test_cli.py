"""``aioctx check``: exit statuses, the spin-style trail, JSON, options.

The tests run the real ``aioctx.cli.main`` with only this subcommand registered.
"""

from __future__ import annotations

import json
import re

from promela_cases import ROOT

MODELS = ROOT / "tests" / "promela" / "models"
PROJECT = ROOT / "promela" / "models"


def test_ok_model_exits_0_with_a_summary(run):
    code, out, err = run(MODELS / "peterson.pml")
    assert code == 0 and err == ""
    assert re.match(r"peterson\.pml: safety \(dfs\): ok; [\d,]+ states, [\d,]+ transitions",
                    out)


def test_violation_exits_1_with_a_spin_style_trail(run):
    code, out, _err = run(MODELS / "atomic_counter.pml", "-D", "RACE", "--bfs")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("atomic_counter.pml: safety (bfs): VIOLATION (assertion)")
    # step number, process, file:line, state number, statement; then changed variables
    # (a process named by its proctype and priority, as SPIN names it)
    assert re.search(r"^\s+1:\tproc  \d \(Inc:1\) \S*atomic_counter\.pml:\d+ "
                     r"\(state \d+\)\t\[.+\]$", out, re.M), out
    assert re.search(r"^\t\tn = 1$", out, re.M)
    assert "Error: assertion violated: assert(n == 2)" in out
    assert any(line.startswith("spin: trail ends after") for line in lines)
    # then the final state: globals, where each process stopped, processes created
    assert re.search(r"^#processes: \d+$", out, re.M)
    assert lines[-1].endswith("processes created")


def test_trail_shows_processes_terminating(run):
    code, out, _err = run(MODELS / "processes.pml", "-DWRONG")
    assert code == 1
    assert re.search(r"^\s*\d+: proc 1 terminates$", out, re.M), out


def test_liveness_trail_marks_the_cycle_and_the_claim(run):
    code, out, _err = run(PROJECT / "aio-notify-accept.pml", "-D", "NOTIFIED_BEFORE_EVENT",
                          "--acceptance", "--fair")
    assert code == 1
    assert "VIOLATION (acceptance cycle)" in out
    assert "<<<<<START OF CYCLE>>>>>" in out
    assert "proc  - (never claim) [worker_done && event" in out


def test_json_has_the_documented_fields(run):
    code, out, _err = run(PROJECT / "graph-lock.pml", "-DGRAPH_RDUNLOCK_KICK_CONDITIONAL",
                          "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["verdict"] == "violation" and doc["kind"] == "invalid end state"
    for key in ("states", "transitions", "depth", "seconds", "mode", "fair", "search"):
        assert key in doc
    steps = doc["counterexample"]["steps"]
    assert steps[0]["step"] == 1
    assert {"pid", "process", "statement", "location", "state", "changes",
            "label"} <= set(steps[0])
    assert any(s["label"] == "bdrv_graph_co_rdunlock.load_has_writer" for s in steps)


def test_acceptance_without_accept_labels_is_a_safety_check(run):
    code, out, _err = run(MODELS / "peterson.pml", "--acceptance")
    assert code == 0
    assert "acceptance mode checks safety only" in out


def test_budget_exhausted_exits_3(run):
    code, out, _err = run(PROJECT / "graph-lock.pml", "--max-states", "50")
    assert code == 3 and "INCOMPLETE (states budget reached)" in out


def test_define_and_undefine(run, tmp_path):
    path = tmp_path / "d.pml"
    path.write_text("#ifndef LIMIT\n#define LIMIT 2\n#endif\nbyte x;\nactive proctype P() {\n"
                    "#ifdef BAD\n  assert(x == LIMIT)\n#endif\n  x = LIMIT; assert(x != 3)\n}\n")
    assert run(path)[0] == 0
    assert run(path, "-DBAD")[0] == 1
    assert run(path, "-DBAD", "-UBAD")[0] == 0
    assert run(path, "-DLIMIT=3")[0] == 1
    assert run(path, "-D", "LIMIT=0", "-DBAD")[0] == 0


def test_warnings_go_to_stderr(run, tmp_path):
    path = tmp_path / "w.pml"
    path.write_text("#warning careful\nbyte x;\nactive proctype P() {\n"
                    "  do\n  :: end_here: x < 3 -> x++\n  :: x == 3 -> break\n  od\n}\n")
    code, _out, err = run(path)
    assert code == 0
    assert "w.pml:1:1: warning: careful" in err
    assert "at the head of an option" in err


def test_warnings_are_printed_once_in_every_mode(run, tmp_path):
    path = tmp_path / "w.pml"
    path.write_text("byte x;\nactive proctype P() {\n"
                    "  do\n  :: end_here: x < 3 -> x++\n  :: x == 3 -> break\n  od\n}\n")
    for mode in ("--safety", "--acceptance", "--non-progress"):
        code, _out, err = run(path, mode)
        assert code == 0 and err.count("at the head of an option") == 1, (mode, err)


def test_non_progress_mode(run):
    assert run(MODELS / "progress_np.pml", "--non-progress")[0] == 0
    code, out, _ = run(MODELS / "progress_np.pml", "--non-progress", "-DSTARVE")
    assert code == 1 and "non-progress cycle" in out
    # with weak fairness the worker must move, and it passes its progress label
    assert run(MODELS / "progress_np.pml", "--non-progress", "--fair", "-DSTARVE")[0] == 0


def test_trail_shows_what_printf_prints(run):
    code, out, _err = run(MODELS / "printing.pml", "-DWRONG")
    assert code == 1
    assert re.search(r"^ +n=3, 6%$", out, re.M), out
    assert re.search(r"^ +hello$", out, re.M)
