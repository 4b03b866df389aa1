"""The Python modelling API: a protocol in a notebook cell.

    m = Model("handshake")
    m.var("flag", 0)
    w = m.process("waiter")
    w.label("idle", end=True)
    w.wait("flag == 1", lambda s: s.flag == 1)
    w.step("flag = 0", lambda s: s.set(flag=0), goto="idle")
    n = m.process("notifier")
    n.step("flag = 1", lambda s: s.set(flag=1))
    print(m.check())

A process is a sequence of guarded atomic steps between control locations, written
like assembly or PlusCal: each ``step`` starts where the previous one ended (or at the
last ``label``/``at``) and falls through to a new location unless it has ``goto``.
Several steps from one location are a non-deterministic choice among the enabled ones.
Actions mutate a view of the state (``s.x = 1``, ``s.set(x=1)``); ``assert`` inside an
action, or ``check``, is an assertion; an action may return a label name to jump there.
A location with no steps is the end of the process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .system import ModelError
from .views import RESERVED

Guard = Callable[[Any], Any]
Action = Callable[[Any], Any]


@dataclass(eq=False)
class Location:
    """A control location of one process (identity matters, not value)."""

    name: str
    named: bool = False            # given by label()/at()/goto, not generated
    placed: bool = False           # label() or at() put the cursor here
    end: bool = False
    progress: bool = False
    accept: bool = False
    alias: Location | None = None  # this location is the same place as ``alias``
    steps: list[StepSpec] = field(default_factory=list)

    def resolve(self) -> Location:
        loc = self
        while loc.alias is not None:
            loc = loc.alias
        return loc


@dataclass(eq=False)
class StepSpec:
    """One guarded atomic step, as written."""

    label: str
    source: Location
    target: Location               # an action may still jump elsewhere (returns a label)
    when: Guard | None
    action: Action | None
    where: str                     # "file.py:12"
    assertion: Guard | None = None


def _caller(depth: int = 2) -> str:
    frame = sys._getframe(depth)
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def check_name(kind: str, name: str) -> None:
    if not name.isidentifier() or name.startswith("_") or name in RESERVED:
        raise ModelError(f"invalid {kind} name {name!r}: use an identifier that does not "
                         f"start with '_' and is not one of {', '.join(sorted(RESERVED))}")


class StepHandle:
    """Returned by ``Process.step``; used as a decorator it supplies the action."""

    def __init__(self, spec: StepSpec) -> None:
        self._spec = spec

    def __call__(self, action: Action) -> Action:
        if self._spec.action is not None:
            raise ModelError(f"step {self._spec.label!r} already has an action")
        self._spec.action = action
        return action


class Process:
    """One process of a ``Model``: locals, control locations and steps."""

    def __init__(self, model: Any, name: str, local_vars: dict[str, Any]) -> None:
        self.model = model
        self.name = name
        self.local_vars = dict(local_vars)
        for var in self.local_vars:
            check_name("local variable", var)
        self.locations: list[Location] = []
        self._named: dict[str, Location] = {}
        self._base = "start"
        self._offsets: dict[str, int] = {}
        start = self._new_location("start", named=True)
        start.placed = True
        self._named["start"] = start
        self._cursor: Location | None = start

    def _new_location(self, name: str, named: bool = False) -> Location:
        loc = Location(name, named=named)
        self.locations.append(loc)
        return loc

    def _location(self, name: str) -> Location:
        loc = self._named.get(name)
        if loc is None:
            loc = self._named[name] = self._new_location(name, named=True)
        return loc

    def _anonymous(self) -> Location:
        offset = self._offsets[self._base] = self._offsets.get(self._base, 0) + 1
        return self._new_location(f"{self._base}+{offset}")

    def label(self, name: str, *, end: bool = False, progress: bool = False,
              accept: bool = False) -> Process:
        """Name the current location (steps fall through into it) and mark it.

        ``end``: a process may rest here (SPIN's end label); ``progress`` and ``accept``
        as SPIN's progress and accept labels.
        """
        self.model._changed()
        loc = self._location(name)
        if loc.placed and loc is not self._cursor:
            raise ModelError(f"process {self.name}: label {name!r} is defined twice")
        cursor = self._cursor
        if cursor is not None and cursor is not loc:
            if cursor.steps:
                raise ModelError(f"process {self.name}: label {name!r} right after "
                                 f"at({cursor.name!r}): the location already has steps")
            cursor.alias = loc
            if cursor.named:
                loc.end |= cursor.end
                loc.progress |= cursor.progress
                loc.accept |= cursor.accept
        loc.placed = True
        loc.end |= end
        loc.progress |= progress
        loc.accept |= accept
        self._cursor = loc
        self._base = name
        return self

    def at(self, name: str) -> Process:
        """Continue at location ``name``: the next step is another choice from there."""
        self.model._changed()
        loc = self._location(name)
        loc.placed = True
        self._cursor = loc
        self._base = name
        return self

    def step(self, label: str, action: Action | None = None, *, when: Guard | None = None,
             goto: str | None = None) -> StepHandle:
        """A guarded atomic step: enabled when ``when(s)`` holds, then runs ``action(s)``.

        ``goto`` names the next location; without it the step falls through.  Used as
        a decorator (``@p.step("x += 1")``) the decorated function is the action.
        """
        return self._add(label, action, when, goto, _caller())

    def wait(self, label: str, cond: Guard, *, goto: str | None = None) -> StepHandle:
        """A step that blocks until ``cond(s)`` holds and then does nothing."""
        return self._add(label, None, cond, goto, _caller())

    def check(self, label: str, cond: Guard, *, goto: str | None = None) -> StepHandle:
        """An assertion: always enabled, a violation when ``cond(s)`` is false."""
        handle = self._add(label, None, None, goto, _caller())
        handle._spec.assertion = cond
        return handle

    def _add(self, label: str, action: Action | None, when: Guard | None,
             goto: str | None, where: str) -> StepHandle:
        self.model._changed()
        if self._cursor is None:
            raise ModelError(f"{where}: step {label!r} of {self.name} cannot be reached: the "
                             "step before it jumps away; start it with label() or at()")
        source = self._cursor
        if goto is not None:
            target = self._location(goto)
            self._cursor = None
        else:
            target = self._anonymous()
            self._cursor = target
        spec = StepSpec(label, source, target, when, action, where)
        source.steps.append(spec)
        return StepHandle(spec)
