"""Fuzzing the front end with mutated models: never a traceback.

Hypothesis takes the repository's models and mutates them: deletes, duplicates or
swaps pieces, inserts Promela tokens, replaces characters.  Whatever comes out, loading
it must either succeed or raise ``PromelaError``; a model that loads must compile and
be searched (with a small budget) without any exception other than those the checker
reports as results.  The command line, given the same texts, must answer with an exit
status and at most one line on stderr, never a traceback.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from aioctx.model.checker import check
from aioctx.model.system import ModelError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from promela_cases import PROJECT_MODELS, TEST_MODELS

from aioctx import cli, promela

SOURCES = [p.read_text() for p in PROJECT_MODELS + TEST_MODELS]
TOKENS = ["{", "}", "(", ")", "[", "]", ";", "->", "::", ":", ",", "!", "?", "??", "!!",
          "=", "==", "++", "--", "&&", "||", "<<", ">>", "-", "~", "if", "fi", "do", "od",
          "else", "break", "goto", "atomic", "d_step", "skip", "run", "init", "never",
          "proctype", "active", "byte", "int", "bit", "chan", "mtype", "of", "len",
          "timeout", "printf", "assert", "inline", "end:", "accept:", "progress:", "x",
          "_pid", "_nr_pr", "255", "0", "-1", "\n", "/*", "*/", "#define", "#ifdef",
          "#endif", "#include", '"', "'", "\\", "c_code", "unless", "@", "$", "\x00"]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "char"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + " " + draw(st.sampled_from(TOKENS)) + " " + text[i:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif kind == "swap":
            k = draw(st.integers(0, n))
            a, b = sorted((i, k))
            text = text[:a] + text[j:] + text[a:i] + text[b:] if b >= j else text
        else:
            text = text[:i] + draw(st.characters(codec="utf-8")) + text[i + 1:]
    return text


FUZZ = settings(max_examples=250, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(text=mutated())
def test_mutated_models_load_or_fail_cleanly(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "m.pml"
    path.write_text(text)
    try:
        model = promela.load(str(path))
    except promela.PromelaError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for mode in ("safety", "acceptance"):
        try:
            system = promela.build(model, mode)
            result = check(system, mode, max_states=2000, time_limit=5, progress=False)
        except (promela.PromelaError, ModelError) as exc:
            assert str(exc)
            return
        assert result.verdict in ("ok", "violation", "incomplete")
        if result.counterexample is not None:
            promela.format_trail(system, result)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_models_through_the_command_line(tmp_path, monkeypatch, text):
    path = tmp_path / "m.pml"
    path.write_text(text)
    monkeypatch.setattr(cli, "COMMANDS", ["check"])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["check", str(path), "--max-states", "2000", "--json"])
    assert code in (0, 1, 2, 3)
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert err.getvalue().count("\n") == 1
