"""Line-level mode: a scheduling point before every line of the program's own code.

For code that shares plain Python objects instead of impl.sync primitives (a counter
in an attribute, a list two threads append to), the operations the runtime sees are
too coarse to show its races.  In line-level mode each controlled thread runs under
``sys.settrace`` and every new line of *program* code (not the standard library,
installed packages, or aioctx itself) is a step named ``line``.  Such steps touch no
known object, so DPOR cannot order them; use DFS, PCT or random walk with this mode.

It runs on both engines.  On fibers, all controlled threads share one OS thread, and
so one interpreter "already tracing" counter: a fiber that gave the CPU up inside the
trace callback left it raised, one that gave it up in a primitive did not.
``TracedFiberEngine`` remembers the depth each fiber left with and sets the counter to
it (``PyThreadState_EnterTracing``/``LeaveTracing``) before resuming the fiber, so
every fiber is traced exactly as if it had the OS thread to itself.  The trace
function is the OS thread's too: it is installed when the first fiber starts and the
previous one (a coverage tool's, a debugger's) is put back when the execution ends.
"""

from __future__ import annotations

import ctypes
import linecache
import os
import sys
import sysconfig
from types import FrameType
from typing import TYPE_CHECKING, Any

from .engines import FiberEngine
from .location import ROOT, SIM_DIR

if TYPE_CHECKING:
    from .execution import Execution, SimThread

_SKIP = tuple(sorted({p + os.sep for p in (sysconfig.get_paths()["stdlib"],
                                           sysconfig.get_paths()["purelib"],
                                           sysconfig.get_paths()["platlib"],
                                           sys.prefix, sys.base_prefix)}
                     | {SIM_DIR} | {ROOT + part + os.sep for part in
                                    ("impl", "aioctx", "model", "promela")}))
_verdicts: dict[str, bool] = {}


def traced(filename: str) -> bool:
    """Is this file program code that line-level mode should step through?"""
    verdict = _verdicts.get(filename)
    if verdict is None:
        verdict = _verdicts[filename] = not (filename.startswith(_SKIP)
                                             or filename.startswith("<"))
    return verdict


def source_line(filename: str, line: int) -> str:
    """The text of a program line, stripped, for the trace of a ``line`` step."""
    return linecache.getline(filename, line).strip()


class LineTracer:
    """The execution's thread hook in line-level mode (see ``Execution.thread_hook``).

    ``inside`` is True while the running controlled thread is in the trace callback
    (``TracedFiberEngine`` reads it when it switches).  ``per_os_thread``: each
    controlled thread has an OS thread of its own, whose tracing ends with it."""

    def __init__(self, per_os_thread: bool) -> None:
        self.per_os_thread = per_os_thread
        self.inside = False

    def enter(self, ex: Execution) -> None:
        """Trace the calling controlled thread: a step before each new program line."""
        step = ex.step

        def on_line(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                self.inside = True
                try:
                    step("line", None, None, True)
                    if ex.trace and not ex.halted:     # a reporting run: show the code
                        ex.trace[-1].obj = source_line(frame.f_code.co_filename,
                                                       frame.f_lineno)
                finally:
                    self.inside = False
            return on_line

        def on_call(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "call" and traced(frame.f_code.co_filename):
                return on_line
            return None

        sys.settrace(on_call)

    def leave(self) -> None:
        if self.per_os_thread:
            sys.settrace(None)


_api = ctypes.pythonapi
_api.PyThreadState_Get.restype = ctypes.c_void_p
_api.PyThreadState_EnterTracing.argtypes = [ctypes.c_void_p]
_api.PyThreadState_LeaveTracing.argtypes = [ctypes.c_void_p]


class TracedFiberEngine(FiberEngine):
    """The fiber engine for line-level mode: each fiber is resumed with the tracing
    depth it was suspended with (see the module's docstring)."""

    def __init__(self, tracer: LineTracer) -> None:
        super().__init__()
        self.tracer = tracer
        self.depths: dict[SimThread, bool] = {}
        self.previous_trace: Any = None

    def resuming(self, t: SimThread) -> None:
        want = self.depths.pop(t, False)
        tracer = self.tracer
        if want != tracer.inside:
            tstate = _api.PyThreadState_Get()
            if want:
                _api.PyThreadState_EnterTracing(tstate)
            else:
                _api.PyThreadState_LeaveTracing(tstate)
            tracer.inside = want

    def switch(self, ex: Execution, cur: SimThread, nxt: SimThread) -> None:
        self.depths[cur] = self.tracer.inside
        self.resuming(nxt)
        super().switch(ex, cur, nxt)

    def run(self, ex: Execution, first: SimThread) -> None:
        self.previous_trace = sys.gettrace()
        try:
            super().run(ex, first)
        finally:
            sys.settrace(self.previous_trace)

    def abort(self, ex: Execution) -> None:
        """Unwinding a fiber through the trace callback turns tracing off for the OS
        thread (the interpreter's rule for a callback that raises): put back the
        trace function that was there before the execution."""
        try:
            super().abort(ex)
        finally:
            self.depths.clear()
            self.tracer.inside = False
            sys.settrace(self.previous_trace)
