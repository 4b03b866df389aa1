"""``aioctx regress``: entries match their expectations, a fix turned off in the code is
reported by name with a non-zero exit, reports and pictures are written, and nothing
the user gave is overwritten."""

from __future__ import annotations

import json
import sys

import pytest
from aioctx.impl import AioContext

from aioctx import catalogue, cli


def regress(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["regress", "--workers", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def always_dispatching_flag(monkeypatch):
    """The 2015 fix turned off in the code: every AioContext gets the 2014 aio_notify
    (skip the EventNotifier while some aio_poll dispatches), whatever it asks for."""
    original = AioContext.__init__

    def init(self, *args, bugs=(), **kwargs):
        original(self, *args, bugs=set(bugs) | {"aio-dispatching-flag"}, **kwargs)

    monkeypatch.setattr(AioContext, "__init__", init)


@pytest.mark.timeout(300)
def test_fix_turned_off_fails_regress_and_names_the_entry(always_dispatching_flag, capsys,
                                                          tmp_path):
    code, out, err = regress(capsys, "--only", "aio-dispatching-flag/fixed/pct",
                             "--out", str(tmp_path / "out"), "--json", str(tmp_path / "r.json"))
    assert code == 1
    assert "aio-dispatching-flag fixed pct: expected survives, got FAILED (lost-wakeup)" in err
    row = json.loads((tmp_path / "r.json").read_text())["rows"][0]
    assert row["status"] == "FAIL" and "lost-wakeup" in row["trace"]
    assert all((tmp_path / "out" / p.split("/")[-1]).stat().st_size > 1000
               for p in row["pictures"]) and len(row["pictures"]) == 2


@pytest.mark.timeout(300)
def test_with_the_fix_in_place_the_same_check_passes(capsys, tmp_path):
    code, out, err = regress(capsys, "--only", "aio-dispatching-flag/fixed/pct",
                             "--out", str(tmp_path / "out"))
    assert code == 0, out + err
    assert "survived" in out and "1,000 executions" in out and "1 as expected" in out


@pytest.mark.timeout(300)
def test_model_rows_reports_and_pictures(capsys, tmp_path):
    code, out, err = regress(capsys, "--only", "lockcnt",
                             "--out", str(tmp_path / "out"), "--json", str(tmp_path / "r.json"),
                             "--html", str(tmp_path / "r.html"))
    assert code == 0, out + err
    doc = json.loads((tmp_path / "r.json").read_text())
    statuses = [(r["variant"], r["check"], r["status"], r["got"]) for r in doc["rows"]]
    assert ("fixed", "safety", "pass", "ok") in statuses
    assert ("LOCKCNT_UNLOCK_NO_WAKE", "safety", "pass",
            "violation (invalid end state)") in statuses
    assert ("LOCKCNT_UNLOCK_NO_WAKE", "fair", "pass",
            "violation (acceptance cycle)") in statuses
    assert doc["summary"]["failed"] == [] and doc["summary"]["passed"] == 6
    pictures = [p for r in doc["rows"] for p in r["pictures"]]
    assert len(pictures) == 6 and all(open(p, "rb").read(4) for p in pictures)
    page = (tmp_path / "r.html").read_text()
    assert page.count("<svg") == 3 and "LOCKCNT_UNLOCK_NO_WAKE" in page


def test_a_model_that_no_longer_matches_its_header_fails(capsys, tmp_path, toy_catalogue):
    toy_catalogue(lambda t: t.replace("expect -: safety=ok", "expect -: safety=violation"))
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 1 and "toy fixed safety: expected violation, got ok" in err
    toy_catalogue()
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 0 and "2 checks, 2 as expected" in out
    # a model that no longer parses fails its rows, with the reason, and the run goes on
    toy_catalogue(lambda t: t.replace("byte x;", "byte x = ;"))
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 1 and "toy fixed safety: expected ok, got error: PromelaError: " in err
    # the seeded bug no longer shows: the buggy variant is not caught
    toy_catalogue(lambda t: t.replace("x == 1", "x == 0"))
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 1 and "toy BROKEN safety: expected violation (assertion), got ok" in err


def test_bad_input_is_one_line_and_nothing_is_overwritten(capsys, tmp_path):
    mine = tmp_path / "mine.json"
    mine.write_text("keep me")
    code, out, err = regress(capsys, "--only", "lockcnt", "--json", str(mine),
                             "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "not overwriting" in err
    assert mine.read_text() == "keep me"
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.png").write_text("x")
    code, out, err = regress(capsys, "--only", "lockcnt", "--out", str(folder))
    assert code == 2 and "did not write" in err and not (folder / ".aioctx-regress").exists()
    code, out, err = regress(capsys, "--only", "no-such-bug")
    assert code == 2 and err.startswith("aioctx: --only no-such-bug: no such check")
    code, out, err = regress(capsys, "--only", "lockcnt", "--json", str(mine), "--force",
                             "--out", str(tmp_path / "out"))
    assert code == 0 and json.loads(mine.read_text())["summary"]["passed"] == 6


def test_list_shows_every_entry_with_its_budget(capsys):
    code, out, err = regress(capsys, "--list")
    assert code == 0
    for slug in catalogue.scenarios():
        assert f"{slug}" in out
    assert "not covered" not in out and "DFS <= 1 preemptions" in out
    # a memory-ordering bug: caught under its model, survives under sc, fix survives
    rows = [line.split() for line in out.splitlines()
            if line.startswith("bh-cancel-missing-barrier")]
    assert [r[1:4] for r in rows] == [
        ["buggy", "pct-tso", "caught"], ["buggy", "dfs-tso", "caught"],
        ["buggy", "dfs-sc", "survives"], ["fixed", "pct-tso", "survives"],
        ["fixed", "dfs-tso", "survives"], ["fixed", "dfs-arm", "survives"]]
    audit = [line.split() for line in out.splitlines()
             if line.startswith("aio-wait-kick-missing-barrier") and "drop" in line]
    assert [r[1:6] for r in audit] == [
        ["fixed", "drop", "aio_wait_kick.mb", "needed", "under"],
        ["fixed", "drop", "AIO_WAIT_WHILE.mb_after_rmw", "needed", "under"]]
    code, out, err = regress(capsys, "--list", "--full")
    assert "DFS <= 1 preemptions" not in out


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_line_only_on_a_terminal():
    from aioctx.progress import ProgressLine, format_seconds

    quiet = _Stream(tty=False)
    bar = ProgressLine("regress", quiet)
    bar.update(3, 10, ["lockcnt fixed safety"])
    bar.clear()
    assert quiet.text == ""
    loud = _Stream(tty=True)
    bar = ProgressLine("regress", loud)
    bar.update(3, 10, ["lockcnt fixed safety"])
    assert loud.text.startswith("\rregress [######..............] 3/10")
    assert "running: lockcnt fixed safety" in loud.text
    bar.clear()
    assert loud.text.endswith("\r")
    assert format_seconds(42) == "42.0s" and format_seconds(185) == "3m05s"


def test_table_fits_a_terminal_and_is_whole_in_a_pipe(capsys, tmp_path, monkeypatch,
                                                       toy_catalogue):
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 0
    head = next(line for line in out.splitlines() if line.strip().startswith("entry"))
    assert "expected" in head and "search bound" in head and "seconds" in head
    assert len(head) > 200                                   # every column, in full
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = regress(capsys, "--only", "toy", "--out", str(tmp_path / "out"))
    assert code == 0
    lines = out.splitlines()
    table = lines[lines.index(next(x for x in lines if x.strip().startswith("entry"))):]
    table = table[:table.index("")]
    head, rows = table[0], table[2:]
    assert "entry" in head and "got" in head and "search bound" not in head
    assert len(rows) == 2 and all(len(line) < 80 for line in table)
    assert "violation (assertion)" in rows[1]


@pytest.mark.parametrize("width", [79, 99, 119, 139, 199, 219])
def test_fitted_columns_keep_entry_and_result_and_fit(width):
    from aioctx.regress import PASS, Row
    from aioctx.regress_report import fit_columns, format_row, header

    columns = fit_columns(width)
    attrs = [a for _t, a, _w in columns]
    assert attrs[:2] == ["status", "entry"] and "got" in attrs
    row = Row("impl scenarios (sim)", "graph-wrlock-polls-holding-aiocontext",
              "GRAPH_RDUNLOCK_KICK_CONDITIONAL", "acceptance", "caught (lost-wakeup)",
              "caught (lost-wakeup) at execution 4624", "4,624 executions",
              "DFS <= 2 preemptions, exhaustive", 12.5, PASS)
    assert all(len(line) <= width for line in header(columns).splitlines())
    assert len(format_row(row, columns)) <= width
    if width >= 99:
        assert "at execution 4624" in format_row(row, columns)


def test_piped_table_never_cuts_what_the_plan_knows():
    """A CI log shows every variant, expectation and bound in full, however long."""
    from aioctx.regress import PASS, QUICK, Row, plan
    from aioctx.regress_report import format_row, full_columns

    checks = plan(QUICK, [])
    columns = full_columns(checks)
    longest = max(checks, key=lambda c: len(c.variant) + len(c.expected))
    # (what it got is only known when it runs: a verdict, as wide as the column allows)
    row = Row(longest.section, longest.entry, longest.variant, longest.what,
              longest.expected, "violation (assertion)", "1 states", longest.bound, 0.1,
              PASS)
    line = format_row(row, columns)
    for text in (longest.entry, longest.variant, longest.expected, longest.bound):
        assert text in line
    assert "~" not in line


def test_reports_may_go_into_the_out_folder_it_creates(capsys, tmp_path):
    out = tmp_path / "fresh"
    code, _out, err = regress(capsys, "--only", "lockcnt", "--out", str(out),
                              "--json", str(out / "report.json"))
    assert code == 0, err
    assert json.loads((out / "report.json").read_text())["summary"]["passed"] == 6
    code, _out, err = regress(capsys, "--only", "lockcnt", "--out", str(out),
                              "--json", str(tmp_path / "elsewhere" / "r.json"))
    assert code == 2 and "no such folder" in err


@pytest.mark.timeout(300)
def test_each_caught_counterexample_has_its_schedule_and_replay_command(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = regress(capsys, "--only", "aiowait-home-thread-no-waiter-count/buggy",
                             "--out", str(out_dir), "--json", str(tmp_path / "r.json"),
                             "--html", str(tmp_path / "r.html"))
    assert code == 0, out + err
    rows = [r for r in json.loads((tmp_path / "r.json").read_text())["rows"]
            if r["section"] == "impl scenarios (sim)"]      # not the pairing rows
    assert [r["check"] for r in rows] == ["pct", "dfs"]
    page = (tmp_path / "r.html").read_text()
    for row in rows:
        schedule = row["schedule"]
        assert schedule.startswith(str(out_dir)) and schedule.endswith(f"-{row['check']}.json")
        assert row["replay"] == f"aioctx replay {schedule}"
        assert f"      replay: aioctx replay {schedule}\n" in out          # in the table
        assert f"replay it: <code>aioctx replay {schedule}</code>" in page
        doc = json.loads(open(schedule).read())
        assert doc["scenario"] == {"slug": "aiowait-home-thread-no-waiter-count",
                                   "buggy": True}
        assert cli.main(["replay", schedule]) == 1                          # caught again
        assert "the run matches the schedule" in capsys.readouterr().out
    assert "and the schedules of 2 (each replays with: aioctx replay FILE)" in out
    code, out, err = regress(capsys, "--only", "aiowait-home-thread-no-waiter-count/buggy",
                             "--out", str(out_dir))
    assert code == 0, err                   # its own schedules are replaced, not refused
