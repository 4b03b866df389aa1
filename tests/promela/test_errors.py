"""Bad input gives one line, ``file:line:col: message``, and exit status 2.

Each case is a small model with one mistake, checked through the real command line
(``aioctx.cli.main``); the expected position is where the mistake is in the user's
file, also when it sits behind a macro or in an included file.  The line starts with
the position (editors and CI match ``^file:line:col:``); only errors without a place
in a file (a missing file, a bad option) start with ``aioctx: ``.
"""

from __future__ import annotations

import pytest

from aioctx import cli

CASES = [
    # (model text, line, column, message fragment)
    ("active proctype P() { byte x; x = }", 1, 35, "syntax error near '}'"),
    ("active proctype P() { byte x; x = 1 $ }", 1, 37, "unexpected character '$'"),
    ("active proctype P() {\n  skip\n", 3, 1, "unexpected end of file"),
    ("active proctype P() {\n  y = 1\n}", 2, 3, "undeclared variable 'y'"),
    ("byte a[2];\nactive proctype P() { a = 1 }", 2, 23, "'a' is an array"),
    ("byte a;\nactive proctype P() { a[1] = 2 }", 2, 23, "'a' is not an array"),
    ("byte c;\nactive proctype P() { c!1 }", 2, 23, "'c' is not a chan"),
    ("chan q = [1] of { byte };\nactive proctype P() { q!1,2 }", 2, 23,
     "carries 1 field(s), not 2"),
    ("active proctype P() { run Q() }", 1, 23, "'Q' is not a proctype"),
    ("proctype Q(byte a) { skip }\ninit { run Q() }", 2, 8, "takes 1 argument(s), not 0"),
    ("inline f(a) { a++ }\nactive proctype P() { byte x; f(x, x) }", 2, 31,
     "takes 1 argument(s), not 2"),
    ("active proctype P() { goto nowhere }", 1, 23, "undefined label 'nowhere'"),
    ("active proctype P() { break }", 1, 23, "'break' outside a do loop"),
    ("active proctype P() {\n  c_code { now.x = 1; }\n}", 2, 3, "embedded C code (c_code)"),
    ("active proctype P() { c_expr { 1 } }", 1, 23, "embedded C code (c_expr)"),
    ("d_proctype P() { skip }\ninit { skip }", 1, 1, "'d_proctype' (a proctype that runs "
     "as one d_step) is not supported"),
    ("inline f() { return 1 }\ninit { skip }", 1, 14, "'return' (an inline that returns"),
    # SPIN 6 constructs used wrongly (SPIN refuses each too)
    ("typedef T { byte a };\ninit { T x; x = 1 }", 2, 13, "incomplete structure reference x"),
    ("typedef T { byte a };\ninit { T x; x.b = 1 }", 2, 13, "x has no field 'b'"),
    ("typedef T { byte a[2] };\ninit { T x; x.a = 1 }", 2, 13, "x.a is an array"),
    ("init { byte i; for (i : 3 .. 1) { skip } }", 1, 16, "start value for i exceeds"),
    ("byte a; init { byte i; for (i in a) { skip } }", 1, 34, "'a' is not an array"),
    ("init { hidden byte h; h = 1 }", 1, 8, "only global variables can be hidden"),
    ("byte x;\nactive proctype P(byte y) provided (y > 0) { skip }", 2, 37,
     "invalid provided clause: 'y' is local"),
    ("active proctype P() priority 300 { skip }", 1, 30, "priority 300 is out of range"),
    ("typedef Pt { byte x };\ntypedef Path { Pt at[2] };\nchan q = [1] of { byte, Path };\n"
     "init { skip }", 3, 14, "Path holds an array of structures (at)"),
    ("chan c = [0] of { bit };\nactive proctype P() priority 2 { c!1 }\n"
     "active proctype Q() { c?1 }", 2, 30, "priorities cannot be used in a model with "
     "rendezvous channels"),
    ("chan c = [1] of { byte };\nbyte x;\ninit { c!1 }\ntrace { x = 1 }", 4, 9,
     "not an event"),

    ("active proctype P() { byte x;\n  x = 1;\n  else }", 3, 3, "'else'"),
    ("byte x;\nactive proctype P() { atomic { L: x = 1 } }", 2, 32, "placed incorrectly"),
    ("byte x;\nbyte x;\ninit { skip }", 2, 6, "'x' declared twice"),
    ("byte x;\nactive proctype P() { skip }\nnever { x = 1 }", 3, 9, "never claim cannot"),
    ("chan c = [1] of { byte };\nactive proctype P() { skip }\nnever { c!1 }", 3, 9,
     "a never claim cannot send or receive"),
    ("byte x;\nactive proctype P() { x = np_ }", 2, 27, "np_ can only be used in a never "
     "claim"),
    ("chan c = [0] of { byte };\nactive proctype P() { c!1 }\n"
     "active proctype Q() { byte v; enabled(0) -> c?v }", 3, 31,
     "enabled() cannot be used in a model with rendezvous channels"),
    ("active proctype P() { byte x; x = 1; byte a[2] = { 1, 2 } }", 1, 43,
     "cannot use an array list initializer here"),
    ("byte x;", 1, 1, "no process to run"),
    ("chan q = [1] of { byte };\nactive proctype P() { !full(q) }", 2, 24,
     "full() can only be combined"),
    ("unsigned u;\ninit { skip }", 1, 10, "unsigned needs a width"),
    ("chan c;\nactive proctype P() { c++ }", 2, 23, "arithmetic on a chan"),
    ("active proctype P() { _pid = 1 }", 1, 23, "cannot assign to '_pid'"),
    ("byte x;\nactive proctype P() { x = 1 + run P() }", 2, 31,
     "'run' can only be a statement"),
    ("byte x : 3;\ninit { skip }", 1, 6, "only allowed on unsigned"),
    ("byte x = [1] of { byte };\ninit { skip }", 1, 6, "'x' is not a chan"),
    ("chan c = 3;\ninit { skip }", 1, 6, "a chan is initialised with"),
    ("active proctype P() { L: skip; L: skip }", 1, 32, "label 'L' defined twice"),
    ("init { skip }\nnever q { true }\nnever q { true }", 3, 1,
     "a never claim or ltl property named 'q' is already defined (line 2)"),
    ("byte a[0];\ninit { skip }", 1, 8, "bad array size 0"),
    ("#define SET(v) v = \\\n  nosuch\nactive proctype P() { byte x; SET(x) }", 3, 31,
     "undeclared variable 'nosuch'"),
    ("#define N 1\nbyte x;\nactive proctype P() { /* note */ x = nosuch }", 3, 38,
     "undeclared variable 'nosuch'"),
    ("#ifdef X\n  #error X must not be defined\n#endif\ninit { skip }", 2, 3,
     "#error X must not be defined"),
    ('#include "missing.h"\ninit { skip }', 1, 1, "cannot include 'missing.h'"),
    ("#frobnicate\ninit { skip }", 1, 1, "unknown preprocessor directive #frobnicate"),
    ("\x7fELF\x02\x01\x01\x00\x00 proctype@", 1, 8, "binary data (a NUL byte)"),
    ("#if 1 +\ninit { skip }\n#endif", 1, 1, "bad #if condition '1 +': incomplete expression"),
    ("#if 0\n#elif 2 == = 2\n#endif\ninit { skip }", 2, 1,
     "bad #elif condition '2 == = 2': syntax error near '='"),
    ("#if 1\ninit { skip }", 1, 1, "unterminated #if 1: no matching #endif"),
    ("init { skip }\n  /* a note\n", 2, 3, "unterminated comment"),
    # remote references
    ("active proctype P() { L: skip }\nnever { X[0]@L }", 2, 9,
     "'X' is not a proctype (in the remote reference X[0]@L)"),
    ("active proctype P() { L: skip }\nnever { P[0]@M }", 2, 9, "proctype 'P' has no label 'M'"),
    ("active proctype P() { byte y; L: skip }\nnever { P@L && P[0]:z == 1 }", 2, 16,
     "proctype 'P' has no local variable 'z'"),
    ("never { P[0]@L }\nactive proctype P() { L: skip }", 1, 9,
     "before the declaration of proctype 'P'"),
    ("byte x;\nactive proctype P() { L: skip }\nactive proctype Q() { d_step { x = 1; P[0]@L } }",
     3, 39, "remote reference P[0]@L in a condition inside a d_step"),
    ("byte x;\nactive proctype P() { L: skip }\nactive proctype Q() { d_step { x = P[0]@L } }",
     3, 36, "remote reference P[0]@L inside a d_step"),
    ("byte x;\nactive proctype P() { byte y[2] }\nactive proctype Q() { x = P[0]:y }", 3, 27,
     "P:y is an array"),
    # channel names where SPIN refuses them
    ("chan c = [1] of { byte };\nactive proctype P() { c = 3 }", 2, 27,
     "invalid assignment to chan 'c': a constant is not a channel"),
    ("mtype = { m };\nchan c[2];\nactive proctype P() { c[1] = m }", 3, 30,
     "invalid assignment to chan 'c'"),
    ("chan c = [1] of { byte };\nbyte b;\nactive proctype P() { b = c + c }", 3, 27,
     "invalid use of chan name 'c': a chan cannot be an operand of '+'"),
    ("chan c, d;\nbyte a[2];\nactive proctype P() { a[0] = a[d - 1] }", 3, 32,
     "invalid use of chan name 'd'"),
    ("chan c, d;\nbyte b;\nactive proctype P() { c = (b -> d : c) }", 3, 33,
     "operand of a conditional expression"),
    # ltl blocks
    ("byte x;\nactive proctype P() { x++ }\nltl p {\n  [] X (x > 0) }", 4, 6,
     "the next-time operator X is not supported"),
    ("byte x;\nactive proctype P() { x++ }\nltl p { <> x == 1 }", 3, 9,
     "the temporal formula '<> x' is an operand of '=='"),
    ("byte x;\nactive proctype P() { x++ }\nltl p { [] (x < 3) }\nltl p { <> x }", 4, 1,
     "a never claim or ltl property named 'p' is already defined (line 3)"),
    ("byte x;\nactive proctype P() { x++ }\nnever p { true }\nltl p { <> x }", 4, 1,
     "a never claim or ltl property named 'p' is already defined (line 3)"),
    ("byte x;\nactive proctype P() { x++ }\nltl P { <> x }", 3, 5, "syntax error near 'P'"),
    ("byte x;\nactive proctype P() { byte y; x++ }\nltl { [] (y == 0) }", 3, 11,
     "undeclared variable 'y'"),
    ("byte x;\nactive proctype P() { x++ }\nltl { [] (x = 1) }", 3, 13, "syntax error"),
    ("byte x;\nactive proctype P() { x++ }\nltl { [] (run P() > 0) }", 3, 11,
     "'run' can only be a statement"),
    ("chan q = [1] of { byte };\nactive proctype P() { q!1 }\nltl { [] (len(q) + full(q)) }",
     3, 20, "full() can only be combined with && and ||"),
    ("byte x;\nactive proctype P() { x++ }\nltl { [] (x > 0 -> (x : 1)) }", 3, 23,
     "syntax error"),
]


def run_cli(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(cli, "COMMANDS", ["check"])
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("text,line,col,message", CASES,
                         ids=[c[3][:30] for c in CASES])
def test_bad_model_is_one_line_with_position(tmp_path, capsys, monkeypatch, text, line, col,
                                             message):
    path = tmp_path / "bad.pml"
    path.write_text(text)
    code, out, err = run_cli(capsys, monkeypatch, str(path), "-DX" if "#error" in text else
                             "-DY")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{path}:{line}:{col}: "), err
    assert message in err
    assert "evaluat" not in err and "Error(" not in err     # no pcpp internals


def test_error_in_an_included_file_points_into_it(tmp_path, capsys, monkeypatch):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "body.h").write_text("byte x;\n\nactive proctype P() { x = y }\n")
    model = tmp_path / "main.pml"
    model.write_text('/* main */\n#include "parts/body.h"\n')
    code, _out, err = run_cli(capsys, monkeypatch, str(model))
    assert code == 2
    assert err.startswith(f"{tmp_path / 'parts' / 'body.h'}:3:27: undeclared "
                          "variable 'y'"), err


def test_model_in_a_subfolder_of_the_working_directory(tmp_path, capsys, monkeypatch):
    """pcpp names files under the working directory relative to it: the folder of a
    model given by its absolute path was once prepended again (models/models/m.pml)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.pml"
    model.write_text("#define N 2\nbyte x;\nactive proctype P() { x = nosuch }\n")
    for given in (str(model), "models/m.pml"):
        code, _out, err = run_cli(capsys, monkeypatch, given)
        assert code == 2
        assert err.startswith(f"{given}:3:27: undeclared variable 'nosuch'"), err
    model.write_text("#define N 2\nbyte x;\nactive proctype P() { assert(x == N) }\n")
    code, out, _err = run_cli(capsys, monkeypatch, str(model))
    assert code == 1 and f" {model}:3 " in out and "models/models" not in out, out


@pytest.mark.parametrize("statement", ["b = c", "c = b", "c = d", "c = -1", "b = len(c) + 1",
                                       "b = a[c]", "c == d", "c!c + 1"])
def test_chan_names_where_spin_allows_them(tmp_path, capsys, monkeypatch, statement):
    path = tmp_path / "ok.pml"
    path.write_text("chan c = [2] of { byte };\nchan d;\nbyte b, a[9];\n"
                    f"active proctype P() {{ {statement} }}\n")
    code, out, err = run_cli(capsys, monkeypatch, str(path))
    assert err == "" and code in (0, 1), err


@pytest.mark.parametrize("argv,message", [
    (["-D", "1X"], "'1X' is not a macro name"),
    (["-U", "a-b"], "not a macro name"),
    (["--bfs", "--acceptance"], "--bfs applies to --safety only"),
    (["--max-states", "-1"], "argument --max-states: -1 is out of range"),
])
def test_bad_options(tmp_path, capsys, monkeypatch, argv, message):
    path = tmp_path / "ok.pml"
    path.write_text("init { skip }\n")
    code, _out, err = run_cli(capsys, monkeypatch, str(path), *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_missing_file(tmp_path, capsys, monkeypatch):
    code, _out, err = run_cli(capsys, monkeypatch, str(tmp_path / "nope.pml"))
    assert code == 2
    assert err.startswith("aioctx: ") and "nope.pml" in err and err.count("\n") == 1


def test_runtime_errors_are_violations_not_bad_input(tmp_path, capsys, monkeypatch):
    """A division by zero or a bad index is the model's behaviour: exit 1, a trail."""
    path = tmp_path / "div.pml"
    path.write_text("byte a[2], d;\nactive proctype P() { d = 1 / d }\n"
                    "active proctype Q() { a[d + 2] = 1 }\n")
    code, out, err = run_cli(capsys, monkeypatch, str(path))
    assert code == 1 and err == ""
    assert "run-time error" in out


def test_remote_reference_to_a_process_of_another_proctype(tmp_path, capsys, monkeypatch):
    """SPIN's simulator reports "refers to wrong proctype" (its verifier compares the
    other process's raw state); here it is a run-time error of the model, with a trail."""
    path = tmp_path / "wrong.pml"
    path.write_text("active proctype P() { byte y; L: y = 1 }\n"
                    "active proctype Q() { byte y; assert(P[1]:y == 0) }\n")
    code, out, err = run_cli(capsys, monkeypatch, str(path))
    assert code == 1 and err == ""
    assert "run-time error: P[1]:y: process 1 is a Q, not a P" in out
