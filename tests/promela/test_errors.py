"""Bad input gives one line, ``file:line:col: message``, and exit status 2.

Each case is a small model with one mistake, checked through the real command line
(``aioctx.cli.main``); the expected position is where the mistake is in the user's
file, also when it sits behind a macro or in an included file.
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
    ("typedef T { byte a };\ninit { skip }", 1, 1, "typedef"),
    ("active proctype P() { skip unless { skip } }", 1, 28, "'unless' is not supported"),
    ("active proctype P() { byte x;\n  x = 1;\n  else }", 3, 3, "'else'"),
    ("byte x;\nactive proctype P() { atomic { L: x = 1 } }", 2, 32, "placed incorrectly"),
    ("byte x;\nbyte x;\ninit { skip }", 2, 6, "'x' declared twice"),
    ("byte x;\nactive proctype P() { skip }\nnever { x = 1 }", 3, 9, "never claim cannot"),
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
    ("init { skip }\nnever { true }\nnever { true }", 3, 1, "only one never claim"),
    ("byte a[0];\ninit { skip }", 1, 8, "bad array size 0"),
    ("#define SET(v) v = \\\n  nosuch\nactive proctype P() { byte x; SET(x) }", 3, 31,
     "undeclared variable 'nosuch'"),
    ("#define N 1\nbyte x;\nactive proctype P() { /* note */ x = nosuch }", 3, 38,
     "undeclared variable 'nosuch'"),
    ("#ifdef X\n#error X must not be defined\n#endif\ninit { skip }", 2, 0,
     "#error X must not be defined"),
    ('#include "missing.h"\ninit { skip }', 1, 0, "cannot include 'missing.h'"),
    ("#frobnicate\ninit { skip }", 1, 0, "unknown preprocessor directive #frobnicate"),
    ("\x7fELF\x02\x01\x01\x00\x00 proctype@", 1, 8, "binary data (a NUL byte)"),
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
    where = f"{path}:{line}:{col}: " if col else f"{path}:{line}: "
    assert err.startswith(f"aioctx: {where}"), err
    assert message in err


def test_error_in_an_included_file_points_into_it(tmp_path, capsys, monkeypatch):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "body.h").write_text("byte x;\n\nactive proctype P() { x = y }\n")
    model = tmp_path / "main.pml"
    model.write_text('/* main */\n#include "parts/body.h"\n')
    code, _out, err = run_cli(capsys, monkeypatch, str(model))
    assert code == 2
    assert err.startswith(f"aioctx: {tmp_path / 'parts' / 'body.h'}:3:27: undeclared "
                          "variable 'y'"), err


@pytest.mark.parametrize("argv,message", [
    (["-D", "1X"], "'1X' is not a macro name"),
    (["-U", "a-b"], "not a macro name"),
    (["--bfs", "--acceptance"], "--bfs applies to --safety only"),
    (["--max-states", "-1"], "--max-states must not be negative"),
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
