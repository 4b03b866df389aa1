"""The one error type of the Promela front end, and where in the user's files it points.

Every problem with a model (preprocessor, syntax, names, types, unsupported constructs)
becomes a ``PromelaError`` whose ``str()`` is a single line ``file:line:col: message``;
the command line prints it and exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """A position in the user's files: file name, 1-based line and column."""

    file: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        if self.col:
            return f"{self.file}:{self.line}:{self.col}"
        return f"{self.file}:{self.line}"


class PromelaError(Exception):
    """A model that cannot be checked, with the place in the source that says why."""

    def __init__(self, where: Source | None, message: str) -> None:
        message = " ".join(str(message).split())        # always one line
        super().__init__(f"{where}: {message}" if where is not None else message)
        self.where = where
        self.message = message


class LineMap:
    """Maps positions of the preprocessed text back to the user's files.

    Lines map through the preprocessor's ``#line`` records.  Columns are exact where
    the line came through unchanged; where the preprocessor rewrote it (a macro
    expanded, a comment removed) the column is aligned with the original line, and a
    position inside an expansion points at the macro's use.
    """

    def __init__(self, origins: list[tuple[str, int]], text: str | None = None) -> None:
        self.origins = origins          # index i -> origin of preprocessed line i + 1
        self.lines = text.split("\n") if text is not None else None
        self._files: dict[str, list[str] | None] = {}

    @classmethod
    def identity(cls, file: str, nlines: int) -> LineMap:
        return cls([(file, n) for n in range(1, nlines + 2)])

    def source(self, line: int, col: int = 0) -> Source:
        """The user-file position of ``line``:``col`` of the preprocessed text."""
        if not self.origins:
            return Source("<input>", line, col)
        index = min(max(line, 1), len(self.origins)) - 1
        file, orig = self.origins[index]
        if col and self.lines is not None and index < len(self.lines):
            original = self._line(file, orig)
            if original is not None and original != self.lines[index]:
                col = _align(self.lines[index], original, col)
        return Source(file, orig, col)

    def _line(self, file: str, line: int) -> str | None:
        if file not in self._files:
            try:
                with open(file, encoding="utf-8", errors="replace") as f:
                    self._files[file] = f.read().split("\n")
            except OSError:
                self._files[file] = None
        lines = self._files[file]
        return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None


class OptionLine(LineMap):
    """A line map in which one line of the preprocessed model came from a command-line
    option: ``wrapper`` is that line as written (the option's text after ``skip``
    characters of wrapping); positions on it are reported as ``option:1:col``."""

    def __init__(self, inner: LineMap, file: str, line: int, option: str, wrapper: str,
                 skip: int) -> None:
        super().__init__(inner.origins)
        self.lines = inner.lines
        self.at = (file, line)
        self.option, self.wrapper, self.skip = option, wrapper, skip

    def source(self, line: int, col: int = 0) -> Source:
        where = super().source(line, col)
        if (where.file, where.line) != self.at:
            return where
        if col and self.lines is not None and line - 1 < len(self.lines):
            col = _align(self.lines[line - 1], self.wrapper, col)
        return Source(self.option, 1, max(col - self.skip, 1) if col else 0)


def _align(rewritten: str, original: str, col: int) -> int:
    """Column in ``original`` of 1-based column ``col`` of ``rewritten``: exact in the
    unchanged head and tail of the line, else the start of the rewritten part."""
    at = col - 1
    head = 0
    limit = min(len(rewritten), len(original))
    while head < limit and rewritten[head] == original[head]:
        head += 1
    if at < head:
        return col
    tail = 0
    while tail < limit - head and rewritten[-1 - tail] == original[-1 - tail]:
        tail += 1
    from_end = len(rewritten) - at
    if from_end <= tail:
        return len(original) - from_end + 1
    return head + 1
