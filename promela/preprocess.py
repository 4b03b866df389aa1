"""The C preprocessor pass SPIN runs before parsing, with a map back to the user's lines.

SPIN hands every model to ``cpp``: ``#define`` (object- and function-like, with
backslash-continued bodies), ``#undef``, ``#if``/``#ifdef``/``#ifndef``/``#elif``/
``#else``/``#endif`` with ``defined`` and integer expressions, ``#include "file"``
relative to the including file, ``#warning`` and ``#error``, plus ``-D``/``-U``
options.  We use pcpp, a C99 preprocessor in pure Python, and read its ``#line``
directives to map each output line to the file and line it came from.

A file without any ``#`` and no ``-D``/``-U`` options is passed through untouched
(the lexer skips comments itself), which keeps start-up fast for plain models.  A file
with a NUL byte is refused as binary data, at the position of that byte.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field

from .errors import LineMap, PromelaError, Source

_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
_LINE_DIRECTIVE = re.compile(r'#line (\d+) "(.*)"\s*\Z')


@dataclass
class Preprocessed:
    """Preprocessed text, its line map, and the ``#warning`` lines met on the way."""

    text: str
    lines: LineMap
    warnings: list[str] = field(default_factory=list)


def parse_define(option: str) -> tuple[str, str]:
    """``NAME`` or ``NAME=VALUE`` (a ``-D`` argument) as (name, value); value "1" if absent."""
    name, eq, value = option.partition("=")
    name = name.strip()
    if not _IDENT.match(name):
        raise PromelaError(None, f"-D {option}: {name!r} is not a macro name")
    return name, (value if eq else "1")


def preprocess(path: str, defines: list[str] | None = None,
               undefines: list[str] | None = None, text: str | None = None) -> Preprocessed:
    """Run the preprocessor over ``path`` (or over ``text``, reported as ``path``)."""
    if text is None:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as exc:
            raise PromelaError(None, f"{path}: cannot read: {exc.strerror or exc}") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise PromelaError(Source(path, line, nul - text.rfind("\n", 0, nul)),
                           "binary data (a NUL byte): not a Promela model")
    defines = list(defines or [])
    undefines = list(undefines or [])
    for name in undefines:
        if not _IDENT.match(name):
            raise PromelaError(None, f"-U {name}: not a macro name")
    if "#" not in text and not defines and not undefines:
        return Preprocessed(text, LineMap.identity(path, text.count("\n") + 1))
    return _run_pcpp(path, text, [parse_define(d) for d in defines], undefines)


def _run_pcpp(path: str, text: str, defines: list[tuple[str, str]],
              undefines: list[str]) -> Preprocessed:
    import pcpp.preprocessor  # imported here: plain models never pay for it
    from pcpp import Preprocessor

    # SPIN preprocesses with gcc -E in gnu99 mode, where trigraphs are off: "c??<x>"
    # is a Promela receive, not "c{x>".
    pcpp.preprocessor.trigraph = _no_trigraphs

    base = os.path.dirname(path)
    warnings: list[str] = []

    def where(file: str | None, line: int | None) -> Source:
        return Source(_display_name(path, base, file), int(line or 0))

    class _Cpp(Preprocessor):
        def on_error(self, file, line, msg):
            raise PromelaError(where(file, line), msg)

        def on_include_not_found(self, is_malformed, is_system_include, curdir,
                                 includepath):
            d = self.lastdirective
            what = "malformed #include" if is_malformed else f"cannot include {includepath!r}"
            raise PromelaError(where(d.source if d else path, d.lineno if d else 0), what)

        def on_directive_unknown(self, directive, toks, ifpassthru, precedingtoks):
            message = "".join(t.value for t in toks).strip()
            at = where(directive.source, directive.lineno)
            if directive.value == "error":
                raise PromelaError(at, f"#error {message}")
            if directive.value == "warning":
                warnings.append(f"{at}: warning: {message}")
                return True
            raise PromelaError(at, f"unknown preprocessor directive #{directive.value}")

    cpp = _Cpp()
    cpp.line_directive = "#line"
    out = io.StringIO()
    try:
        for name, value in defines:
            cpp.define(f"{name} {value}")
        for name in undefines:
            cpp.undef(name)
        cpp.parse(text, path)
        cpp.write(out)
    except PromelaError:
        raise
    except Exception as exc:     # pcpp has no error type of its own; never a traceback
        raise PromelaError(Source(path, 0), f"preprocessor failed: {exc}") from None
    return _strip_line_directives(out.getvalue(), path, base, warnings)


def _no_trigraphs(text: str) -> str:
    return text


def _display_name(path: str, base: str, file: str | None) -> str:
    if not file or file == path:
        return path
    if os.path.isabs(file) or not base:
        return file
    return os.path.join(base, file)


def _strip_line_directives(output: str, path: str, base: str,
                           warnings: list[str]) -> Preprocessed:
    kept: list[str] = []
    origins: list[tuple[str, int]] = []
    file, line = path, 1
    for raw in output.split("\n"):
        m = _LINE_DIRECTIVE.match(raw)
        if m:
            line = int(m.group(1))
            file = _display_name(path, base, m.group(2))
            continue
        kept.append(raw)
        origins.append((file, line))
        line += 1
    origins.append((file, line))
    text = "\n".join(kept)
    return Preprocessed(text, LineMap(origins, text), warnings)
