"""Helpers the generated successor code calls: C arithmetic, bounds, channels.

The generated module (codegen.py) contains only numbers and fixed templates; anything
that depends on the model's text (variable names for messages, channel layouts) lives
in tables built here and handed to the generated code as globals.

State layout (see system.py): ``s[0]`` the atomic holder's index (0: none), ``s[1]``
a pending rendezvous (``channel * 1024 + sender index``, 0: none), an optional never
claim location, the globals, then ``s[CT]`` (type of each channel) and ``s[CH]`` (the
messages of each channel, oldest first, each a tuple of field values), then one tuple
``(proctype, pc, locals...)`` per process in pid order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .symbols import wrap


class Fault(Exception):
    """A run-time error of the model (bad index, bad channel, division by zero...)."""


def cdiv(a: int, b: int) -> int:
    """C's ``a / b``: truncates toward zero."""
    if b == 0:
        raise Fault("division by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def cmod(a: int, b: int) -> int:
    """C's ``a % b``: the sign of the dividend."""
    if b == 0:
        raise Fault("modulo by zero")
    return a - b * cdiv(a, b)


def shl(a: int, b: int) -> int:
    """``a << b`` on 32-bit ints (the shift count taken modulo 32, as x86 does)."""
    return wrap(a << (b & 31), 32, True)


def shr(a: int, b: int) -> int:
    return a >> (b & 31)


def make_helpers(ct: int, ch: int, caps: list[int], fields: list[list[tuple[int, bool]]],
                 names: list[str]) -> dict[str, Callable[..., Any]]:
    """Channel and bounds helpers bound to one model's layout and tables."""
    caps_t = tuple(caps) + (0,)     # the last entry stands for a deleted channel
    gone = len(caps)

    def ix(value: int, size: int, var: int) -> int:
        if 0 <= value < size:
            return value
        raise Fault(f"index {value} out of bounds of {names[var]}[{size}]")

    def qget(s, c: int) -> tuple[int, tuple]:
        """(channel type, messages) of channel ``c``.

        Channel 0 is an uninitialised chan variable: an error.  A channel that was
        deleted with its process reads as empty and never accepts a message (SPIN
        zeroes its memory).
        """
        types = s[ct]
        if 0 < c <= len(types):
            return types[c - 1], s[ch][c - 1]
        if c == 0:
            raise Fault("use of an uninitialised chan variable")
        return gone, ()

    def msg(ctype: int, values: tuple) -> tuple:
        """``values`` stored into a message of a ``ctype`` channel (each field wrapped)."""
        spec = fields[ctype]
        if len(spec) != len(values):
            raise Fault(f"a message with {len(values)} field(s) sent on a channel of "
                        f"{len(spec)} field(s)")
        return tuple(wrap(v, b, sg) for v, (b, sg) in zip(values, spec, strict=True))

    def qput(state: list, c: int, messages: tuple) -> None:
        """Replace the messages of channel ``c`` in the (mutable) ``state``."""
        qs = list(state[ch])
        qs[c - 1] = messages
        state[ch] = tuple(qs)

    def sorted_insert(q: tuple, m: tuple) -> tuple:
        """``c!!m``: before the first message greater than ``m`` (else at the end)."""
        for k, old in enumerate(q):
            if m < old:
                return q[:k] + (m,) + q[k:]
        return q + (m,)

    def newchan(state: list, ctype: int) -> int:
        state[ct] = state[ct] + (ctype,)
        state[ch] = state[ch] + ((),)
        return len(state[ct])

    def cfull(s, c: int) -> bool:
        t, q = qget(s, c)
        return len(q) >= caps_t[t]

    def poll(s, c: int, random: bool, pattern: tuple) -> bool:
        """``c?[pattern]``: could a receive with these constants take a message now?"""
        q = qget(s, c)[1]
        for m in (q if random else q[:1]):
            if all(p is None or p == v for p, v in zip(pattern, m, strict=False)):
                return True
        return False

    return {"ix": ix, "qget": qget, "msg": msg, "qput": qput, "newchan": newchan,
            "cfull": cfull, "poll": poll, "sorted_insert": sorted_insert, "CAP": caps_t,
            "cdiv": cdiv, "cmod": cmod, "shl": shl, "shr": shr, "Fault": Fault}


def remote_helpers(p0: int, ptypes: list[str], refs: list[str]
                   ) -> dict[str, Callable[..., Any]]:
    """``rat`` (``P[pid]@label``) and ``rvar`` (``P[pid]:x``) for one model.

    SPIN's verifier reads a pid that no process has as zeroed memory (not at any
    label, every variable 0), so these do too.  A pid whose process is of another
    proctype makes SPIN's verifier compare that process's raw state (its simulator
    reports "refers to wrong proctype"); here it is a run-time error.
    """

    def process(s, pid: int | None, ptype: int, ref: int) -> tuple | None:
        if pid is None:                     # P@label: the first running P
            for i in range(p0, len(s)):
                if s[i][0] == ptype:
                    return s[i]
            return None
        i = p0 + pid
        if pid < 0 or i >= len(s):
            return None
        p = s[i]
        if p[0] != ptype:
            raise Fault(f"{refs[ref]}: process {pid} is a {ptypes[p[0]]}, not a "
                        f"{ptypes[ptype]}")
        return p

    def rat(s, pid: int | None, ptype: int, pcs: tuple[int, ...], ref: int) -> bool:
        p = process(s, pid, ptype, ref)
        return p is not None and p[1] in pcs

    def rvar(s, pid: int | None, ptype: int, offset: int, ref: int) -> int:
        p = process(s, pid, ptype, ref)
        return 0 if p is None else p[offset]

    return {"rat": rat, "rvar": rvar}
