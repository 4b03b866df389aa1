"""``aioctx check`` on hostile input: files that are not models, models too large to
read, comments that cost memory, macros that expand without end, ``#if`` arithmetic
that would take gigabytes, preprocessor failures.  Each ends quickly with exit status
2 and one located line, never a hang, a traceback or gigabytes of memory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from aioctx.promela.preprocess import MAX_EXPANDED_TOKENS, MAX_EXPANSION_TOKENS
from aioctx.promela.reading import MAX_SOURCE_BYTES

from aioctx import cli


def check(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def refused(code: int, err: str, start: str, fragment: str) -> bool:
    return (code == 2 and err.startswith(start) and fragment in err
            and err.count("\n") == 1 and "Traceback" not in err)


def doubling(levels: int, uses: int = 1) -> str:
    """A macro A<levels> that expands to 2**levels copies of ``skip;``."""
    lines = ["#define A0 skip;"] + [f"#define A{i} A{i - 1} A{i - 1}"
                                    for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\ninit {{ {f'A{levels} ' * uses}}}\n"


PREPROCESSOR_CASES = [
    # (model text, where the error points, what it says)
    ("#define F(a, ) a\ninit { skip }\n", ":1:1: ", "bad #define: malformed parameter list"),
    (doubling(40), ":42:8: ",
     f"macro A40 expands past {MAX_EXPANSION_TOKENS:,} tokens, the most aioctx expands "
     "one macro use to"),
    ("#define D(x) x x\ninit { " + "D(" * 40 + "skip" + ")" * 40 + " }\n", ":2:8: ",
     f"macro D expands past {MAX_EXPANSION_TOKENS:,} tokens"),
    (doubling(12, uses=100), ":14:8: ",
     f"macro A12 expands past the {MAX_EXPANDED_TOKENS:,} tokens aioctx expands macros to"),
    ("#if 1 << 99999999999\n#endif\ninit { skip }\n", ":1:1: ",
     "bad #if condition '1 << 99999999999': shift count out of range"),
    ("#if 1 << -1\n#endif\ninit { skip }\n", ":1:1: ", "shift count out of range"),
    ("init { skip }\n  /* no end\n", ":2:3: ", "unterminated comment"),
    ('#include "{self}"\ninit { skip }\n', ":1:1: ", "#include nested more than 200 deep"),
    ('\n#include "/dev/zero"\ninit { skip }\n', ":2:1: ",
     "/dev/zero: a character device, not a model file"),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text,where,message", PREPROCESSOR_CASES,
                         ids=[c[2][:40] for c in PREPROCESSOR_CASES])
def test_preprocessor_failures_are_located(text, where, message, tmp_path, capsys):
    model = tmp_path / "m.pml"
    model.write_text(text.replace("{self}", str(model)))
    code, out, err = check(capsys, model)
    assert refused(code, err, f"{model}{where}", message), err


def test_shifts_within_64_bits_still_work(tmp_path, capsys):
    model = tmp_path / "m.pml"
    model.write_text("#if (1 << 62) > 0 && (1 >> 99) == 0\ninit { assert(false) }\n#endif\n")
    assert check(capsys, model)[0] == 1


def test_files_that_are_not_models_are_refused_without_reading_them(tmp_path, capsys):
    fifo = tmp_path / "fifo.pml"
    os.mkfifo(fifo)                                   # nobody writes: open() would hang
    code, out, err = check(capsys, fifo)
    assert refused(code, err, f"aioctx: {fifo}: ", "a FIFO, not a model file")
    code, out, err = check(capsys, "/dev/zero")       # MemoryError before
    assert refused(code, err, "aioctx: /dev/zero: ", "a character device")
    code, out, err = check(capsys, tmp_path)
    assert refused(code, err, f"aioctx: {tmp_path}: ", "a folder, not a model file")
    code, out, err = check(capsys, tmp_path / "missing.pml")
    assert refused(code, err, "aioctx: ", "missing.pml")


_MEASURED = """
import runpy, sys
sys.argv = ["aioctx", *sys.argv[1:]]
try:
    runpy.run_module("aioctx", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
sys.stdout.write(f"\\n{code} {peak}\\n")
"""


def _peak_kib(argv: list[str]) -> tuple[int, int, str]:
    """Exit status, peak resident memory (KiB) and stderr of ``aioctx`` in a process
    of its own.  The peak is the process's own VmHWM: a child's ``ru_maxrss`` also
    counts the parent's resident memory at the fork (a large pytest process in a full
    run)."""
    done = subprocess.run([sys.executable, "-c", _MEASURED, *argv], capture_output=True,
                          text=True, timeout=110)
    code, peak = done.stdout.rsplit("\n", 2)[-2].split()
    return int(code), int(peak), done.stderr


@pytest.mark.timeout(120)
def test_comments_cost_no_memory_and_oversized_files_are_refused(tmp_path):
    """A comment took ~280 bytes of memory per byte (a regular expression matching it
    character by character); a 3 MB comment now costs a few megabytes, with or without
    the preprocessor, and a file over the limit is refused before it is read whole."""
    comment = "/* " + "x" * 3_000_000 + " */\n"
    for name, head in (("plain", ""), ("cpp", "#define N 1\n")):
        model = tmp_path / f"{name}.pml"
        model.write_text(head + comment + "init { skip }\n")
        code, peak, err = _peak_kib(["check", str(model)])
        assert code == 0 and peak < 150_000, (name, peak, err)
    big = tmp_path / "big.pml"
    big.write_text("/* " + "x" * (MAX_SOURCE_BYTES + 10) + " */\ninit { skip }\n")
    code, peak, err = _peak_kib(["check", str(big)])
    assert code == 2 and err == (f"aioctx: {big}: larger than {MAX_SOURCE_BYTES >> 20} MiB, "
                                 "the most aioctx reads as a model file\n")
    assert peak < 150_000


def test_comment_blanking_keeps_strings_and_positions(tmp_path, capsys):
    model = tmp_path / "m.pml"
    model.write_text('init { printf("/* not a comment */ // nor this\\n"); /* c */ '
                     "assert(false) } // end\n")
    code, out, err = check(capsys, model)
    assert code == 1 and "/* not a comment */ // nor this" in out
    model.write_text("init { /* a\n comment */ x = 1 }\n")
    code, out, err = check(capsys, model)
    assert code == 2 and err.startswith(f"{model}:2:13: ") and "'x'" in err
