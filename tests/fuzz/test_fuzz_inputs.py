"""Fuzzing what users hand to aioctx: Promela models (from a grammar, and mutations of
real models) to ``aioctx check``, and mutated schedule files to ``aioctx replay``.

Whatever the input, a command ends within its budget with status 0, 1, 2 or 3 (never
4, an internal error), without a traceback, and a refusal (status 2) is one line.

In the suite each test runs a fixed number of examples, derandomized (the same inputs
every run).  ``AIOCTX_FUZZ_MINUTES=M`` runs them for about M minutes in all instead,
with fresh random inputs (README.md, "Fuzzing"); a failure prints the input."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioctx import cli

from .promela_text import models, mutants

MINUTES = float(os.environ.get("AIOCTX_FUZZ_MINUTES", "0") or 0)
#: per command: the time limit given to check, and the slack allowed past it
TIME_LIMIT = 10
SLACK = 15
SLUG = "notify-accept-stolen-by-other-thread"


def run(argv: list[str]) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue(), time.monotonic() - t0


def judge(argv: list[str], allowed: set[int], shown: str) -> None:
    code, out, err, took = run(argv)
    where = f"\n--- input ---\n{shown[:3000]}\n--- stderr ---\n{err[-2000:]}"
    assert code in allowed, f"exit {code}" + where
    assert "Traceback" not in err + out, where
    if code == 2:
        assert err.count("\n") == 1, "a refusal of more than one line" + where
    assert took < TIME_LIMIT + SLACK, f"took {took:.1f} s" + where


def fuzz(test, examples: int) -> None:
    """Run a Hypothesis test: ``examples`` derandomized examples, or, with
    AIOCTX_FUZZ_MINUTES, rounds of fresh random ones until its share of the time ends."""
    common = {"deadline": None, "database": None, "print_blob": True,
              "suppress_health_check": list(HealthCheck)}
    if not MINUTES:
        settings(max_examples=examples, derandomize=True, **common)(test)()
        return
    end = time.monotonic() + MINUTES * 60 / 2          # two tests share the time
    one_round = settings(max_examples=50, **common)(test)  # fresh inputs every call
    while time.monotonic() < end:
        one_round()


@pytest.fixture(scope="module")
def folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="aioctx-fuzz-"))


@pytest.mark.timeout(0 if MINUTES else 900)
def test_check_on_generated_and_mutated_models(folder):
    path = folder / "m.pml"

    @given(text=st.one_of(models(), mutants()),
           options=st.sampled_from([[], ["--acceptance"], ["--non-progress"], ["--bfs"],
                                    ["--fair", "--acceptance"], ["--ltl", "[] (a >= 0)"],
                                    ["-N", "p"], ["-D", "LIMIT=3"]]))
    def check(text: str, options: list[str]) -> None:
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        judge(["check", str(path), "--time-limit", str(TIME_LIMIT), "--max-states",
               "20000", *options], {0, 1, 2, 3}, text)

    fuzz(check, 120)


@pytest.fixture(scope="module")
def hunted(folder) -> dict:
    path = folder / "hunted.json"
    code, out, err, _ = run(["hunt", SLUG, "-o", str(path)])
    assert code == 1, err
    return json.loads(path.read_text())


JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70)
                    | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=10)


@st.composite
def schedule_texts(draw: st.DrawFn, doc: dict) -> str:
    """A hunted schedule changed where a user or a disk could change it."""
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "drop", "add", "decisions", "nested",
                                     "scenario"]))
        key = draw(st.sampled_from(sorted(doc) or ["format"]))
        if kind == "value":
            doc[key] = draw(JSON)
        elif kind == "drop":
            doc.pop(key, None)
        elif kind == "add":
            doc[draw(st.text(max_size=10))] = draw(JSON)
        elif kind == "decisions":
            doc["decisions"] = draw(st.lists(st.integers(-1, 5), max_size=60))
        elif kind == "nested" and isinstance(doc.get(key), (dict, list)) and doc[key]:
            inner = doc[key]
            slot = (draw(st.sampled_from(sorted(inner))) if isinstance(inner, dict)
                    else draw(st.integers(0, len(inner) - 1)))
            inner[slot] = draw(JSON)
        elif kind == "scenario":
            doc["scenario"] = {"slug": draw(st.sampled_from([SLUG, "aio-dispatching-flag",
                                                             "no-such", ""])),
                               "buggy": draw(st.sampled_from([True, False, "no", 1]))}
    text = json.dumps(doc)
    if draw(st.integers(0, 4)) == 0:                  # damage the text itself
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(["", "[" * 5000, "NaN", "1" * 5000, "\x00",
                                                "}", '"'])) + text[i + 1:]
    return text


@pytest.mark.timeout(0 if MINUTES else 900)
def test_replay_on_mutated_schedules(folder, hunted):
    path = folder / "s.json"

    @given(text=schedule_texts(hunted),
           options=st.sampled_from([[], ["--fixed"], ["--buggy"]]))
    def replay(text: str, options: list[str]) -> None:
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        judge(["replay", str(path), *options], {0, 1, 2}, text)

    fuzz(replay, 80)
