"""The generated successor code is built from the syntax tree, never from model text.

A model whose names and strings look like Python must not get any of them into the
generated source: variables become subscripts, texts stay in tables.  The parser is
cached on disk and rebuilt when the cache is missing or damaged.
"""

from __future__ import annotations

import re
import subprocess
import sys

from aioctx.promela import codegen

from aioctx import promela

EVIL = """
byte __import__, os_system;
mtype = { exec_, eval_ };
chan q = [1] of { mtype };
active proctype exec() {
  byte open;
  open = __import__ + 1;
  q!exec_;
  printf("__import__('os').system('echo pwned') %d\\n", open);
  assert(open != 1 || os_system == 0)
}
"""


def test_generated_source_contains_no_model_text(tmp_path):
    path = tmp_path / "evil.pml"
    path.write_text(EVIL)
    system = promela.build(promela.load(str(path)), "safety")
    source = system.c.source
    for word in ("__import__", "os_system", "exec_", "eval_", "pwned", "open", "system("):
        assert word not in source, word
    # only numbers, fixed templates and helper names: no string literals from the model
    assert not re.search(r"['\"].*pwned", source)
    result, system = promela.check(str(path))
    assert result.ok


def test_generated_code_runs_in_a_namespace_without_builtins(tmp_path):
    path = tmp_path / "m.pml"
    path.write_text("byte x; active proctype P() { x = x + 1 }\n")
    system = promela.build(promela.load(str(path)), "safety")
    builtins = system.c.ns["__builtins__"]
    assert "eval" not in builtins and "exec" not in builtins and "__import__" not in builtins


def test_parser_cache_is_rebuilt_when_missing_or_damaged(tmp_path):
    script = ("import tempfile, sys; tempfile.tempdir = sys.argv[1]\n"
              "from aioctx.promela.parser import parse\n"
              "from aioctx.promela.errors import LineMap\n"
              "prog = parse('init { skip }', LineMap.identity('t.pml', 1))\n"
              "print(len(prog.units))\n")
    for _ in range(2):          # first run writes the cache, the second reads it
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and run.stdout.strip() == "1", run.stderr
    caches = list(tmp_path.glob("aioctx-promela-*.lark"))
    assert len(caches) == 1
    caches[0].write_bytes(b"garbage")
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "1", run.stderr


def test_the_generated_module_is_compiled_in_pieces_of_whole_definitions(tmp_path,
                                                                         monkeypatch):
    """compile() holds the whole syntax tree of its input (about 150 bytes a byte of
    source) and cannot be interrupted: a 150 KB model of one long init took 1.2 GB and
    ignored --time-limit in it (a fuzz run).  In pieces of whole top-level definitions
    the module is the same, and so is the search."""
    path = tmp_path / "long.pml"
    path.write_text("int x;\ninit {\n" + "x++;\n" * 3000 + "skip\n}\n")
    system = promela.build(promela.load(str(path)), "safety")
    source = system.c.source
    pieces = list(codegen._pieces(source))
    assert len(pieces) > 1 and "\n".join(pieces) == source
    assert all(p.startswith("def ") for p in pieces[1:])
    result, _system = promela.check(str(path), "safety")
    assert result.ok and (result.states, result.transitions) == (3002, 3001)
    monkeypatch.setattr(codegen, "PIECE_LINES", 1)      # a piece for each definition
    again, _system = promela.check(str(path), "safety")
    assert (again.verdict, again.states, again.transitions) == ("ok", 3002, 3001)
