"""``aioctx regress``'s pairing section: each mapping's transfer and conformance rows,
the aligned swimlanes in the report, and a pairing that no longer holds (a wrong
mapping, a mapping naming what the model lacks) failing its row by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aioctx import catalogue, cli, regress
from aioctx.regress_pairing import SECTION, pair_checks

MODELS = Path(__file__).resolve().parents[2] / "promela" / "models"
AIOWAIT = "aiowait-home-thread-no-waiter-count"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["regress", "--workers", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


#: the pairing rows of aiowait, and nothing else, for --only
ROWS = [arg for row in ("buggy/transfer", "buggy/conform", "fixed/conform")
        for arg in ("--only", f"{AIOWAIT}/{row}")]


@pytest.fixture
def aiowait_only(tmp_path, monkeypatch):
    """The catalogue's models as a copy of the aiowait model and its mapping (to be
    edited by the test); returns the copied mapping's path."""
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setattr(catalogue, "MODELS_DIR", models)
    for suffix in (".pml", ".pair"):
        shutil.copy(MODELS / f"{AIOWAIT}{suffix}", models / f"{AIOWAIT}{suffix}")
    return models / f"{AIOWAIT}.pair"


def test_every_mapping_block_gives_transfer_and_conform_rows():
    checks = [(c.scenario, c.buggy, c.what, c.bound) for c in pair_checks(1)]
    assert (AIOWAIT, True, "transfer", 1) in checks
    assert (AIOWAIT, True, "conform", 1) in checks
    assert (AIOWAIT, False, "conform", 1) in checks
    assert ("aio-dispatching-flag", True, "transfer", 1) in checks
    for scenario in ("aio-notifier-cleared-late", "notified-skips-set", "notified-before-event"):
        assert (scenario, True, "transfer", 1) in checks           # aio-notify-accept.pair
        assert (scenario, False, "conform", 1) in checks
    assert not any(what == "transfer" and not buggy for _s, buggy, what, _b in checks)
    planned = regress.plan(regress.FULL, [f"{AIOWAIT}/fixed/conform"])
    assert [(c.section, c.bound) for c in planned] == [(SECTION, "DFS <= 2 preemptions")]


@pytest.mark.timeout(300)
def test_pairing_rows_pass_and_the_report_shows_the_aligned_swimlanes(aiowait_only, capsys,
                                                                      tmp_path):
    code, out, err = run(capsys, *ROWS, "--out", str(tmp_path / "out"),
                         "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert code == 0, out + err
    rows = [r for r in json.loads((tmp_path / "r.json").read_text())["rows"]
            if r["section"] == SECTION]
    got = {(r["variant"], r["check"]): (r["status"], r["got"]) for r in rows}
    assert got[("buggy", "transfer")] == ("pass", "reproduced (lost-wakeup), execution 1")
    assert got[("buggy", "conform")][0] == got[("fixed", "conform")][0] == "pass"
    assert all(r["bound"].endswith("preemptions, exhaustive") for r in rows
               if r["check"] == "conform")
    transfer = next(r for r in rows if r["check"] == "transfer")
    assert "reproduced on the code: lost-wakeup" in transfer["trace"]
    assert len(transfer["pictures"]) == 2
    page = (tmp_path / "r.html").read_text()
    assert SECTION in page and page.count("<svg") == 1      # the transfer's, inlined
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "Waiter(0)" in svg and "worker" in svg and "aio_poll.notify_me_add" in svg


@pytest.mark.timeout(300)
def test_a_wrong_mapping_fails_its_conformance_row(aiowait_only, capsys, tmp_path):
    text = aiowait_only.read_text()
    aiowait_only.write_text(text.replace("process Waiter = main", "process Waiter = worker")
                            .replace("process Kicker = worker", "process Kicker = main"))
    code, out, err = run(capsys, "--only", f"{AIOWAIT}/fixed/conform",
                         "--out", str(tmp_path / "out"))
    assert code == 1
    assert (f"{AIOWAIT} fixed conform: expected conforms, got leaves the model at "
            "execution 1 (main: aio_notify.set_notified") in err
    # a label the model does not have: the row fails with the mapping's located line
    aiowait_only.write_text(text.replace("label aio_poll.load_notified",
                                         "label aio_poll.load_notifed"))
    code, out, err = run(capsys, "--only", f"{AIOWAIT}/fixed/conform",
                         "--out", str(tmp_path / "out"))
    assert code == 1 and f"{AIOWAIT}.pair:" in err and "aio_poll.load_notifed" in err
    aiowait_only.write_text(text)
    code, out, err = run(capsys, "--only", f"{AIOWAIT}/fixed/conform",
                         "--out", str(tmp_path / "out"))
    assert code == 0 and "1 checks, 1 as expected" in out
