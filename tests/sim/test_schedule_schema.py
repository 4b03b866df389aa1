"""A schedule file is data: every field is checked before anything uses it, the JSON
text is read within bounds, and each refusal is one line naming the file and the
field.  The documents are a real counterexample's schedule, mutated field by field."""

from __future__ import annotations

import json
import os

import pytest
from aioctx.impl import sync
from aioctx.sim import schedule_schema

from aioctx import sim


def lost_update() -> None:
    x = sync.Atomic(0, name="x")

    def inc() -> None:
        x.store(x.load(label="inc.load") + 1, label="inc.store")

    threads = [sync.Thread(target=inc, name=f"t{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert x.load() == 2, "an increment was lost"


@pytest.fixture(scope="module")
def recorded() -> dict:
    result = sim.explore(lost_update, sim.DFS(preemption_bound=1), runs=100, seed=0)
    assert result.counterexample is not None
    return json.loads(result.counterexample.to_json())


def changed(doc: dict, **fields) -> dict:
    out = json.loads(json.dumps(doc))
    out.update(fields)
    return out


def test_a_real_schedule_passes_and_replays(recorded):
    assert sim.schedule.load(recorded) is recorded
    assert sim.replay(lost_update, recorded).failure is not None


# (what is changed, the message's end); the message starts with "schedule: <field>: "
FIELDS = [
    ({"max_steps": "abc"}, "max_steps: should be a whole number, not a string"),
    ({"max_steps": 0}, "max_steps: 0 is less than the minimum 1"),
    ({"max_steps": 10**12}, "max_steps: 1000000000000 is more than the maximum 100,000,000"),
    ({"max_steps": 5.0}, "max_steps: should be a whole number, not a number"),
    ({"engine": "greenlet"}, 'engine: "greenlet" is not "fiber" or "thread"'),
    ({"engine": None}, 'engine: null is not "fiber" or "thread"'),
    ({"decisions": [0, True]}, "decisions[1]: should be a whole number, not a boolean"),
    ({"decisions": [0, -1]}, "decisions[1]: -1 is less than the minimum 0"),
    ({"decisions": "0,1"}, "decisions: should be a list, not a string"),
    ({"failure": {"message": "lost"}}, "failure: the field 'kind' is missing"),
    ({"failure": "lost"}, "failure: should be an object or null, not a string"),
    ({"failure": {"kind": "exception", "step": -3}}, "failure.step: -3 is less than the "
                                                      "minimum 0"),
    ({"scenario": {"slug": "aio-dispatching-flag", "buggy": "no"}},
     "scenario.buggy: should be true or false, not a string"),
    ({"scenario": {"slug": "aio-dispatching-flag"}}, "scenario: the field 'buggy' is missing"),
    ({"scenario": {"slug": "../../etc", "buggy": True}},
     'scenario.slug: "../../etc" is not a catalogue slug'),
    ({"threads": "x" * 100_000}, "threads: should be a list, not a string"),
    ({"steps": [[0, "load"]]}, "steps[0]: should have at least 5 items, has 2"),
    ({"steps": [[0, "load", "x", 7, "f.py:1"]]}, "steps[0][3]: should be a string or null, "
                                                  "not an integer"),
    ({"program": ["os", "abort"]}, "program: should be a string, not a list"),
    ({"bugy": True}, 'the document: unknown field "bugy"'),
]


@pytest.mark.parametrize("fields, message", FIELDS, ids=[m.split(":")[0] for _, m in FIELDS])
def test_every_field_is_checked(recorded, fields, message):
    with pytest.raises(sim.ScheduleError) as caught:
        sim.schedule.load(changed(recorded, **fields))
    assert str(caught.value) == f"schedule: {message}"


def test_a_missing_field_that_a_replay_needs(recorded):
    doc = changed(recorded)
    del doc["decisions"]
    with pytest.raises(sim.ScheduleError, match="^schedule: the document: the field "
                                                "'decisions' is missing$"):
        sim.schedule.load(doc)


def write(tmp_path, text: str) -> str:
    path = tmp_path / "run.json"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, message", [
    ('{"format": "aioctx.sim.schedule", "version": 1, "max_steps": NaN}',
     "NaN is not a number JSON allows"),
    ('{"format": "aioctx.sim.schedule", "version": 1, "max_steps": Infinity}',
     "Infinity is not a number JSON allows"),
    ('{"format": "aioctx.sim.schedule", "version": 1, "max_steps": -Infinity}',
     "-Infinity is not a number JSON allows"),
    ('{"format": "aioctx.sim.schedule", "version": 1, "max_steps": 1e999}',
     "1e999 is out of range"),
    ('{"format": "aioctx.sim.schedule", "version": 1, "decisions": [' + "7" * 4300 + "]}",
     "a number of 4300 digits (at most 20 in a schedule)"),
    ('{"format": "aioctx.sim.schedule", "version": 1, "x": ' + "[" * 100_000 + "]" * 100_000
     + "}", "nested deeper than a schedule ever is (not a schedule aioctx wrote)"),
    ('{"format": "aioctx.sim.schedule", "version": "1", "decisions": []}',
     'schedule version "1" is not supported (this aioctx reads versions 1, 2)'),
])
def test_json_text_is_read_within_bounds(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(sim.ScheduleError) as caught:
        sim.schedule.load(path)
    assert str(caught.value) == f"{path}: {message}"


def test_files_that_are_not_schedules_are_refused_unread(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)                      # a read would block forever
    for path in (fifo, "/dev/zero", tmp_path):
        with pytest.raises(sim.ScheduleError, match=r": not a regular file \(a schedule "):
            sim.schedule.load(str(path))
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(schedule_schema.MAX_BYTES + 1)
    with pytest.raises(sim.ScheduleError, match="larger than 64 MiB"):
        sim.schedule.load(str(big))


def test_messages_stay_short_whatever_the_value(recorded):
    """jsonschema quotes the whole offending value; a message here never does."""
    with pytest.raises(sim.ScheduleError) as caught:
        sim.schedule.load(changed(recorded, engine="x" * 1_000_000))
    assert len(str(caught.value)) < 200 and "\n" not in str(caught.value)
