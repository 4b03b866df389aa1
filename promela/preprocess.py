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


def read_model(path: str) -> str:
    """The text of the model file ``path``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as exc:
        raise PromelaError(None, f"{path}: cannot read: {exc.strerror or exc}") from None


def preprocess(path: str, defines: list[str] | None = None,
               undefines: list[str] | None = None, text: str | None = None) -> Preprocessed:
    """Run the preprocessor over ``path`` (or over ``text``, reported as ``path``)."""
    if text is None:
        text = read_model(path)
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

    warnings: list[str] = []
    texts = {os.path.abspath(path): text}

    def source_line(file: str, line: int) -> str:
        key = os.path.abspath(file)
        if key not in texts:
            try:
                with open(key, encoding="utf-8", errors="replace") as f:
                    texts[key] = f.read()
            except OSError:
                texts[key] = ""
        lines = texts[key].split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def where(file: str | None, line: int | None) -> Source:
        """The directive's place: its line, at its ``#``."""
        line = max(int(line or 1), 1)
        file = file or path
        source = source_line(file, line)
        col = len(source) - len(source.lstrip()) + 1
        return Source(_display_name(path, file), line, col)

    class _Cpp(Preprocessor):
        def on_error(self, file, line, msg):
            directive = source_line(file or path, int(line or 1)).strip()[1:].split()
            raise PromelaError(where(file, line),
                               _reword(msg, directive[0] if directive else "if"))

        def on_include_not_found(self, is_malformed, is_system_include, curdir,
                                 includepath):
            d = self.lastdirective
            what = "malformed #include" if is_malformed else f"cannot include {includepath!r}"
            raise PromelaError(where(d.source if d else path, d.lineno if d else 1), what)

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
    # pcpp writes the paths of files under the working directory relative to it; keep
    # them absolute, and let _display_name name them the way the user named the model
    cpp.rewrite_paths = []
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
        raise PromelaError(None, f"{path}: preprocessor failed: {exc}") from None
    return _strip_line_directives(out.getvalue(), path, warnings)


def _no_trigraphs(text: str) -> str:
    return text


_EVAL_ERROR = re.compile(r"Could not evaluate expression due to (\w+)\((.*)\) "
                         r"\(passed to evaluator: '(.*)'\)\s*\Z", re.S)
_NEAR_TOKEN = re.compile(r"around token '(.*?)'")


def _reword(message: str, directive: str) -> str:
    """pcpp's messages in the user's terms (not its evaluator's internals)."""
    message = message.strip()
    if message.startswith("Unterminated "):
        return f"unterminated {message[len('Unterminated '):]}: no matching #endif"
    if message.startswith("Misplaced #"):
        return f"{message[len('Misplaced '):]} without a matching #if"
    m = _EVAL_ERROR.match(message)
    if m is None:
        return message
    kind, detail, expression = m.groups()
    if kind == "SyntaxError":
        near = _NEAR_TOKEN.search(detail)
        reason = (f"syntax error near {near.group(1)!r}" if near else
                  "incomplete expression" if "EOF" in detail else "syntax error")
    elif kind == "ZeroDivisionError":
        reason = "division by zero"
    else:
        reason = "not an integer expression"
    return f"bad #{directive} condition {expression!r}: {reason}"


def _display_name(path: str, file: str | None) -> str:
    """The name to show for ``file`` (an absolute path from pcpp): ``path`` itself for
    the model, an included file absolute or relative to the working directory, as
    ``path`` is."""
    if not file or file == path or os.path.abspath(file) == os.path.abspath(path):
        return path
    if os.path.isabs(path) or not os.path.isabs(file):
        return file
    return os.path.relpath(file)


def _strip_line_directives(output: str, path: str, warnings: list[str]) -> Preprocessed:
    kept: list[str] = []
    origins: list[tuple[str, int]] = []
    file, line = path, 1
    for raw in output.split("\n"):
        m = _LINE_DIRECTIVE.match(raw)
        if m:
            line = int(m.group(1))
            file = _display_name(path, m.group(2))
            continue
        kept.append(raw)
        origins.append((file, line))
        line += 1
    origins.append((file, line))
    text = "\n".join(kept)
    return Preprocessed(text, LineMap(origins, text), warnings)
