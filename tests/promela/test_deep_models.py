"""Models that crashed the front end (issue 15): long expressions are checked, nesting
past aioctx's documented depth is a located error, and an inline argument that cannot
be assigned is a located error as it is in SPIN.  None is an internal error."""

from __future__ import annotations

import pytest
from aioctx.promela.nesting import MAX_DEPTH

from aioctx import cli


def check(capsys, tmp_path, text: str) -> tuple[int, str, str, str]:
    model = tmp_path / "m.pml"
    model.write_text(text)
    code = cli.main(["check", str(model)])
    out, err = capsys.readouterr()
    return code, out, err, str(model)


def chain(op: str, n: int) -> str:
    return f" {op} ".join(["1"] * n)


@pytest.mark.parametrize("op, n, value", [
    ("+", 250, 250), ("+", 500, 500), ("+", 10_000, 10_000),
    ("*", 3_000, 1), ("&&", 2_000, 1), ("||", 2_000, 1), ("|", 1_000, 1),
])
def test_long_chains_are_checked_and_keep_their_value(capsys, tmp_path, op, n, value):
    """Catches a wrong value as a violation, so the chain's value is what SPIN's is."""
    code, out, err, _ = check(capsys, tmp_path,
                              f"init {{ int x; x = {chain(op, n)}; assert(x == {value}) }}\n")
    assert code == 0, (out, err)
    code, out, err, _ = check(capsys, tmp_path,
                              f"init {{ int x; x = {chain(op, n)}; assert(x != {value}) }}\n")
    assert code == 1 and "assertion violated" in out, (out, err)


def test_a_long_chain_keeps_the_order_of_its_operands(capsys, tmp_path):
    """``&&`` still stops at the first false operand: the division by zero after it is
    never evaluated (SPIN's short circuit)."""
    terms = ["1"] * 40 + ["0"] + ["(1 / x)"] * 40
    code, out, err, _ = check(capsys, tmp_path,
                              f"init {{ int x; if :: {' && '.join(terms)} -> assert(0) "
                              ":: else -> skip fi }\n")
    assert code == 0, (out, err)


DEEP = [
    ("if", "init { " + "if :: true -> " * 400 + "skip" + " fi" * 400 + " }\n", ":1:"),
    ("braces", "init { " + "{ " * 10_000 + "skip" + " }" * 10_000 + " }\n", ":1:"),
    ("atomic", "init { " + "atomic { " * 10_000 + "skip" + " }" * 10_000 + " }\n", ":1:"),
    ("do", "init { " + "do :: true -> " * 300 + "skip" + "; break od" * 300 + " }\n",
     ":1:"),
    ("minus", f"init {{ int x; x = {chain('-', 250)} }}\n", ":1:19: "),
    ("parentheses", "init { int x; x = " + "(1 - " * 300 + "1" + ")" * 300 + " }\n", ":1:"),
    ("unary", "init { int x; x = " + "- " * 1_000 + "1 }\n", ":1:"),
    ("labels", "init { " + "".join(f"L{i}: " for i in range(500)) + "skip }\n", ":1:"),
    ("in-inline", "inline deep() { " + "{ " * 300 + "skip" + " }" * 300 + " }\n"
     "init { deep() }\n", ":1:"),
]


@pytest.mark.parametrize("text, where", [d[1:] for d in DEEP], ids=[d[0] for d in DEEP])
def test_nesting_past_the_limit_is_a_located_error(capsys, tmp_path, text, where):
    code, out, err, model = check(capsys, tmp_path, text)
    assert (code, out) == (2, ""), err
    assert err.startswith(model + where) and err.count("\n") == 1, err
    assert err.endswith(f"nested more than {MAX_DEPTH} levels deep (statements and "
                        "expressions together): aioctx's limit\n"), err


@pytest.mark.parametrize("text", [
    # the process, the ifs, the innermost guard and its expression: MAX_DEPTH levels
    "init { " + "if :: true -> " * (MAX_DEPTH - 3) + "skip" + " fi" * (MAX_DEPTH - 3) + " }\n",
    # the process, the assignment, its expression
    "init { int x; x = " + "- " * (MAX_DEPTH - 3) + "1; assert(x == " +
    ("-1" if (MAX_DEPTH - 3) % 2 else "1") + ") }\n",
], ids=["statements", "expression"])
def test_nesting_up_to_the_limit_is_checked(capsys, tmp_path, text):
    code, out, err, _ = check(capsys, tmp_path, text)
    assert code == 0, (out, err)


@pytest.mark.parametrize("text, where, argument", [
    ("inline set(v) { v = 1 }\ninit { set(5) }\n", ":1:17: ", "'set' (called at {m}:2:8) "
     "needs a variable for 'v', not 5"),
    ("inline bump(v) { v++ }\ninit { int x; bump(x + 1) }\n", ":1:18: ",
     "'bump' (called at {m}:2:15) needs a variable for 'v', not x + 1"),
    ("inline send(c) { c!1 }\ninit { send(3) }\n", ":1:18: ",
     "'send' (called at {m}:2:8) needs a variable for 'c', not 3"),
])
def test_an_inline_argument_that_cannot_be_assigned(capsys, tmp_path, text, where, argument):
    code, out, err, model = check(capsys, tmp_path, text)
    assert (code, out) == (2, "")
    assert err == f"{model}{where}inline {argument.format(m=model)}\n"
