"""The mapping file that pairs a Promela model with the code it models (MODEL.pair,
beside MODEL.pml): which model process is which scenario thread, which statement label
is which operation label, which model variable mirrors which impl object.

The file is data, read line by line and never run.  ``#`` starts a comment; blank
lines and indentation do not matter.  Lines::

    model FILE.pml                      the model (default: MODEL.pml beside MODEL.pair)
    label IMPL.LABEL                    an operation label both sides use; the model
                                        spells it with "__" for "." (IMPL__LABEL)
    label IMPL.LABEL = m1, m2           ... or under these statement labels (a label is
                                        unique in a proctype, so a second statement
                                        that is the same operation needs a name of its own)
    variable VAR = OBJECT               model global VAR mirrors the impl object whose
                                        trace name is OBJECT (checked at labelled steps)
    scenario NAME                       a block for one scenario: a catalogue slug of
                                        sim/scenarios, or module:attribute
      fixed DEFINES                     the model's -D options that match the fixed code
                                        ("-": none, the default)
      buggy DEFINES                     ... and those that match its bug switch
      process PROC = THREAD             model process (proctype name) = thread name
      variable VAR = OBJECT             a scenario's own object name for VAR

``label`` lines and model-wide ``variable`` lines come before the first ``scenario``.
DEFINES are ``-D`` names (``NAME`` or ``NAME=VALUE``) separated by commas.  A mistake
is a ``UsageError`` of one line, ``file:line:col: message``; checking the names against
the model and the code is ``correspondence``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

#: an operation label of the code: dotted identifiers, "aio_notify.load_notify_me"
IMPL_LABEL = re.compile(r"^[A-Za-z_]\w*(?:\.\w+)+$")
NAME = re.compile(r"^[A-Za-z_]\w*$")
DEFINE = re.compile(r"^[A-Za-z_]\w*(?:=\S+)?$")
OBJECT = re.compile(r"^\S+$")
SCENARIO = re.compile(r"^(?:[a-z0-9][a-z0-9-]*|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")


@dataclass(frozen=True)
class Place:
    """Where something is written: ``file:line:col``."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass
class ScenarioBlock:
    """One ``scenario`` block: the variants it pairs and who is who."""

    name: str
    where: Place
    fixed: tuple[str, ...] = ()
    buggy: tuple[str, ...] | None = None        # None: the block names no bug variant
    processes: dict[str, tuple[str, Place]] = field(default_factory=dict)
    variables: dict[str, tuple[str, Place]] = field(default_factory=dict)


@dataclass
class Mapping:
    """A parsed mapping file (names not yet checked against the model or the code)."""

    path: str
    model: str                                  # path of the .pml file
    labels: dict[str, tuple[tuple[str, ...], Place]] = field(default_factory=dict)
    variables: dict[str, tuple[str, Place]] = field(default_factory=dict)
    scenarios: dict[str, ScenarioBlock] = field(default_factory=dict)

    def model_labels(self) -> dict[str, str]:
        """Model statement label -> the impl label it stands for."""
        return {m: impl for impl, (ms, _) in self.labels.items() for m in ms}

    def block(self, scenario: str) -> ScenarioBlock:
        found = self.scenarios.get(scenario)
        if found is None:
            known = ", ".join(self.scenarios) or "none"
            raise UsageError(f"{self.path}: no 'scenario {scenario}' block (blocks: {known})")
        return found


def default_path(model: str | Path) -> Path:
    """``MODEL.pair`` beside ``MODEL.pml``."""
    return Path(model).with_suffix(".pair")


def model_label(impl_label: str) -> str:
    """``aio_notify.load_notify_me`` -> ``aio_notify__load_notify_me``."""
    return impl_label.replace(".", "__")


def load(path: str | Path, text: str | None = None) -> Mapping:
    """Parse the mapping file ``path`` (or ``text``)."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path}:1:1: not a text file (UTF-8)", located=True) from None
    return _Parser(str(path), text).parse()


class _Parser:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.mapping = Mapping(path, str(Path(path).with_suffix(".pml")))
        self.block: ScenarioBlock | None = None
        self.seen_model = False

    def error(self, line: int, col: int, message: str) -> UsageError:
        return UsageError(f"{self.path}:{line}:{col}: {message}", located=True)

    def parse(self) -> Mapping:
        for n, raw in enumerate(self.text.split("\n"), 1):
            body = raw.split("#", 1)[0].rstrip()
            if not body.strip():
                continue
            col = len(body) - len(body.lstrip()) + 1
            keyword, _, rest = body.strip().partition(" ")
            handler = getattr(self, f"_{keyword}", None)
            if handler is None or keyword.startswith("_"):
                raise self.error(n, col, f"unknown line {keyword!r}; a line starts with "
                                         "model, label, variable, scenario, fixed, buggy "
                                         "or process")
            handler(n, col + len(keyword) + 1, rest.strip(), Place(self.path, n, col))
        if not self.mapping.scenarios:
            raise self.error(1, 1, "no 'scenario' block: the mapping pairs the model with "
                                   "nothing")
        return self.mapping

    # ---- top level ----

    def _model(self, n: int, col: int, rest: str, at: Place) -> None:
        if self.seen_model or self.mapping.labels or self.mapping.scenarios:
            raise self.error(n, at.col, "'model' comes first, once")
        if not rest.endswith(".pml") or " " in rest:
            raise self.error(n, col, f"expected 'model FILE.pml', not {rest!r}")
        self.mapping.model = str(Path(self.path).parent / rest)
        self.seen_model = True

    def _label(self, n: int, col: int, rest: str, at: Place) -> None:
        if self.block is not None:
            raise self.error(n, at.col, "'label' lines come before the first 'scenario'")
        impl, eq, names = (part.strip() for part in rest.partition("="))
        if not IMPL_LABEL.match(impl):
            raise self.error(n, col, f"expected an operation label such as "
                                     f"'aio_notify.load_notify_me', not {impl!r}")
        if impl in self.mapping.labels:
            raise self.error(n, col, f"label {impl} is mapped twice (first at "
                                     f"{self.mapping.labels[impl][1]})")
        models = tuple(m.strip() for m in names.split(",")) if eq else (model_label(impl),)
        for m in models:
            if not NAME.match(m):
                raise self.error(n, col, f"{m!r} is not a Promela label name")
            for other, (ms, where) in self.mapping.labels.items():
                if m in ms:
                    raise self.error(n, col, f"model label {m} already stands for {other} "
                                             f"({where})")
        self.mapping.labels[impl] = (models, at)

    def _variable(self, n: int, col: int, rest: str, at: Place) -> None:
        var, obj = self._pair(n, col, rest, "variable VAR = OBJECT")
        if not OBJECT.match(obj):
            raise self.error(n, col, f"an object name has no spaces: {obj!r}")
        table = self.block.variables if self.block is not None else self.mapping.variables
        if var in table:
            raise self.error(n, col, f"variable {var} is mapped twice")
        table[var] = (obj, at)

    def _scenario(self, n: int, col: int, rest: str, at: Place) -> None:
        if not SCENARIO.match(rest):
            raise self.error(n, col, f"expected a catalogue slug or module:attribute, "
                                     f"not {rest!r}")
        if rest in self.mapping.scenarios:
            raise self.error(n, col, f"a second 'scenario {rest}' block")
        self.block = self.mapping.scenarios[rest] = ScenarioBlock(rest, at)

    # ---- inside a scenario block ----

    def _in_block(self, n: int, at: Place, keyword: str) -> ScenarioBlock:
        if self.block is None:
            raise self.error(n, at.col, f"'{keyword}' belongs in a 'scenario' block")
        return self.block

    def _fixed(self, n: int, col: int, rest: str, at: Place) -> None:
        self._in_block(n, at, "fixed").fixed = self._defines(n, col, rest)

    def _buggy(self, n: int, col: int, rest: str, at: Place) -> None:
        block = self._in_block(n, at, "buggy")
        defines = self._defines(n, col, rest)
        if not defines:
            raise self.error(n, col, "'buggy' names the -D option(s) of the bug variant")
        block.buggy = defines

    def _process(self, n: int, col: int, rest: str, at: Place) -> None:
        block = self._in_block(n, at, "process")
        proc, thread = self._pair(n, col, rest, "process PROC = THREAD")
        if proc in block.processes:
            raise self.error(n, col, f"process {proc} is mapped twice in this block")
        for other, (t, _) in block.processes.items():
            if t == thread:
                raise self.error(n, col, f"thread {thread} is already process {other}")
        block.processes[proc] = (thread, at)

    # ---- pieces ----

    def _pair(self, n: int, col: int, rest: str, shape: str) -> tuple[str, str]:
        left, eq, right = (part.strip() for part in rest.partition("="))
        if not eq or not left or not right:
            raise self.error(n, col, f"expected '{shape}'")
        if not NAME.match(left):
            raise self.error(n, col, f"{left!r} is not a Promela name")
        if not re.match(r"^\S+$", right):
            raise self.error(n, col, f"expected '{shape}' (one name after '=')")
        return left, right

    def _defines(self, n: int, col: int, rest: str) -> tuple[str, ...]:
        if rest == "-":
            return ()
        out = tuple(d.strip() for d in rest.split(","))
        for d in out:
            if not DEFINE.match(d):
                raise self.error(n, col, f"expected -D options NAME or NAME=VALUE separated "
                                         f"by commas, or '-', not {rest!r}")
        return out
