"""Saved failures of race tests: written under the test's id, replayed first next time.

The model is Hypothesis's example database.  When a race test fails, its schedule is
saved as ``<save dir>/<test id>.json`` (a schedule document with ``"test"`` naming
the test).  The next run of that test replays the saved schedule before searching:
if it still fails, the test fails at once with that trace ("still failing"); if it
passes ("now passes"), the search runs as usual and the file stays as a regression
example, its count of passing replays (``"passing_runs"``) going up, until it has
passed ``keep`` times and is removed.  A file is replaced by writing a new one beside
it and renaming it over, so an interrupted run never leaves half a schedule.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from .commands.outputs import write_atomically
from .sim.schedule import ScheduleError, dumps, load

PASSING = "passing_runs"
DEFAULT_KEEP = 3


@dataclass
class FailureStore:
    folder: str
    keep: int = DEFAULT_KEEP

    def path_for(self, nodeid: str) -> str:
        return os.path.join(self.folder, re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid) + ".json")

    def load(self, nodeid: str) -> tuple[dict[str, Any] | None, str | None]:
        """The saved schedule of ``nodeid`` (None if there is none), and a warning when
        a file is there but cannot be used (it is left as it is)."""
        path = self.path_for(nodeid)
        if not os.path.exists(path):
            return None, None
        try:
            doc = load(path)
        except ScheduleError as exc:
            return None, f"saved schedule not replayed: {exc}"
        if doc.get("test") != nodeid:
            return None, (f"saved schedule not replayed: {path} is for "
                          f"{doc.get('test')!r}, not {nodeid}")
        return doc, None

    def save(self, nodeid: str, schedule: dict[str, Any]) -> str:
        """Save a new failure of ``nodeid`` (its count of passing replays starts again)."""
        os.makedirs(self.folder, exist_ok=True)
        path = self.path_for(nodeid)
        doc = {k: v for k, v in schedule.items() if k != PASSING}
        write_atomically(path, dumps({**doc, "test": nodeid}))
        return path

    def passed(self, nodeid: str, doc: dict[str, Any]) -> str:
        """The saved schedule of ``nodeid`` passed its replay: count it, remove the file
        once it has passed ``keep`` times; say which."""
        count = int(doc.get(PASSING, 0)) + 1 if isinstance(doc.get(PASSING, 0), int) else 1
        path = self.path_for(nodeid)
        if count >= self.keep:
            os.remove(path)
            return f"now passes; removed {path} after {count} passing replay(s)"
        write_atomically(path, dumps({**doc, PASSING: count}))
        return (f"now passes; kept {path} as a regression example "
                f"({count} of {self.keep} passing replays)")
