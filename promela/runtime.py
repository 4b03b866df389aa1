"""Helpers the generated successor code calls: C arithmetic, bounds, channels.

The generated module (codegen.py) contains only numbers and fixed templates; anything
that depends on the model's text (variable names for messages, channel layouts) lives
in tables built here and handed to the generated code as globals.  The state layout is
described in layout.py: channels and process records are found by their offsets, and a
channel's messages are read and written field by field.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from .layout import NPR, Layout
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


#: readers and writers of 2- and 4-byte elements (little-endian), by the names exprgen
#: generates
WIDE = {name: getattr(struct.Struct(fmt), op) for name, fmt, op in (
    ("I16", "<h", "unpack_from"), ("U16", "<H", "unpack_from"),
    ("I32", "<i", "unpack_from"), ("U32", "<I", "unpack_from"),
    ("W16", "<h", "pack_into"), ("WU16", "<H", "pack_into"),
    ("W32", "<i", "pack_into"), ("WU32", "<I", "pack_into"))}


def make_helpers(lay: Layout, names: list[str]) -> dict[str, Any]:
    """Channel, process and bounds helpers bound to one model's layout and tables."""
    p0 = lay.P0
    sizes = tuple(p.size for p in lay.procs)
    own = tuple(p.chans for p in lay.procs)
    nglobal = len(lay.global_chans)
    gchans = lay.global_chans
    chans = lay.chans
    gone = len(chans)               # the "type" of a deleted channel
    caps = tuple(c.capacity for c in chans) + (0,)
    msizes = tuple(c.msize for c in chans)
    # per channel type: (offset in the message, width, signed, bits) of each field
    fields = tuple(tuple((f.offset, f.width, f.signed, f.bits) for f in c.fields)
                   for c in chans)
    unpack = {(1, False): None, (2, True): WIDE["I16"], (2, False): WIDE["U16"],
              (4, True): WIDE["I32"], (4, False): WIDE["U32"]}
    pack = {(2, True): WIDE["W16"], (2, False): WIDE["WU16"], (4, True): WIDE["W32"],
            (4, False): WIDE["WU32"]}

    def ix(value: int, size: int, var: int) -> int:
        if 0 <= value < size:
            return value
        raise Fault(f"index {value} out of bounds of {names[var]}[{size}]")

    def poff(s, pid: int) -> int:
        """The offset of process ``pid``'s record."""
        o = p0
        for _ in range(pid):
            o += sizes[s[o]]
        return o

    def nchans(s) -> int:
        """How many channels exist in ``s`` (the globals' and the processes')."""
        n = nglobal
        o = p0
        for _ in range(s[NPR]):
            t = s[o]
            n += len(own[t])
            o += sizes[t]
        return n

    def qget(s, c: int) -> tuple[int, int, int]:
        """(channel type, offset of its record, number of messages) of channel ``c``.

        Channel 0 is an uninitialised chan variable: an error.  A channel that was
        deleted with its process reads as empty and never accepts a message (SPIN
        zeroes its memory): its offset is -1.
        """
        if 0 < c <= nglobal:
            o, t = gchans[c - 1]
            return t, o, s[o]
        if c == 0:
            raise Fault("use of an uninitialised chan variable")
        k = nglobal
        o = p0
        for _ in range(s[NPR]):
            t = s[o]
            mine = own[t]
            if c <= k + len(mine):
                off, ct = mine[c - k - 1]
                return ct, o + off, s[o + off]
            k += len(mine)
            o += sizes[t]
        return gone, -1, 0

    def qmsg(s, ct: int, qo: int, k: int) -> tuple:
        """The field values of message ``k`` of the channel at ``qo``."""
        base = qo + 1 + k * msizes[ct]
        out = []
        for off, w, signed, _bits in fields[ct]:
            if w == 1:
                out.append(s[base + off])
            else:
                out.append(unpack[w, signed](s, base + off)[0])
        return tuple(out)

    def put(buf: bytearray, ct: int, at: int, values: tuple) -> None:
        spec = fields[ct]
        if len(spec) != len(values):
            raise Fault(f"a message with {len(values)} field(s) sent on a channel of "
                        f"{len(spec)} field(s)")
        for (off, w, signed, bits), v in zip(spec, values, strict=True):
            v = wrap(v, bits, signed)
            if w == 1:
                buf[at + off] = v
            else:
                pack[w, signed](buf, at + off, v)

    def qsend(buf: bytearray, ct: int, qo: int, n: int, values: tuple) -> None:
        """Append a message with ``values`` (each stored into its field's range)."""
        put(buf, ct, qo + 1 + n * msizes[ct], values)
        buf[qo] = n + 1

    def qsorted(buf: bytearray, ct: int, qo: int, n: int, values: tuple) -> None:
        """``c!!m``: insert before the first message greater than ``m`` (else last)."""
        size = msizes[ct]
        spec = fields[ct]
        m = tuple(wrap(v, b, sg) for v, (_o, _w, sg, b) in zip(values, spec, strict=False))
        k = 0
        while k < n and not m < qmsg(buf, ct, qo, k):
            k += 1
        at = qo + 1 + k * size
        end = qo + 1 + n * size
        buf[at + size:end + size] = buf[at:end]
        put(buf, ct, at, values)
        buf[qo] = n + 1

    def qtake(buf: bytearray, ct: int, qo: int, n: int, k: int) -> None:
        """Remove message ``k``: the later ones move up, the freed slot is zeroed."""
        size = msizes[ct]
        at = qo + 1 + k * size
        end = qo + 1 + n * size
        buf[at:end - size] = buf[at + size:end]
        buf[end - size:end] = bytes(size)
        buf[qo] = n - 1

    def cfull(s, c: int) -> bool:
        ct, _qo, n = qget(s, c)
        return n >= caps[ct]

    def poll(s, c: int, random: bool, pattern: tuple) -> bool:
        """``c?[pattern]``: could a receive with these constants take a message now?
        (An error on a rendezvous channel, as in pan.)"""
        ct, qo, n = qget(s, c)
        if not caps[ct]:
            raise Fault("a poll c?[...] of a rendezvous channel")
        for k in range(n if random else min(n, 1)):
            m = qmsg(s, ct, qo, k)
            if all(p is None or p == v for p, v in zip(pattern, m, strict=False)):
                return True
        return False

    helpers: dict[str, Any] = {
        "ix": ix, "poff": poff, "nchans": nchans, "qget": qget, "qmsg": qmsg,
        "qsend": qsend, "qsorted": qsorted, "qtake": qtake, "cfull": cfull, "poll": poll,
        "CAP": caps, "SIZE": sizes, "cdiv": cdiv, "cmod": cmod, "shl": shl, "shr": shr,
        "Fault": Fault}
    helpers.update(WIDE)
    return helpers


def remote_helpers(lay: Layout, ptypes: list[str], refs: list[str]
                   ) -> dict[str, Callable[..., Any]]:
    """``rat`` (``P[pid]@label``) and ``rvar`` (``P[pid]:x``) for one model.

    SPIN's verifier reads a pid that no process has as zeroed memory (not at any
    label, every variable 0), so these do too.  A pid whose process is of another
    proctype makes SPIN's verifier compare that process's raw state (its simulator
    reports "refers to wrong proctype"); here it is a run-time error.
    """
    p0 = lay.P0
    sizes = tuple(p.size for p in lay.procs)
    wide_pc = lay.pc_width == 2

    def process(s, pid: int | None, ptype: int, ref: int) -> int | None:
        """The offset of the record of process ``pid`` (None: the first ``ptype``)."""
        o = p0
        if pid is None:                     # P@label: the first running P
            for _ in range(s[NPR]):
                if s[o] == ptype:
                    return o
                o += sizes[s[o]]
            return None
        if pid < 0 or pid >= s[NPR]:
            return None
        for _ in range(pid):
            o += sizes[s[o]]
        if s[o] != ptype:
            raise Fault(f"{refs[ref]}: process {pid} is a {ptypes[s[o]]}, not a "
                        f"{ptypes[ptype]}")
        return o

    def rat(s, pid: int | None, ptype: int, pcs: tuple[int, ...], ref: int) -> bool:
        o = process(s, pid, ptype, ref)
        if o is None:
            return False
        pc = s[o + 1] | (s[o + 2] << 8 if wide_pc else 0)
        return pc in pcs

    def rvar(s, pid: int | None, ptype: int, offset: int, reader: Any, ref: int) -> int:
        o = process(s, pid, ptype, ref)
        if o is None:
            return 0
        return s[o + offset] if reader is None else reader(s, o + offset)[0]

    return {"rat": rat, "rvar": rvar}
