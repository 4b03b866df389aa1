"""``aioctx replay`` on schedule files that were tampered with: nothing named in a file
runs, every bad field is one line and exit 2, and ``--fixed`` says "the fix holds" only
for a schedule that reproduces its failure on the code it was recorded on.

The mutations are those of issue 15's hostile run, applied to a schedule that
``aioctx hunt`` writes for a catalogue scenario."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from aioctx import cli

SLUG = "notify-accept-stolen-by-other-thread"
OTHER = "aio-dispatching-flag"


@pytest.fixture(scope="module")
def hunted(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("hunt") / "cx.json"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["hunt", SLUG, "-o", str(path)]) == 1        # a race caught
    return json.loads(path.read_text())


def replay(capsys, tmp_path, doc_or_text, *args: str) -> tuple[int, str, str, str]:
    path = tmp_path / "run.json"
    path.write_text(doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text))
    code = cli.main(["replay", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err, str(path)


def mutated(doc: dict, change) -> dict:
    copy = json.loads(json.dumps(doc))
    change(copy)
    return copy


def text_with(doc: dict, field: str, raw: str) -> str:
    """The document's JSON text with ``field``'s value replaced by raw text."""
    return json.dumps({**doc, field: "@@"}).replace('"@@"', raw)


# (name, change to the document, the end of the one-line message); each exits 2
BAD_FIELDS = [
    ("engine-greenlet", lambda d: d.update(engine="greenlet"),
     'engine: "greenlet" is not "fiber" or "thread"'),
    ("engine-number", lambda d: d.update(engine=1), 'engine: 1 is not "fiber" or "thread"'),
    ("max-steps-text", lambda d: d.update(max_steps="abc"),
     "max_steps: should be a whole number, not a string"),
    ("max-steps-negative", lambda d: d.update(max_steps=-5),
     "max_steps: -5 is less than the minimum 1"),
    ("kind-missing", lambda d: d["failure"].pop("kind"), "failure: the field 'kind' is missing"),
    ("buggy-no", lambda d: d["scenario"].update(buggy="no"),
     "scenario.buggy: should be true or false, not a string"),
    ("decision-text", lambda d: d["decisions"].__setitem__(0, "1"),
     "decisions[0]: should be a whole number, not a string"),
    ("decisions-missing", lambda d: d.pop("decisions"),
     "the document: the field 'decisions' is missing"),
    ("steps-short", lambda d: d["steps"].__setitem__(3, [0]),
     "steps[3]: should have at least 5 items, has 1"),
]


@pytest.mark.parametrize("name, change, message", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
@pytest.mark.parametrize("variant", [[], ["--fixed"]], ids=["replay", "fixed"])
def test_a_bad_field_is_one_line_and_nothing_runs(capsys, tmp_path, hunted, name, change,
                                                   message, variant):
    code, out, err, path = replay(capsys, tmp_path, mutated(hunted, change), *variant)
    assert (code, out, err) == (2, "", f"aioctx: {path}: {message}\n")


@pytest.mark.parametrize("field, raw, message", [
    ("max_steps", "NaN", "NaN is not a number JSON allows"),
    ("max_steps", "Infinity", "Infinity is not a number JSON allows"),
    ("preemptions", "1" * 4301, "a number of 4301 digits (at most 20 in a schedule)"),
    ("threads", "[" * 100_000 + "]" * 100_000,
     "nested deeper than a schedule ever is (not a schedule aioctx wrote)"),
])
def test_bad_json_text_is_one_line(capsys, tmp_path, hunted, field, raw, message):
    code, out, err, path = replay(capsys, tmp_path, text_with(hunted, field, raw))
    assert (code, out, err) == (2, "", f"aioctx: {path}: {message}\n")


def test_the_fix_holds_only_on_a_schedule_that_applies(capsys, tmp_path, hunted):
    code, out, err, _ = replay(capsys, tmp_path, hunted, "--fixed")
    assert code == 0 and "the fix holds on this schedule; diverged at step" in out
    # this race needs no preemption: with no decisions at all the buggy code still
    # fails the same way, so the schedule still applies and the fix still holds
    code, out, err, _ = replay(capsys, tmp_path, mutated(hunted, lambda d: d.update(
        decisions=[])), "--fixed")
    assert code == 0 and "the fix holds on this schedule" in out


@pytest.mark.parametrize("name, change, why", [
    ("all-99", lambda d: d.update(decisions=[99] * len(d["decisions"])),
     "the run diverged at decision 0 (step 12) wants thread 99, but only 0:main, 1:home "
     "can run"),
    ("reversed", lambda d: d.update(decisions=d["decisions"][::-1]),
     "the run diverged at decision 0 (step 12) wants thread 3, but only 0:main, 1:home "
     "can run"),
    ("a-step-changed", lambda d: d["steps"][20].__setitem__(1, "store"),
     "the run diverged at step 20: the schedule has thread"),
    ("steps-cut", lambda d: d.update(steps=d["steps"][:30]),
     "the run diverged at step 30: the code goes on"),
    ("other-kind", lambda d: d["failure"].update(kind="deadlock"),
     "the run fails otherwise (lost-wakeup, recorded deadlock)"),
    ("other-slug", lambda d: d["scenario"].update(slug=OTHER),
     "the run diverged at step"),
])
def test_fixed_refuses_a_schedule_that_does_not_apply(capsys, tmp_path, hunted, name, change,
                                                       why):
    code, out, err, path = replay(capsys, tmp_path, mutated(hunted, change), "--fixed")
    variant = f"{OTHER if name == 'other-slug' else SLUG} (buggy)"
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"aioctx: {path}: this schedule does not apply to the fixed "
                          f"code: on {variant}, where it was recorded, {why}"), err


def test_fixed_needs_a_recorded_failure(capsys, tmp_path, hunted):
    code, out, err, path = replay(capsys, tmp_path, mutated(
        hunted, lambda d: d.update(failure=None)), "--fixed")
    assert (code, out, err) == (2, "", f"aioctx: {path}: the schedule records no failure: "
                                       "there is nothing for --fixed to find gone\n")


CANARY = '''
import pathlib

pathlib.Path(__file__).with_name("imported").write_text("yes")


def program():
    from aioctx.impl import sync
    x = sync.Atomic(0, name="x")
    x.store(1)
'''


@pytest.mark.parametrize("program", ["canary:program", "os:abort", "builtins:breakpoint"])
def test_a_program_named_in_a_file_is_never_imported(capsys, tmp_path, monkeypatch, hunted,
                                                      program):
    (tmp_path / "canary.py").write_text(CANARY)
    monkeypatch.syspath_prepend(str(tmp_path))
    doc = {k: v for k, v in hunted.items() if k not in ("scenario", "steps")}
    doc.update(program=program, decisions=[], failure=None)
    code, out, err, path = replay(capsys, tmp_path, doc)
    assert (code, out) == (2, "") and not (tmp_path / "imported").exists()
    assert err == (f"aioctx: {path}: the schedule names no catalogue scenario; it was "
                   f"recorded from {program}: if you trust that code, replay it with "
                   f"--program {program}\n")


def test_the_user_names_the_program(capsys, tmp_path, monkeypatch, hunted):
    (tmp_path / "canary.py").write_text(CANARY)
    monkeypatch.syspath_prepend(str(tmp_path))
    doc = {k: v for k, v in hunted.items() if k not in ("scenario", "steps")}
    doc.update(program="os:abort", decisions=[], failure=None)
    code, out, err, path = replay(capsys, tmp_path, doc, "--program", "canary:program")
    assert code == 0 and (tmp_path / "imported").read_text() == "yes", err
    assert f"replaying {path} on canary:program" in out
    for named, message in [("canary", "expected module:function"),
                           ("canary:nothing", "cannot load it: AttributeError: module "
                                              "'canary' has no attribute 'nothing'"),
                           ("no_such_module_15:f", "cannot load it: ModuleNotFoundError")]:
        code, out, err, _ = replay(capsys, tmp_path, doc, "--program", named)
        assert code == 2 and err.startswith(f"aioctx: --program {named}: {message}"), err
    code, out, err, _ = replay(capsys, tmp_path, hunted, "--fixed", "--program",
                               "canary:program")
    assert code == 2 and "cannot be combined with --program" in err


def test_a_scenario_replays_within_its_own_step_budget(capsys, tmp_path, monkeypatch, hunted):
    """A file asking for 100,000,000 steps cannot make a replay of a catalogue scenario
    run longer than that scenario's budget (the one it was hunted with)."""
    from aioctx import hunting, sim

    budgets = []
    real = sim.replay

    def replay_spy(program, doc, **kwargs):
        budgets.append(kwargs.get("max_steps"))
        return real(program, doc, **kwargs)

    monkeypatch.setattr(sim, "replay", replay_spy)
    limit = hunting.scenario(SLUG).max_steps
    code, out, err, _ = replay(capsys, tmp_path, mutated(
        hunted, lambda d: d.update(max_steps=100_000_000)), "--fixed")
    assert code == 0 and budgets == [limit, limit], (budgets, err)
