"""Reading a model's files as data, within a budget, before anything parses them.

A model file (and every file it ``#include``s) must be a regular file of at most
``MAX_SOURCE_BYTES``: a FIFO, a device such as /dev/zero or a folder is refused by
name before a byte is read (the file is opened without blocking, so a FIFO without a
writer cannot hang the command), and a larger file after reading one byte more than
the limit.  A NUL byte marks binary data, refused at its position.

``blank_comments`` replaces every comment by spaces, keeping its line ends, as the C
preprocessor does (a comment is white space): positions of everything else stay
exactly where they were, and no later stage spends memory on comments (a regular
expression that matches a comment character by character costs a few hundred bytes
per character in Python's ``re``).
"""

from __future__ import annotations

import os
import re
import stat

from .errors import PromelaError, Source

#: the largest model file (or included file) read: SPIN models are a few kilobytes to
#: a few hundred; aioctx's front end spends about a hundred bytes of memory per byte
#: of model text
MAX_SOURCE_BYTES = 4 << 20

#: string and character literals (kept), comments (blanked), an unterminated comment
_LEXEMES = re.compile(r'"(?:\\.|[^"\\\n])*"' r"|'(?:\\.|[^'\\\n])'"
                      r"|/\*.*?\*/|//[^\n]*|/\*", re.S)

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket",
          stat.S_IFDIR: "a folder"}


def read_source(path: str, shown: str | None = None, at: Source | None = None) -> str:
    """The text of the model file ``path`` (named ``shown`` in messages; ``at``: where
    it is included from, the place a refusal points to).  Undecodable bytes become
    U+FFFD; a NUL byte, a file that is not a regular file or is larger than
    ``MAX_SOURCE_BYTES`` is a ``PromelaError``.  A missing file raises
    ``FileNotFoundError`` (the preprocessor looks for includes along a path)."""
    shown = shown or path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise PromelaError(at, f"{shown}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise PromelaError(at, f"{shown}: {kind}, not a model file (a model is a regular "
                               "file)")
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            raise PromelaError(at, f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise PromelaError(at, f"{shown}: larger than {MAX_SOURCE_BYTES >> 20} MiB, the "
                               "most aioctx reads as a model file")
    return data.decode("utf-8", errors="replace")


def check_text(text: str, shown: str) -> None:
    """Text given in place of a file obeys the same rules: no NUL byte, not larger than
    ``MAX_SOURCE_BYTES`` (counted in characters)."""
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise PromelaError(Source(shown, line, nul - text.rfind("\n", 0, nul)),
                           "binary data (a NUL byte): not a Promela model")
    if len(text) > MAX_SOURCE_BYTES:
        raise PromelaError(None, f"{shown}: larger than {MAX_SOURCE_BYTES >> 20} MiB, the "
                                 "most aioctx reads as a model file")


def blank_comments(text: str, shown: str) -> str:
    """``text`` with each ``/* */`` and ``//`` comment replaced by as many spaces, its
    line ends kept; an unterminated ``/*`` is a ``PromelaError`` at its place."""
    if "/" not in text:
        return text

    def blank(m: re.Match[str]) -> str:
        lexeme = m.group(0)
        if lexeme[0] in "\"'":
            return lexeme
        if lexeme == "/*":
            start = m.start()
            line = text.count("\n", 0, start) + 1
            raise PromelaError(Source(shown, line, start - text.rfind("\n", 0, start)),
                               "unterminated comment: '/*' without '*/'")
        return "\n".join(" " * len(part) for part in lexeme.split("\n"))

    return _LEXEMES.sub(blank, text)
