"""What can go wrong in one simulated execution, and how it is described to a person.

A ``Failure`` is plain data (kind, message, the thread it happened in, where, and the
blocked threads at that moment), so it pickles across worker processes and compares
between runs: the shrinker and the determinism check ask "is this the same failure?"
through ``Failure.signature``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Failure kinds, most specific first.
EXCEPTION = "exception"          # an assertion or exception escaped a controlled thread
INVARIANT = "invariant"          # a registered invariant was false at the end
DEADLOCK = "deadlock"            # every thread blocked, no timer, nothing pending
LOST_WAKEUP = "lost-wakeup"      # every thread blocked while the scenario has work pending
STEP_BUDGET = "step-budget"      # livelock: more scheduling points than the budget allows
STALL = "stall"                  # misuse: no scheduling point for too long (real lock, spin)
NONDETERMINISM = "nondeterminism"  # the same decisions did not give the same execution


class Abort(BaseException):
    """Thrown into every controlled thread still alive when an execution ends early.

    It derives from BaseException so that ``except Exception`` in the program under
    test does not swallow it; any simulated operation reached while unwinding raises it
    again, so ``finally`` blocks cannot schedule.
    """


STALL_TEXT = ("no scheduling point for too long: blocked in code the simulation does not "
              "control (a real lock, real I/O) or spinning without impl.sync")


class Stall(BaseException):
    """Raised by the watchdog inside a controlled thread that stopped reaching
    scheduling points (blocked on a real lock, or spinning without impl.sync)."""

    def __str__(self) -> str:
        return super().__str__() or STALL_TEXT


class NondeterministicProgram(Exception):
    """A search re-ran a recorded decision prefix and the program offered different
    choices: it depends on something the simulation does not control."""


class SimulationMisuse(Exception):
    """The program did something the simulation cannot model (e.g. polled a real fd)."""


@dataclass(frozen=True)
class Blocked:
    """One blocked thread in a deadlock/lost-wakeup report."""

    thread: str
    waits_on: str            # "Mutex.lock on ctx.lock [aio_context_acquire]"
    where: str               # "impl/async_.py:123"


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str
    thread: str | None = None          # the thread that failed, if one did
    where: str | None = None           # file:line of the failing statement
    detail: str = ""                   # traceback text or extra explanation
    blocked: tuple[Blocked, ...] = field(default=())
    step: int = 0                      # scheduling points executed when it happened

    @property
    def signature(self) -> tuple[str, str]:
        """What must stay the same for two failures to count as the same bug."""
        if self.kind in (EXCEPTION, INVARIANT):
            return (self.kind, self.message.split(":", 1)[0])
        return (self.kind, "")

    def describe(self) -> str:
        """A few lines for a person: what, where, and who is stuck on what."""
        head = f"{self.kind}: {self.message}"
        if self.thread:
            head += f"\n  in thread {self.thread}"
            if self.where:
                head += f" at {self.where}"
        lines = [head, f"  after {self.step} scheduling points"]
        for b in self.blocked:
            lines.append(f"  blocked: {b.thread} waits on {b.waits_on} at {b.where}")
        if self.detail:
            lines.append(self.detail.rstrip())
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "thread": self.thread,
                "where": self.where, "step": self.step,
                "blocked": [[b.thread, b.waits_on, b.where] for b in self.blocked]}
