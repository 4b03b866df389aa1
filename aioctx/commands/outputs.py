"""What the commands that write files share: they refuse, before doing any work, to
overwrite anything the user did not say they may (``--force``), and say why in one
line."""

from __future__ import annotations

import os
import tempfile

from ..errors import UsageError
from ..pictures import SUFFIXES


def new_file(option: str, path: str, force: bool, made: str | None = None) -> None:
    """``path`` may be written: not a folder, not an existing file (unless ``force``),
    in a folder that exists or is ``made``, the folder the command creates itself."""
    if os.path.isdir(path):
        raise UsageError(f"{option} {path}: is a folder")
    if os.path.exists(path) and not force:
        raise UsageError(f"{option} {path}: the file exists; not overwriting it "
                         "(use --force)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent) and (made is None or parent != os.path.abspath(made)):
        raise UsageError(f"{option} {path}: no such folder {parent}")


def new_picture(option: str, path: str, force: bool) -> None:
    """``new_file``, for a picture whose format its suffix names."""
    if not path.endswith(SUFFIXES):
        raise UsageError(f"{option} {path}: the name must end in .svg or .png")
    new_file(option, path, force)


def distinct(*outputs: tuple[str, str | None]) -> None:
    """No two ``(option, path)`` outputs name the same file (the later write would
    replace the earlier one)."""
    seen: dict[str, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{option} {path}: the same file as {seen[key]}")
        seen[key] = option


def writable(option: str, path: str) -> None:
    """The folder of ``path`` takes a new file (tried with a temporary file, so that
    read-only file systems and permissions are seen as they are); a ``UsageError``
    naming ``option`` if not."""
    parent = os.path.dirname(os.path.abspath(path))
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write in {parent}: "
                         f"{exc.strerror or exc}") from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: cannot write: permission denied")


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: into a file beside it, renamed
    over it once complete, so an interrupted command leaves no half-written file."""
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)


def schedule_outputs(output: str, picture: str | None, force: bool) -> None:
    """A schedule file (-o) and an optional picture (--picture) may be written, and are
    not one file: checked before the search, so nothing is found only to be refused."""
    new_file("-o", output, force)
    writable("-o", output)
    if picture:
        new_picture("--picture", picture, force)
        distinct(("-o", output), ("--picture", picture))
        writable("--picture", picture)
