"""The regression catalogue: what ``aioctx regress`` runs and what it must find.

Three sources, discovered, never listed here:

* every Promela model of ``promela/models``, each option set it declares, in each mode
  its header states an expected verdict for (``ModelCheck``);
* every scenario registered in ``aioctx.sim.scenarios`` (``sim.scenario.Scenario``),
  buggy and fixed;
* the catalogue of bug switches (``impl.bugs.CATALOGUE``): a slug with neither a
  scenario nor a model variant is listed as not covered, with the reason (every slug
  has a scenario today; a new one may come before its scenario).

Expectations of a model live in its header comment (the ``/* ... */`` block the file
starts with), one source of truth that the model's author writes from SPIN's verdicts::

     *   variants: - | AIO_DISPATCHING_FLAG
     *   expect -: safety=ok acceptance=ok fair=ok
     *   expect AIO_DISPATCHING_FLAG: safety=violation(invalid-end-state) fair=violation

``variants:`` lists the option sets, separated by ``|``: ``-`` for none, otherwise
``-D`` names (``NAME`` or ``NAME=VALUE``) separated by commas.  Each option set has one
``expect <set>:`` line of ``mode=verdict`` words.  Modes: ``safety`` (``pan`` built
with -DSAFETY), ``acceptance`` (``pan -a``), ``fair`` (``pan -a -f``),
``non-progress`` (``pan -l``) and ``non-progress+fair`` (``pan -l -f``).  Verdicts:
``ok``, ``violation``, or ``violation(kind|kind...)`` naming the error kinds SPIN
reports, spelled with hyphens: ``assertion``, ``invariant``, ``invalid-end-state``,
``acceptance-cycle``, ``non-progress-cycle``, ``claim``.  A define names the bug it
switches on: the slug in capitals with ``_`` for ``-`` (``AIO_DISPATCHING_FLAG`` is
``aio-dispatching-flag``).  Mistakes are reported as ``file:line:col: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import promela
from .errors import UsageError

#: the project's models, shipped inside the ``aioctx.promela`` package (found through
#: the package, not the checkout's layout, so an installed aioctx finds them too)
MODELS_DIR = Path(promela.__file__).resolve().parent / "models"

#: header mode word -> (checker mode, weak fairness)
MODES = {
    "safety": ("safety", False),
    "acceptance": ("acceptance", False),
    "fair": ("acceptance", True),
    "non-progress": ("non-progress", False),
    "non-progress+fair": ("non-progress", True),
}
#: header spelling of an error kind -> the checker's (aioctx.model.result) spelling
KINDS = {
    "assertion": "assertion",
    "invariant": "invariant",
    "invalid-end-state": "invalid end state",
    "acceptance-cycle": "acceptance cycle",
    "non-progress-cycle": "non-progress cycle",
    "claim": "claim",
}

_VARIANTS = re.compile(r"\bvariants:")
_EXPECT = re.compile(r"\bexpect\s+(\S+?):")
_WORD = re.compile(r"\S+")
_VERDICT = re.compile(r"^(ok|violation)(?:\(([^()]*)\))?$")


@dataclass(frozen=True)
class ModelCheck:
    """One model, one option set, one mode, and the verdict SPIN gives it."""

    model: str                      # file stem, e.g. "aio-notify-accept"
    path: str
    defines: tuple[str, ...]
    mode_word: str                  # as written in the header: "safety", "fair", ...
    expect: str                     # "ok" or "violation"
    kinds: tuple[str, ...]          # accepted error kinds (checker spelling); () = any
    where: str                      # "file:line" of the expect line

    @property
    def mode(self) -> str:
        return MODES[self.mode_word][0]

    @property
    def fair(self) -> bool:
        return MODES[self.mode_word][1]

    @property
    def variant(self) -> str:
        return ",".join(self.defines) if self.defines else "fixed"

    @property
    def slugs(self) -> tuple[str, ...]:
        """The bug slugs its defines switch on (none for the fixed model)."""
        return tuple(define_slug(d) for d in self.defines)

    @property
    def buggy(self) -> bool:
        return self.expect == "violation"

    def expected_text(self) -> str:
        if not self.buggy:
            return "ok"
        return "violation" + (f" ({' | '.join(self.kinds)})" if self.kinds else "")


def define_slug(define: str) -> str:
    """``AIO_DISPATCHING_FLAG`` (or ``NAME=1``) -> ``aio-dispatching-flag``."""
    return define.split("=", 1)[0].lower().replace("_", "-")


def _header(path: Path, text: str) -> tuple[str, int]:
    """The leading comment block and the offset where it starts."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("/*", start):
        raise UsageError(f"{path}:1:1: the model does not start with a header comment "
                         "(/* ... */) stating its variants and expected verdicts")
    end = text.find("*/", start)
    if end < 0:
        raise UsageError(f"{path}:1:1: the header comment is not closed")
    return text[start:end], start


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _line_rest(header: str, pos: int) -> str:
    end = header.find("\n", pos)
    return header[pos:] if end < 0 else header[pos:end]


def parse_expectations(path: str | Path, text: str | None = None) -> list[ModelCheck]:
    """Every (option set, mode) check stated in ``path``'s header, in header order."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    header, base = _header(path, text)

    def where(offset: int) -> str:
        line, col = _position(text, base + offset)
        return f"{path}:{line}:{col}"

    found = _VARIANTS.search(header)
    if found is None:
        raise UsageError(f"{path}:1:1: the header comment has no 'variants:' line")
    variants: dict[str, tuple[str, ...]] = {}
    offset = found.end()
    for item in _line_rest(header, offset).split("|"):
        name = item.strip().rstrip("*/").strip()
        if not name:
            raise UsageError(f"{where(offset)}: an empty option set in 'variants:' "
                             "(write '-' for none)")
        defines = () if name == "-" else tuple(d.strip() for d in name.split(","))
        variants[name] = defines
        offset += len(item) + 1
    checks: list[ModelCheck] = []
    seen: set[str] = set()
    for m in _EXPECT.finditer(header):
        name = m.group(1)
        if name not in variants:
            raise UsageError(f"{where(m.start(1))}: 'expect {name}:' names no option set "
                             f"of 'variants:' ({', '.join(variants)})")
        if name in seen:
            raise UsageError(f"{where(m.start(1))}: a second 'expect {name}:' line")
        seen.add(name)
        checks += _parse_verdicts(path, header, m.end(), variants[name], where)
    missing = [v for v in variants if v not in seen]
    if missing:
        raise UsageError(f"{where(found.start())}: no 'expect {missing[0]}:' line for that "
                         "option set")
    return checks


def _parse_verdicts(path: Path, header: str, offset: int, defines: tuple[str, ...],
                    where) -> list[ModelCheck]:
    rest = _line_rest(header, offset)
    line_where = where(offset).rsplit(":", 1)[0]
    out: list[ModelCheck] = []
    modes: set[str] = set()
    for w in _WORD.finditer(rest):
        word = w.group()
        if word in ("*", "*/"):
            continue
        at = where(offset + w.start())
        mode, sep, verdict = word.partition("=")
        if not sep or mode not in MODES:
            raise UsageError(f"{at}: expected mode=verdict with a mode of "
                             f"{', '.join(MODES)}, not {word!r}")
        if mode in modes:
            raise UsageError(f"{at}: mode {mode!r} stated twice")
        modes.add(mode)
        vm = _VERDICT.match(verdict)
        if vm is None:
            raise UsageError(f"{at}: verdict must be 'ok', 'violation' or "
                             f"'violation(kind|...)', not {verdict!r}")
        kinds: list[str] = []
        for k in [] if vm.group(2) is None else vm.group(2).split("|"):
            if k.strip() not in KINDS:
                raise UsageError(f"{at}: unknown error kind {k.strip()!r}; known: "
                                 f"{', '.join(KINDS)}")
            kinds.append(KINDS[k.strip()])
        if kinds and vm.group(1) == "ok":
            raise UsageError(f"{at}: 'ok' takes no error kinds")
        out.append(ModelCheck(path.stem, str(path), defines, mode, vm.group(1),
                              tuple(kinds), line_where))
    if not out:
        raise UsageError(f"{where(offset)}: an 'expect' line with no mode=verdict words")
    return out


def model_checks(models_dir: Path | None = None) -> list[ModelCheck]:
    """The checks of every model in ``models_dir`` (default: promela/models), in file
    name order."""
    out: list[ModelCheck] = []
    for path in sorted((models_dir or MODELS_DIR).glob("*.pml")):
        out += parse_expectations(path)
    return out


def scenarios() -> dict:
    """slug -> ``Scenario``, as registered in ``aioctx.sim.scenarios``."""
    from .sim import scenarios as registry
    return dict(registry.CATALOGUE)


@dataclass(frozen=True)
class Uncovered:
    """A catalogue bug with no scenario, and why."""

    slug: str
    memory_model: str
    reason: str


def uncovered(scenario_slugs: list[str]) -> list[Uncovered]:
    """Bugs of ``impl.bugs.CATALOGUE`` without a scenario, in catalogue order."""
    from .impl.bugs import CATALOGUE

    out = []
    for slug, bug in CATALOGUE.items():
        if slug in scenario_slugs:
            continue
        if bug.memory_model != "SC":
            reason = f"not covered yet (needs {bug.memory_model} model)"
        else:
            reason = "not covered yet (no scenario in sim/scenarios)"
        out.append(Uncovered(slug, bug.memory_model, reason))
    return out
