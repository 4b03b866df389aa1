"""Line-level mode: a scheduling point before every line of the program's own code.

For code that shares plain Python objects instead of impl.sync primitives, the
operations the runtime sees are too coarse to show its races.  With
``explore(..., line_level=True)`` each controlled thread runs under ``sys.settrace``
and every new line of *program* code (not the standard library, installed packages,
impl or the simulation) is a step named ``line``.  Such steps touch no known object,
so DPOR cannot order them; use DFS or PCT with this mode.  It runs on the OS-thread
engine: a fiber switch inside a trace callback would leave the interpreter's
"already tracing" guard raised for the fiber it switches to, which then runs untraced.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from types import FrameType
from typing import TYPE_CHECKING, Any

from .location import ROOT, SIM_DIR

if TYPE_CHECKING:
    from .execution import Execution

_SKIP = tuple(sorted({p + os.sep for p in (sysconfig.get_paths()["stdlib"],
                                           sysconfig.get_paths()["purelib"],
                                           sysconfig.get_paths()["platlib"],
                                           sys.prefix, sys.base_prefix)}
                     | {SIM_DIR, ROOT + "impl" + os.sep}))
_verdicts: dict[str, bool] = {}


def traced(filename: str) -> bool:
    """Is this file program code that line-level mode should step through?"""
    verdict = _verdicts.get(filename)
    if verdict is None:
        verdict = _verdicts[filename] = not (filename.startswith(_SKIP)
                                             or filename.startswith("<"))
    return verdict


class LineTracer:
    """The execution's thread hook in line-level mode (see ``Execution.thread_hook``)."""

    def enter(self, ex: Execution) -> None:
        """Trace the calling controlled thread: a step before each new program line."""

        def on_line(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                ex.step("line", None, None, True)
            return on_line

        def on_call(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "call" and traced(frame.f_code.co_filename):
                return on_line
            return None

        sys.settrace(on_call)

    def leave(self) -> None:
        sys.settrace(None)


LINE_TRACER = LineTracer()
