"""The mapping file (MODEL.pair): every mistake is one line naming the place and the name
that exists on one side only; the project's mappings are all valid."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aioctx import cli
from aioctx.errors import UsageError
from aioctx.pairing import Pair
from aioctx.pairing.mapping import load

MODELS = Path(__file__).resolve().parents[2] / "promela" / "models"
AIOWAIT = "aiowait-home-thread-no-waiter-count"


@pytest.fixture
def aiowait(tmp_path):
    """A copy of the aiowait model and its mapping; returns (model path, mapping text)."""
    model = tmp_path / f"{AIOWAIT}.pml"
    shutil.copy(MODELS / f"{AIOWAIT}.pml", model)
    return model, (MODELS / f"{AIOWAIT}.pair").read_text()


def pair_error(model: Path, mapping_text: str, defines=(), scenario=AIOWAIT) -> str:
    model.with_suffix(".pair").write_text(mapping_text)
    with pytest.raises(UsageError) as info:
        p = Pair(model, scenario, list(defines))
        p.check_code_names()
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("text,where,says", [
    ("labl x.y\nscenario s\n", ":1:1:", "unknown line 'labl'"),
    ("label notalabel\nscenario s\n", ":1:7:", "expected an operation label"),
    ("label a.b\nlabel a.b\nscenario s\n", ":2:7:", "label a.b is mapped twice"),
    ("scenario s\nlabel a.b\n", ":2:1:", "'label' lines come before the first 'scenario'"),
    ("process P = t\nscenario s\n", ":1:1:", "'process' belongs in a 'scenario' block"),
    ("scenario s\n  process P t\n", ":2:11:", "expected 'process PROC = THREAD'"),
    ("scenario s\n  process P = t\n  process Q = t\n", ":3:11:",
     "thread t is already process P"),
    ("scenario s\n  buggy -\n", ":2:9:", "'buggy' names the -D option(s)"),
    ("scenario s\n  fixed A B\n", ":2:9:", "expected -D options"),
    ("label x.y\n", ":1:1:", "no 'scenario' block"),
    ("scenario Not A Slug\n", ":1:10:", "expected a catalogue slug or module:attribute"),
])
def test_syntax_errors_are_one_located_line(tmp_path, text, where, says):
    path = tmp_path / "m.pair"
    with pytest.raises(UsageError) as info:
        load(path, text)
    message = str(info.value)
    assert message.startswith(f"{path}{where} ") and says in message, message
    assert "\n" not in message


def test_a_label_the_model_does_not_have(aiowait):
    model, text = aiowait
    text = text.replace("label aio_poll.load_notified", "label aio_poll.load_notfied")
    message = pair_error(model, text)
    assert message.endswith("label aio_poll.load_notfied: no statement of "
                            f"{AIOWAIT}.pml is labelled aio_poll__load_notfied (in the "
                            "variants this mapping pairs)"), message
    assert ".pair:6:1:" in message


def test_a_label_the_code_does_not_have(aiowait):
    model, text = aiowait
    model.write_text(model.read_text().replace("aio_poll__load_notified",
                                               "aio_poll__load_notifed"))
    text = text.replace("label aio_poll.load_notified", "label aio_poll.load_notifed")
    message = pair_error(model, text)
    assert message.endswith("label aio_poll.load_notifed: no operation in the code is "
                            "labelled 'aio_poll.load_notifed'"), message


def test_a_model_label_the_mapping_leaves_out(aiowait):
    model, text = aiowait
    text = text.replace("label aio_poll.load_notified\n", "")
    message = pair_error(model, text)
    assert message.startswith(f"{model}:")                   # the model's own place
    assert message.endswith("statement label aio_poll__load_notified names an operation "
                            f"of the code, but {model.with_suffix('.pair')} does not map "
                            "it (add 'label aio_poll.load_notified')"), message


def test_a_process_thread_or_variable_on_one_side_only(aiowait):
    model, text = aiowait
    assert "process Waiter = main" in text
    message = pair_error(model, text.replace("process Waiter = main", "process Waitr = main"))
    assert "process Waitr: the model has no proctype 'Waitr' (proctypes: Waiter, " \
           "Kicker, Wakeup)" in message
    message = pair_error(model, text.replace("process Kicker = worker",
                                             "process Kicker = wrker"))
    assert message.endswith(f"process Kicker = wrker: scenario {AIOWAIT} has no thread "
                            "'wrker' (threads: main, worker)"), message
    message = pair_error(model, text.replace("variable notified =", "variable notifed ="))
    assert "variable notifed: the model has no global 'notifed'" in message
    message = pair_error(model, text.replace("= qemu_aio_context.notified",
                                             "= qemu_aio_context.notifid"))
    assert message.endswith(f"no object named 'qemu_aio_context.notifid' takes part in a "
                            f"run of {AIOWAIT}"), message


def test_options_and_scenarios_the_mapping_does_not_pair(aiowait):
    model, text = aiowait
    message = pair_error(model, text, defines=["NOTIFIED_SKIPS_SET"])
    assert message.endswith(f"scenario {AIOWAIT} pairs the model with -D (none) or "
                            "AIOWAIT_HOME_THREAD_NO_WAITER_COUNT, not NOTIFIED_SKIPS_SET")
    message = pair_error(model, text, scenario="graph-rdunlock-kick-conditional")
    assert message.endswith(f"no 'scenario graph-rdunlock-kick-conditional' block "
                            f"(blocks: {AIOWAIT})")


def test_the_command_line_says_it_in_one_line_with_status_2(aiowait, capsys):
    model, text = aiowait
    model.with_suffix(".pair").write_text(text.replace("label aio_poll.load_notified",
                                                       "label aio_poll.load_notfied"))
    for command in ("pair", "conform"):
        code = cli.main([command, str(model), AIOWAIT])
        out, err = capsys.readouterr()
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and ".pair:6:1: label" in err, err


@pytest.mark.parametrize("mapping", sorted(MODELS.glob("*.pair")), ids=lambda p: p.stem)
def test_the_projects_mappings_are_valid(mapping):
    parsed = load(mapping)
    for name, block in parsed.scenarios.items():
        for defines in [block.fixed] + ([block.buggy] if block.buggy else []):
            Pair(parsed.model, name, list(defines)).check_code_names()
