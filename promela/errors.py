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
        super().__init__(f"{where}: {message}" if where is not None else message)
        self.where = where
        self.message = message


class LineMap:
    """Maps lines of the preprocessed text back to (file, line) of the user's files."""

    def __init__(self, origins: list[tuple[str, int]]) -> None:
        self.origins = origins          # index i -> origin of preprocessed line i + 1

    @classmethod
    def identity(cls, file: str, nlines: int) -> LineMap:
        return cls([(file, n) for n in range(1, nlines + 2)])

    def source(self, line: int, col: int = 0) -> Source:
        """The user-file position of ``line``:``col`` of the preprocessed text."""
        if not self.origins:
            return Source("<input>", line, col)
        index = min(max(line, 1), len(self.origins)) - 1
        file, orig = self.origins[index]
        return Source(file, orig, col)
