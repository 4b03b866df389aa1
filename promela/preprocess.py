"""The C preprocessor pass SPIN runs before parsing, with a map back to the user's lines.

SPIN hands every model to ``cpp``: ``#define`` (object- and function-like, with
backslash-continued bodies), ``#undef``, ``#if``/``#ifdef``/``#ifndef``/``#elif``/
``#else``/``#endif`` with ``defined`` and integer expressions, ``#include "file"``
relative to the including file, ``#warning`` and ``#error``, plus ``-D``/``-U``
options.  We use pcpp, a C99 preprocessor in pure Python, and read its ``#line``
directives to map each output line to the file and line it came from.

Files are read by ``reading`` (regular files of a bounded size, comments blanked), and
the preprocessor works within budgets: one macro use expands to at most
``MAX_EXPANSION_TOKENS`` tokens and all of them to ``MAX_EXPANDED_TOKENS`` (pcpp takes
tens of microseconds and hundreds of bytes a token), the whole output is at most
``MAX_SOURCE_BYTES``, ``#include`` nests at most ``MAX_INCLUDE_DEPTH`` deep, and
a ``#if`` shift is by less than 64 bits (cpp's integers are 64 bits wide); beyond them,
and on any other failure of the preprocessor, the error names the line it was working
on.  A file without any ``#`` and no ``-D``/``-U`` options skips the preprocessor,
which keeps start-up fast for plain models.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field

from .errors import LineMap, PromelaError, Source
from .reading import MAX_SOURCE_BYTES, blank_comments, check_text, read_source

_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
#: the most tokens one use of a macro may expand to (an exponential macro stops here)
MAX_EXPANSION_TOKENS = 20_000
#: the most tokens all macro uses of a model may expand to together
MAX_EXPANDED_TOKENS = 100_000
#: the deepest nesting of ``#include`` (gcc's limit)
MAX_INCLUDE_DEPTH = 200
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
    """The text of the model file ``path``, read as ``reading.read_source`` reads files
    (a regular file within the size limit)."""
    try:
        return read_source(path)
    except FileNotFoundError:
        raise PromelaError(None, f"{path}: cannot read: no such file") from None


def preprocess(path: str, defines: list[str] | None = None,
               undefines: list[str] | None = None, text: str | None = None) -> Preprocessed:
    """Run the preprocessor over ``path`` (or over ``text``, reported as ``path``)."""
    if text is None:
        text = read_model(path)
    check_text(text, path)
    text = blank_comments(text, path)
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
    _bound_shifts()

    warnings: list[str] = []
    texts = {os.path.abspath(path): text}

    def source_line(file: str, line: int) -> str:
        key = os.path.abspath(file)
        if key not in texts:
            try:
                texts[key] = read_source(key)
            except (OSError, PromelaError):
                texts[key] = ""
        lines = texts[key].split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def where(file: str | None, line: int | None, word: str | None = None) -> Source:
        """A place on a line: at ``word`` if the line has it, else at its first
        non-blank character (a directive's ``#``)."""
        line = max(int(line or 1), 1)
        file = file or path
        source = source_line(file, line)
        at = source.find(word) if word else -1
        col = at + 1 if at >= 0 else len(source) - len(source.lstrip()) + 1
        return Source(_display_name(path, file), line, col)

    class _Cpp(Preprocessor):
        written = 0                     # characters of output so far
        expanded = 0                    # tokens that macro uses expanded to so far

        def on_error(self, file, line, msg):
            directive = source_line(file or path, int(line or 1)).strip()[1:].split()
            raise PromelaError(where(file, line),
                               _reword(msg, directive[0] if directive else "if"))

        def on_file_open(self, is_system_include, includepath):
            if self.include_depth >= MAX_INCLUDE_DEPTH:
                raise PromelaError(self.here(), f"#include nested more than "
                                   f"{MAX_INCLUDE_DEPTH} deep (a file that includes itself?)")
            shown = _display_name(path, includepath)
            included = read_source(includepath, shown, self.here())
            check_text(included, shown)
            texts[os.path.abspath(includepath)] = included
            return io.StringIO(blank_comments(included, shown))

        def on_include_not_found(self, is_malformed, is_system_include, curdir,
                                 includepath):
            what = "malformed #include" if is_malformed else f"cannot include {includepath!r}"
            raise PromelaError(self.here(), what)

        def on_directive_unknown(self, directive, toks, ifpassthru, precedingtoks):
            message = "".join(t.value for t in toks).strip()
            at = where(directive.source, directive.lineno)
            if directive.value == "error":
                raise PromelaError(at, f"#error {message}")
            if directive.value == "warning":
                warnings.append(f"{at}: warning: {message}")
                return True
            raise PromelaError(at, f"unknown preprocessor directive #{directive.value}")

        def define(self, tokens):
            try:
                return super().define(tokens)
            except (PromelaError, KeyboardInterrupt):
                raise
            except Exception as exc:    # pcpp trips over some malformed definitions
                why = "malformed parameter list" if isinstance(exc, IndexError) else \
                    f"{type(exc).__name__}: {exc}"
                raise PromelaError(self.here(), f"bad #define: {why}") from None

        def expand_macros(self, tokens, expanding_from=[]):  # noqa: B006 (pcpp's signature)
            out = super().expand_macros(tokens, expanding_from)
            if not expanding_from:
                return out
            if len(expanding_from) == 1:    # one use of a macro in the text
                self.expanded += len(out)
            if len(out) > MAX_EXPANSION_TOKENS or self.expanded > MAX_EXPANDED_TOKENS:
                outer = expanding_from[0]
                limit = (f"{MAX_EXPANSION_TOKENS:,} tokens, the most aioctx expands one "
                         "macro use to" if len(out) > MAX_EXPANSION_TOKENS else
                         f"the {MAX_EXPANDED_TOKENS:,} tokens aioctx expands macros to "
                         "in a model")
                raise PromelaError(where(self.source, self.linemacro, outer),
                                   f"macro {outer} expands past {limit}")
            return out

        def token(self):
            tok = super().token()
            if tok is not None:
                self.written += len(tok.value)
                if self.written > MAX_SOURCE_BYTES:
                    raise PromelaError(where(tok.source, tok.lineno),
                                       f"the preprocessed model grows past "
                                       f"{MAX_SOURCE_BYTES >> 20} MiB here, the most "
                                       "aioctx reads as a model")
            return tok

        def here(self) -> Source | None:
            """The line the preprocessor is working on: inside a macro expansion, the
            line of the macro's use; else the last directive's line."""
            if self.linemacrodepth > 0 and self.linemacro:
                return where(self.source, self.linemacro)
            d = getattr(self, "lastdirective", None)
            return where(d.source, d.lineno) if d is not None else None

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
        at = cpp.here()
        raise PromelaError(at, ("" if at else f"{path}: ") + "preprocessor failed: "
                           f"{type(exc).__name__}: {exc}") from None
    return _strip_line_directives(out.getvalue(), path, warnings)


def _bound_shifts() -> None:
    """cpp computes ``#if`` in 64-bit integers, where a shift by 64 bits or more is
    undefined; pcpp computes the shift in Python first, so ``1 << 99999999999`` would
    take gigabytes.  Such a shift is refused (pcpp reports it as an evaluation error,
    at the ``#if``)."""
    from pcpp.evaluator import Value

    if getattr(Value, "_aioctx_bounded", False):
        return
    shift = Value.__lshift__

    def __lshift__(self, other):
        # Values compare into Values (and refuse bool()): compare plain ints
        if (self.exception is None and isinstance(other, int)
                and getattr(other, "exception", None) is None
                and not 0 <= int(other) < 64):
            raise ValueError(f"shift count {int(other)} out of range")
        return shift(self, other)

    Value.__lshift__ = __lshift__
    Value._aioctx_bounded = True


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
    elif kind == "ValueError" and "shift count" in detail:
        reason = "shift count out of range (cpp's integers are 64 bits wide)"
    else:
        reason = "not an integer expression"
    return f"bad #{directive} condition {expression!r}: {reason}"


def _display_name(path: str, file: str | None) -> str:
    """The name to show for ``file`` (an absolute path from pcpp): ``path`` itself for
    the model, an included file absolute or relative to the working directory, as
    ``path`` is (absolute when it is outside the working directory)."""
    if not file or file == path or os.path.abspath(file) == os.path.abspath(path):
        return path
    if os.path.isabs(path) or not os.path.isabs(file):
        return file
    relative = os.path.relpath(file)
    return file if relative.startswith("..") else relative


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
