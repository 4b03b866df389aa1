"""Every numeric option of every command refuses what cannot be meant (not a number,
NaN, infinity, negative, absurdly large) in one line with exit status 2, before any
work; ``check --time-limit`` and ``--memory-limit`` cover the whole command, not only
the search."""

from __future__ import annotations

import time

import pytest

from aioctx import cli, promela
from aioctx.budgets import Deadline, MemoryWatch

MODEL = "init { skip }\n"

#: (command and its other arguments, option, values that must be refused)
NUMBERS = [
    (["check", "{model}"], "--time-limit", ["nan", "-1", "0", "inf", "-inf", "1e400",
                                           "99999999999", "soon"]),
    (["check", "{model}"], "--max-states", ["-1", "0", "nan", "1e9", "10" * 20, "x"]),
    (["check", "{model}"], "--max-depth", ["-5", "0", "1000000000000", "inf"]),
    (["hunt", "bh-schedule-ctx-uaf"], "--runs", ["0", "-3", "nan", "10000000000000"]),
    (["hunt", "bh-schedule-ctx-uaf"], "--seed", ["-1", "1.5", str(2**64), "9" * 5000]),
    (["hunt", "bh-schedule-ctx-uaf"], "--depth", ["0", "-1", "1000000000", "nan"]),
    (["hunt", "bh-schedule-ctx-uaf"], "--bound", ["-1", "1000000000", "two"]),
    (["regress", "--list"], "--workers", ["0", "-2", "100000", "nan"]),
    (["demo"], "--seconds", ["nan", "inf", "-1", "0", "61"]),
    (["demo"], "--producers", ["0", "33", "-1", "1.5"]),
]
CASES = [(argv, option, value) for argv, option, values in NUMBERS for value in values]


@pytest.mark.parametrize("argv,option,value", CASES,
                         ids=[f"{a[0]}{o}={v[:12]}" for a, o, v in CASES])
def test_absurd_numbers_are_refused_in_one_line(argv, option, value, tmp_path, capsys):
    model = tmp_path / "ok.pml"
    model.write_text(MODEL)
    args = [a.format(model=model) for a in argv]
    start = time.monotonic()
    code = cli.main([*args, f"{option}={value}"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", (out, err)
    assert err.startswith(f"aioctx {argv[0]}: argument {option}:") and err.count("\n") == 1
    assert time.monotonic() - start < 5             # refused, not run


def test_hunt_depth_and_bound_are_bounded_by_the_scenarios_steps(capsys):
    """``hunt --depth 1000000000`` died of MemoryError (PCT draws its change points up
    front); a depth past the longest run is refused, naming the bound."""
    code = cli.main(["hunt", "bh-schedule-ctx-uaf", "--depth", "999999"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("aioctx: --depth 999999: at most ")
    assert "the most steps a run of bh-schedule-ctx-uaf takes" in err


def test_good_numbers_pass(tmp_path, capsys):
    model = tmp_path / "ok.pml"
    model.write_text(MODEL)
    code = cli.main(["check", str(model), "--time-limit", "30", "--max-states", "1_000",
                     "--max-depth", "50"])
    assert code == 0, capsys.readouterr()


def _slow_model(tmp_path, monkeypatch):
    """A model whose reading takes 30 s, busy (as pcpp or the parser would be), never
    looking at a clock or a budget."""
    model = tmp_path / "slow.pml"
    model.write_text(MODEL)
    real_load = promela.load

    def slow_load(*args, **kwargs):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        return real_load(*args, **kwargs)

    monkeypatch.setattr(promela, "load", slow_load)
    return model


@pytest.mark.parametrize("budget", ["time", "memory"])
def test_budgets_cover_reading_the_model(budget, tmp_path, capsys, monkeypatch):
    """A front end that never looks at a budget (here: a model that takes long to
    preprocess) is stopped too, with exit status 3, soon after the budget runs out:
    --time-limit, and --memory-limit (a 150 KB model of one long init compiled to
    1.2 GB at once, found by a fuzz run), for which the process's resident set reads
    as 1 TiB here."""
    from aioctx.model import monitor

    model = _slow_model(tmp_path, monkeypatch)
    if budget == "time":
        argv, what = ["--time-limit", "0.5"], "--time-limit 0.5 s"
    else:
        monkeypatch.setattr(monitor, "resident_bytes", lambda: 1 << 40)
        argv, what = ["--memory-limit", "2G"], "the memory budget (2,048 MiB)"
    start = time.monotonic()
    code = cli.main(["check", str(model), *argv])
    took = time.monotonic() - start
    _out, err = capsys.readouterr()
    assert code == 3 and took < 10, (took, err)
    assert err == (f"aioctx: {model}: {what} ran out before the search began "
                   "(reading and compiling the model)\n")


def test_time_limit_leaves_the_search_what_reading_left(tmp_path, capsys):
    model = tmp_path / "big.pml"
    model.write_text("byte a, b, c;\nactive proctype P() { do :: a++ :: b++ :: c++ od }\n")
    start = time.monotonic()
    code = cli.main(["check", str(model), "--time-limit", "0.5"])
    out, err = capsys.readouterr()
    assert code == 3 and time.monotonic() - start < 10
    # on a loaded machine reading and compiling alone may take the whole budget
    assert "INCOMPLETE (time budget reached)" in out or \
        "ran out before the search began" in err, (out, err)
    # the search gets the time that is left when it starts, not the whole budget
    result, _system = promela.check(str(model), time_left=lambda: 0.0, progress=False)
    assert result.verdict == "incomplete" and result.limit == "time"


def test_a_deadline_that_expires_after_the_work_does_not_interrupt_the_caller():
    with Deadline(0.05, grace=0.0) as deadline:
        end = time.monotonic() + 0.2
        try:
            while time.monotonic() < end:
                pass
        except KeyboardInterrupt:
            pass
    assert deadline.expired and deadline.left() == 0.0
    with Deadline(5.0) as early:
        pass
    time.sleep(0.01)
    assert not early.expired and 4 < early.left() <= 5


def test_once_the_search_has_the_budget_the_interrupt_waits_past_the_deadline():
    """A search that stopped itself at the deadline may need seconds on a loaded machine
    to account for what it found: once it asked ``left()``, the interrupt comes only
    REPEAT_SECONDS past the deadline; without that it comes ``grace`` after it."""
    for asked, interrupted in ((False, True), (True, False)):
        caught = False
        with Deadline(0.05, grace=0.0) as deadline:
            if asked:
                assert 0 < deadline.left() <= 0.05
            end = time.monotonic() + 0.5
            try:
                while time.monotonic() < end:
                    pass
            except KeyboardInterrupt:
                caught = True
        assert caught == interrupted and deadline.expired == interrupted


@pytest.mark.timeout(120)
def test_time_limit_holds_in_a_step_that_does_not_end(tmp_path, capsys):
    """Found by the fuzz test: the search takes the deadline's interrupt as "stop at
    the next state", which a d_step that loops never reaches; the deadline interrupts
    again, and that stops it where it is (it ran on for good)."""
    model = tmp_path / "loop.pml"
    model.write_text("int b;\nactive proctype P() { d_step { do :: b++ od } }\n")
    code = cli.main(["check", str(model), "--time-limit", "1"])
    out, err = capsys.readouterr()
    assert code == 3, (out, err)
    assert err == (f"aioctx: {model}: --time-limit 1 s ran out in a step of the search "
                   "that did not end (a d_step or atomic sequence that loops, for one)\n")


@pytest.mark.timeout(120)
def test_a_long_atomic_sequence_is_under_the_search_budgets(tmp_path, capsys):
    """Found by the fuzz test: statement merging followed an atomic sequence counting
    an int up (2^32 states) inside one step, out of reach of every budget (its set of
    passed states grew without bound).  Every ATOMIC_CLOSURE_MAX states the sequence
    stores one, so the states budget stops the search."""
    model = tmp_path / "count.pml"
    model.write_text("int b;\nactive proctype P() { atomic { do :: b++ od } }\n")
    code = cli.main(["check", str(model), "--max-states", "200", "--time-limit", "100"])
    out, err = capsys.readouterr()
    assert code == 3, (out, err)
    assert "INCOMPLETE (states budget reached); 200 states" in out, out


def test_an_interrupt_that_compile_turns_into_a_system_error_is_the_time_limit(
        tmp_path, capsys, monkeypatch):
    """Found by the fuzz test on a loaded machine: the deadline's interrupt landed in
    CPython 3.11's compile() of the generated successor code, which raised SystemError
    ("AST constructor recursion depth mismatch") instead: exit 4, an internal error.
    Here the front end turns the interrupt into that SystemError itself."""
    model = tmp_path / "slow.pml"
    model.write_text(MODEL)
    real_load = promela.load

    def load_interrupted_in_compile(*args, **kwargs):
        end = time.monotonic() + 30
        try:
            while time.monotonic() < end:
                pass
        except KeyboardInterrupt:
            raise SystemError("AST constructor recursion depth mismatch "
                              "(before=237, after=255)") from None
        return real_load(*args, **kwargs)

    monkeypatch.setattr(promela, "load", load_interrupted_in_compile)
    code = cli.main(["check", str(model), "--time-limit", "0.5"])
    out, err = capsys.readouterr()
    assert code == 3, err
    assert err == (f"aioctx: {model}: --time-limit 0.5 s ran out before the search began "
                   "(reading and compiling the model)\n")


def test_the_memory_watch_ends_where_the_search_begins():
    """Once stopped (the search keeps the budget from then on, with its statistics),
    the watch interrupts nobody, however much memory the process holds."""
    watch = MemoryWatch(1 << 20, lambda: 1 << 40, period=0.01)
    with watch:
        watch.stop()
        time.sleep(0.2)
    assert not watch.exceeded
    with pytest.raises(KeyboardInterrupt), MemoryWatch(1 << 20, lambda: 1 << 40,
                                                       period=0.01) as fired:
        time.sleep(5)
    assert fired.exceeded
