"""``aioctx regress`` writes only into its own output folder and only files it made
there (its manifest says which), and refuses outputs that collide or cannot be written
before the first check runs."""

from __future__ import annotations

import json
import os

import pytest

from aioctx import cli
from aioctx.commands.outfolder import MANIFEST, OLD_MARKER

PICTURE = "toy-BROKEN-safety.png"


@pytest.fixture
def toy(tmp_path, toy_catalogue):
    return tmp_path


def regress(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["regress", "--workers", "1", "--only", "toy", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def refused_before_any_check(code: int, out: str, err: str) -> bool:
    return code == 2 and out == "" and err.count("\n") == 1


def test_a_forced_run_leaves_the_users_files_alone_and_so_do_later_runs(toy, capsys):
    users = toy / "photos"
    users.mkdir()
    (users / "holiday.png").write_bytes(b"the user's")
    code, out, err = regress(capsys, "--out", users)
    assert refused_before_any_check(code, out, err) and "use --force" in err
    code, out, err = regress(capsys, "--out", users, "--force")
    assert code == 0, err
    manifest = json.loads((users / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["toy-BROKEN-safety.png", "toy-BROKEN-safety.svg"]
    assert all(len(d) == 64 for d in manifest["files"].values())
    # the folder is regress's now, but only for the files it wrote: a later run without
    # --force replaces its own pictures and nothing else
    code, out, err = regress(capsys, "--out", users)
    assert code == 0, err
    assert (users / "holiday.png").read_bytes() == b"the user's"
    assert sorted(os.listdir(users)) == [MANIFEST, "holiday.png", "toy-BROKEN-safety.png",
                                         "toy-BROKEN-safety.svg"]


def test_a_users_file_in_the_way_of_a_picture_is_never_replaced(toy, capsys):
    out_dir = toy / "out"
    out_dir.mkdir()
    (out_dir / PICTURE).write_bytes(b"mine")
    for force in ([], ["--force"]):
        code, out, err = regress(capsys, "--out", out_dir, *force)
        assert refused_before_any_check(code, out, err)
        assert f"{out_dir / PICTURE} exists and is not a file aioctx regress wrote" in err
    assert (out_dir / PICTURE).read_bytes() == b"mine" and not (out_dir / MANIFEST).exists()


def test_a_picture_changed_or_replaced_by_a_link_since_is_the_users(toy, capsys):
    out_dir = toy / "out"
    assert regress(capsys, "--out", out_dir)[0] == 0
    (out_dir / PICTURE).write_bytes(b"edited by the user")
    code, out, err = regress(capsys, "--out", out_dir, "--force")
    assert refused_before_any_check(code, out, err) and "changed since" in err
    assert (out_dir / PICTURE).read_bytes() == b"edited by the user"
    (out_dir / PICTURE).unlink()
    precious = toy / "precious.png"
    precious.write_bytes(b"elsewhere")
    (out_dir / PICTURE).symlink_to(precious)
    code, out, err = regress(capsys, "--out", out_dir, "--force")
    assert refused_before_any_check(code, out, err)
    assert precious.read_bytes() == b"elsewhere"


def test_a_report_in_the_folder_is_its_own_on_the_next_run(toy, capsys):
    """``make regress`` twice: the reports it wrote in --out are replaced without
    --force; a report file of the user's still needs --force, as anywhere."""
    out_dir = toy / "out"
    report = out_dir / "report.json"
    for _ in range(2):
        code, out, err = regress(capsys, "--out", out_dir, "--json", report)
        assert code == 0, err
    assert json.loads(report.read_text())["summary"]["passed"] == 2
    assert "report.json" in json.loads((out_dir / MANIFEST).read_text())["files"]
    report.write_text("the user's notes")
    code, out, err = regress(capsys, "--out", out_dir, "--json", report)
    assert refused_before_any_check(code, out, err) and "not overwriting" in err


def test_colliding_and_unwritable_outputs_are_refused_before_any_check(toy, capsys):
    fresh = toy / "fresh"
    code, out, err = regress(capsys, "--out", fresh, "--json", fresh)
    assert refused_before_any_check(code, out, err) and "the same path as --out" in err
    assert not fresh.exists()
    code, out, err = regress(capsys, "--out", fresh, "--json", toy)
    assert refused_before_any_check(code, out, err) and "is a folder" in err
    code, out, err = regress(capsys, "--out", fresh, "--html", fresh / PICTURE)
    assert refused_before_any_check(code, out, err) and "same file as a picture" in err
    code, out, err = regress(capsys, "--out", fresh, "--json", toy / "r.json",
                             "--html", toy / "r.json")
    assert refused_before_any_check(code, out, err) and "same file as --json" in err
    a_file = toy / "a-file"
    a_file.write_text("x")
    code, out, err = regress(capsys, "--out", a_file)
    assert refused_before_any_check(code, out, err) and "not a folder" in err


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux sysfs")
def test_an_unwritable_place_is_refused_before_any_check(toy, capsys):
    code, out, err = regress(capsys, "--out", "/sys/kernel/aioctx-out")
    assert refused_before_any_check(code, out, err) and "cannot write there" in err
    code, out, err = regress(capsys, "--out", toy / "out", "--json", "/sys/kernel/r.json")
    assert refused_before_any_check(code, out, err) and "cannot write in /sys/kernel" in err


def test_a_manifest_regress_did_not_write_is_refused_and_an_old_marker_accepted(toy, capsys):
    out_dir = toy / "out"
    out_dir.mkdir()
    for text in ("[1, 2]", "{", '{"format": "x", "files": {}}',
                 '{"format": "aioctx regress manifest", "files": {"../escape": null}}'):
        (out_dir / MANIFEST).write_text(text)
        code, out, err = regress(capsys, "--out", out_dir, "--force")
        assert refused_before_any_check(code, out, err) and "is not the manifest" in err
        assert (out_dir / MANIFEST).read_text() == text
    (out_dir / MANIFEST).write_text(OLD_MARKER)
    code, out, err = regress(capsys, "--out", out_dir)
    assert code == 0, err
    assert PICTURE in json.loads((out_dir / MANIFEST).read_text())["files"]
