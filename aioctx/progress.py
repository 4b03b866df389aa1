"""A one-line progress display on stderr for long commands (``aioctx regress``,
``aioctx hunt``).

The line is redrawn in place with a carriage return, and only when stderr is a
terminal: in CI logs and pipes the command's real output stays clean.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLine:
    """``update(done, total, running)`` redraws; ``clear()`` before printing a row."""

    def __init__(self, what: str, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = enabled if enabled is not None else bool(isatty and isatty())
        self.start = time.monotonic()
        self.shown = False

    def update(self, done: int, total: int, running: list[str]) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        width = 20
        filled = width * done // total if total else width
        bar = "#" * filled + "." * (width - filled)
        text = (f"{self.what} [{bar}] {done:,}/{total:,} {format_seconds(elapsed)}"
                + rate_and_eta(done, total, elapsed)
                + (f"  running: {', '.join(running)}" if running else ""))
        columns = shutil.get_terminal_size((100, 20)).columns
        if len(text) >= columns:
            text = text[:columns - 2] + "~"
        self.stream.write("\r" + text.ljust(columns - 1))
        self.stream.flush()
        self.shown = True

    def counter(self, total: int, every: float = 0.1) -> Callable[[int], None] | None:
        """A ``count(done)`` callback for a loop of ``total`` items that redraws at most
        every ``every`` seconds (a search calls it per execution, thousands a second);
        None when the line is not shown, so the loop need not call anything."""
        if not self.enabled:
            return None
        last = [0.0]

        def count(done: int) -> None:
            now = time.monotonic()
            if now - last[0] >= every:
                last[0] = now
                self.update(min(done, total), total, [])

        return count

    def clear(self) -> None:
        if self.shown:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()
            self.shown = False


def rate_and_eta(done: int, total: int, elapsed: float) -> str:
    """' 4,100/s, ETA 2.1s' once there is something to measure, else ''."""
    if done <= 0 or elapsed <= 0:
        return ""
    rate = done / elapsed
    left = max(total - done, 0) / rate
    shown = f"{rate:,.1f}" if rate < 10 else f"{rate:,.0f}"
    return f", {shown}/s, ETA {format_seconds(left)}"


def format_seconds(seconds: float) -> str:
    """``42.0s`` below a minute, ``3m05s`` above."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s"
