"""Where a step happened and how its objects are named: the leaf every sim layer uses.

A trace names, for each step, the first frame of the *program* (not of the simulation,
of impl.sync or of the threading module) and shows files relative to the repository
root.  Nothing here knows about executions, threads or strategies.
"""

from __future__ import annotations

import os
import threading
from types import FrameType
from typing import Any

from aioctx.impl import sync

SIM_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
SCENARIO_DIR = SIM_DIR + "scenarios" + os.sep
SYNC_FILE = os.path.abspath(sync.__file__)
THREADING_FILE = threading.__file__
ROOT = os.path.dirname(SIM_DIR.rstrip(os.sep)) + os.sep

Location = tuple[str, int]          # (file name, line); ("", 0) for no place at all


def infrastructure(filename: str) -> bool:
    """Frames of the simulation itself, of impl.sync and of the threading module (the
    OS-thread engine's plumbing) are not 'the caller'."""
    if filename == SYNC_FILE or filename == THREADING_FILE:
        return True
    return filename.startswith(SIM_DIR) and not filename.startswith(SCENARIO_DIR)


def caller_location(frame: FrameType | None) -> Location:
    """The first frame at or above ``frame`` that belongs to the program, not to us."""
    while frame is not None and infrastructure(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return ("?", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def show_location(loc: Location) -> str:
    """'impl/aio_poll.py:93' (relative to the repository root), '' for no place."""
    filename, line = loc
    if not filename:
        return ""
    if filename.startswith(ROOT):
        filename = filename[len(ROOT):]
    return f"{filename}:{line}"


def display(obj: Any) -> str:
    """How an operation's object(s) appear in traces and reports."""
    if obj is None:
        return ""
    if isinstance(obj, tuple):
        return ",".join(display(o) for o in obj)
    return getattr(obj, "display", None) or repr(obj)
