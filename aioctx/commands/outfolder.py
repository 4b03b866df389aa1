"""The folder ``aioctx regress`` writes its pictures into, and the manifest of the files
it made there.

The manifest (``.aioctx-regress`` in the folder, JSON) names every file regress wrote,
with the SHA-256 of what it wrote.  Before a run, every name the run may write is
checked: a name that does not exist is free, one the manifest lists with the content
it still has is regress's own and is replaced, anything else (a file of the user's, one
regress wrote but the user changed since, a symbolic link) is refused, ``--force`` or
not.  ``--force`` only lets regress use a folder that holds other files; it never
replaces them.

The names a run may write are claimed in the manifest (without a digest) before the
first check starts, so that a run cut short leaves its files recognisably its own; the
run's end records the digest of each file it wrote and drops the claims it did not use.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field

from ..errors import UsageError

MANIFEST = ".aioctx-regress"
FORMAT = "aioctx regress manifest"
#: what the marker file of aioctx before the manifest said (a folder of regress's,
#: with no file recorded)
OLD_MARKER = "pictures written by aioctx regress\n"
#: a manifest larger than this is not one regress wrote
MAX_MANIFEST_BYTES = 1 << 20


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@dataclass
class OutFolder:
    """``path`` and the files regress made there (name -> SHA-256, or None while a
    run has claimed the name but not recorded what it wrote)."""

    path: str
    files: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def prepare(cls, path: str, force: bool, names: list[str]) -> OutFolder:
        """The folder ``--out path``, checked for a run that writes ``names`` in it;
        a ``UsageError`` saying why not if the run may not write there."""
        if os.path.lexists(path) and not os.path.isdir(path):
            raise UsageError(f"--out {path}: not a folder")
        folder = cls(path)
        if not os.path.isdir(path):
            return folder
        known = folder._load()
        for name in names:
            if not folder.may_write(name):
                raise UsageError(
                    f"--out {path}: {os.path.join(path, name)} exists and is not a file "
                    "aioctx regress wrote there (or it changed since); not overwriting it, "
                    "--force or not (move it or use another --out)")
        if not known and not force and [n for n in os.listdir(path) if n != MANIFEST]:
            raise UsageError(f"--out {path}: the folder has files that aioctx regress did not "
                             "write; not writing into it (use --force or another --out)")
        return folder

    def _load(self) -> bool:
        """Read the manifest, if there is one; whether there was."""
        manifest = os.path.join(self.path, MANIFEST)
        if not os.path.lexists(manifest):
            return False
        foreign = UsageError(f"--out {self.path}: {manifest} is not the manifest of aioctx "
                             "regress; not writing into the folder (use another --out)")
        if os.path.islink(manifest) or not os.path.isfile(manifest):
            raise foreign
        try:
            with open(manifest, "rb") as f:
                raw = f.read(MAX_MANIFEST_BYTES + 1)
            if raw.decode("utf-8") == OLD_MARKER:
                return True
            doc = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            raise foreign from None
        if not isinstance(doc, dict):
            raise foreign
        files = doc.get("files")
        if (len(raw) > MAX_MANIFEST_BYTES or doc.get("format") != FORMAT
                or not isinstance(files, dict)
                or not all(_plain_name(n) and (d is None or isinstance(d, str))
                           for n, d in files.items())):
            raise foreign
        self.files = dict(files)
        return True

    def may_write(self, name: str) -> bool:
        """``name`` is free in the folder, or regress's own file, unchanged."""
        full = os.path.join(self.path, name)
        if not os.path.lexists(full):
            return True
        if name not in self.files or os.path.islink(full) or not os.path.isfile(full):
            return False
        digest = self.files[name]
        return digest is None or _digest(full) == digest

    def claim(self, names: list[str]) -> None:
        """Create the folder and record ``names`` as regress's before writing them; a
        ``UsageError`` if the folder cannot be written."""
        for name in names:
            self.files.setdefault(name, None)
        try:
            os.makedirs(self.path, exist_ok=True)
            self._save()
        except OSError as exc:
            raise UsageError(f"--out {self.path}: cannot write there: "
                             f"{exc.strerror or exc}") from None

    def record(self, written: list[str]) -> None:
        """After the run: the digest of each file it wrote (paths in the folder); claims
        it did not use are dropped."""
        for path in written:
            self.files[os.path.basename(path)] = _digest(path)
        self.files = {n: d for n, d in self.files.items()
                      if os.path.isfile(os.path.join(self.path, n))}
        self._save()

    def holds(self, path: str) -> bool:
        """``path`` names a file directly in this folder."""
        return (os.path.dirname(os.path.abspath(path)) == os.path.abspath(self.path)
                and _plain_name(os.path.basename(path)))

    def _save(self) -> None:
        doc = {"format": FORMAT, "version": 1,
               "about": "the files aioctx regress wrote in this folder (SHA-256)",
               "files": dict(sorted(self.files.items()))}
        fd, tmp = tempfile.mkstemp(prefix=MANIFEST, dir=self.path)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, os.path.join(self.path, MANIFEST))


def _plain_name(name: object) -> bool:
    return (isinstance(name, str) and name not in ("", ".", "..", MANIFEST)
            and "/" not in name and "\0" not in name)

