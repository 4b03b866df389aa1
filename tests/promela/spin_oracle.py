"""SPIN as the oracle: run ``spin -a``, ``gcc`` and ``pan`` on a model, read the verdict.

Verifiers are cached by the hash of the C code ``spin -a`` generates plus the compile
flags, so a model and option set is compiled once per machine (the cache directory is
``$AIOCTX_SPIN_CACHE``, default ``~/.cache/aioctx/spin-verifiers``).  ``pan -c0`` keeps
searching after the first error, so the oracle reports every kind of error SPIN finds.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field

#: verifier flags per mode: (gcc defines, pan options)
MODES = {
    "safety": (["-DSAFETY"], []),
    "acceptance": ([], ["-a"]),
    "acceptance+fair": ([], ["-a", "-f"]),
    "non-progress": (["-DNP"], ["-l"]),
    "non-progress+fair": (["-DNP"], ["-l", "-f"]),
}

_KINDS = {
    "assertion violated": "assertion",
    "invalid end state": "invalid end state",
    "acceptance cycle": "acceptance cycle",
    "accept stutter": "acceptance cycle",
    "non-progress cycle": "non-progress cycle",
    "end state in claim reached": "claim",
    # run-time errors of the model; aioctx reports them as failed assertions
    "ref to uninitialized chan": "assertion",
    "block in d_step seq": "assertion",
    "used: enabled(pid=thisproc)": "assertion",
    "priority is out of range": "assertion",
    "error to poll rendezvous channel": "assertion",
    "polling rv chan": "assertion",
    # trace/notrace and xr/xs assertions (aioctx reports them as failed assertions)
    "event_trace error": "assertion",
    "error, partial order reduction invalid": "assertion",
}
_ERROR_LINE = re.compile(r"^pan:\d+: (.*?)(?: \(at depth -?\d+\))?$", re.M)


def available() -> str | None:
    """None if SPIN and gcc are installed, else the reason to skip."""
    for tool in ("spin", "gcc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (the SPIN oracle needs spin and gcc)"
    return None


def cache_dir() -> str:
    d = os.environ.get("AIOCTX_SPIN_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "aioctx", "spin-verifiers")
    os.makedirs(d, exist_ok=True)
    return d


@dataclass
class SpinVerdict:
    errors: int
    kinds: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def violated(self) -> bool:
        return self.errors > 0

    @property
    def states(self) -> int:
        """The states pan stored."""
        m = re.search(r"(\d+) states, stored", self.output)
        if m is None:
            raise RuntimeError(f"no state count in pan's report:\n{self.output}")
        return int(m.group(1))


def _verifier(path: str, defines: list[str], cflags: list[str],
              spin_flags: list[str]) -> str:
    """Path of the compiled ``pan`` for this model, options and flags (cached)."""
    work = tempfile.mkdtemp(prefix="aioctx-spin-")
    try:
        model = os.path.abspath(path)
        cmd = ["spin", *(f"-D{d}" for d in defines), *spin_flags, "-a", model]
        run = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not os.path.exists(os.path.join(work, "pan.c")):
            raise RuntimeError(f"spin -a failed on {path}:\n{run.stdout}{run.stderr}")
        digest = hashlib.sha256(" ".join(cflags + spin_flags).encode())
        for name in sorted(os.listdir(work)):
            if name.startswith("pan."):
                with open(os.path.join(work, name), "rb") as f:
                    digest.update(name.encode() + f.read())
        target = os.path.join(cache_dir(), digest.hexdigest()[:24])
        if not os.path.exists(target):
            tmp = target + f".{os.getpid()}.tmp"
            gcc = ["gcc", "-O0", "-w", *cflags, "-o", tmp, "pan.c"]
            built = subprocess.run(gcc, cwd=work, capture_output=True, text=True,
                                   timeout=300)
            if built.returncode != 0:
                raise RuntimeError(f"gcc failed on {path}:\n{built.stderr}")
            os.replace(tmp, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def spin_verdict(path: str, mode: str, defines: list[str] | None = None,
                 optimised: bool = False, claim: str | None = None) -> SpinVerdict:
    """What SPIN's verifier says about ``path`` in ``mode`` (a key of ``MODES``), about
    the never claim or ltl property ``claim`` (``pan -N``; default: pan's, the first).

    By default SPIN's two optimisations are off: ``spin -o3`` (no statement merging)
    and ``gcc -DNOREDUCE`` (no partial-order reduction), so the verifier explores the
    plain semantics that aioctx implements; ``spin -o2`` keeps write-only variables in
    the state vector (hidden, they become C globals of pan.c, and a model's ``done``
    or ``now`` then clashes with pan's own: tests/model/promela/fairness.pml -DSTUCK
    did not compile).  Both optimisations are meant to keep verdicts, but each has
    corners where it does not: merging folds ``p = run P();
    q = run P()`` into one step, so the first process can never die (and free its pid)
    in between (tests/promela/models/processes.pml); the reduction hides errors after
    the first one, and in non-progress mode even an assertion violation
    (tests/promela/models/chan_passing.pml -DWRONG).  ``optimised=True`` asks SPIN's
    default verifier instead.
    """
    cflags, options = MODES[mode]
    if claim is not None:
        options = options + ["-N", claim]
    if optimised:
        return _run_pan(path, defines, cflags, options, [])
    return _run_pan(path, defines, cflags + ["-DNOREDUCE"], options, ["-o2", "-o3"])


def _run_pan(path: str, defines: list[str] | None, cflags: list[str],
             options: list[str], spin_flags: list[str]) -> SpinVerdict:
    pan = _verifier(path, list(defines or []), cflags, spin_flags)
    work = tempfile.mkdtemp(prefix="aioctx-pan-")
    try:
        out, stopped = _pan_output([pan, *options, "-c0", "-n", "-m1000000", "-w20"], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    nfair = re.search(r"recompile with -DNFAIR=(\d+)", out)
    if nfair is not None and not any(f.startswith("-DNFAIR=") for f in cflags):
        # pan -f handles 6 processes unless built for more (it says how many)
        return _run_pan(path, defines, cflags + [f"-DNFAIR={nfair.group(1)}"], options,
                        spin_flags)
    kinds = []
    reports = _ERROR_LINE.findall(out)
    for line in reports:
        for text, kind in _KINDS.items():
            if line.startswith(text) and kind not in kinds:
                kinds.append(kind)
    if stopped or ("max search depth too small" in out and reports):
        # the endless descent after a claim's assertion (see _pan_output): the errors
        # found are SPIN's verdict
        return SpinVerdict(len(reports), kinds, out)
    if "max search depth too small" in out:
        raise RuntimeError(f"pan's depth bound was reached on {path}")
    m = re.search(r"errors: (\d+)", out)
    if m is None:
        raise RuntimeError(f"cannot read pan's verdict on {path}:\n{out}")
    return SpinVerdict(int(m.group(1)), kinds, out)


#: error reports read before pan is stopped (see _pan_output)
MAX_REPORTS = 2000


def _pan_output(argv: list[str], cwd: str) -> tuple[str, bool]:
    """pan's report (stdout and stderr), and whether pan was stopped after
    ``MAX_REPORTS`` error reports.  Under ``-c0`` pan goes on after each error; after an
    assertion violated in a never claim's atomic sequence (how the claims of SPIN's
    ltl formulas fail) it can then go deeper without end, reporting the same errors at
    every depth until its depth bound (tests/promela/models/ltl_until.pml -DSKIP)."""
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(300, proc.kill)
    watchdog.start()
    lines: list[str] = []
    reports = 0
    stopped = False
    try:
        for line in proc.stdout:
            lines.append(line)
            reports += line.startswith("pan:") and _ERROR_LINE.match(line.rstrip("\n")) \
                is not None
            if reports >= MAX_REPORTS:
                stopped = True
                proc.kill()
                break
        proc.wait()
    finally:
        watchdog.cancel()
        proc.stdout.close()
    return "".join(lines), stopped
