"""How many distinct states several searches reached together: a HyperLogLog sketch.

The searches of a swarm run in different processes with lossy stores of different
hash functions, so their stores cannot be merged to count the states they reached
between them.  Each search also feeds the states it stores into a sketch of 2**14
one-byte registers (16 KiB): a state's 64-bit hash picks a register by its top 14 bits,
and the register keeps the largest rank (leading zeros + 1) seen in the other 50.
Sketches merge by taking the larger register, and the harmonic mean of the registers
estimates the number of distinct states with a standard error of about 0.8% (Flajolet,
Fusy, Gandouet, Meunier, 2007; small counts by linear counting).

The hash must be the same in every process: Python salts the hash of ``bytes`` per
process, so a state (a Promela state is ``bytes``) is hashed by two CRC-32s with
different starting values, mixed (``store.rehash``) so that every bit depends on every
other; a state of another type through its ``repr``.  (BLAKE2b costs twice as much.)
"""

from __future__ import annotations

import math
from typing import Any
from zlib import crc32

from .store import rehash

P = 14                      # register index bits
M = 1 << P                  # registers
_REST = 64 - P
_LOW = (1 << _REST) - 1


def state_hash(state: Any) -> int:
    """A 64-bit hash of ``state`` that is the same in every process."""
    data = state if state.__class__ is bytes else repr(state).encode()
    return rehash(crc32(data) | crc32(data, 0x9E3779B9) << 32)


class Sketch:
    """A HyperLogLog sketch of a set of states."""

    def __init__(self, registers: bytes | None = None) -> None:
        self.registers = bytearray(registers) if registers is not None else bytearray(M)

    def add(self, state: Any) -> None:
        h = state_hash(state)
        rank = _REST + 1 - (h & _LOW).bit_length()
        j = h >> _REST
        if self.registers[j] < rank:
            self.registers[j] = rank

    def merge(self, other: Sketch) -> None:
        """Add the states of ``other`` to this sketch."""
        self.registers = bytearray(map(max, self.registers, other.registers))

    def estimate(self) -> int:
        """The estimated number of distinct states added."""
        regs = self.registers
        raw = 0.7213 / (1 + 1.079 / M) * M * M / sum(2.0 ** -r for r in regs)
        empty = regs.count(0)
        if raw <= 2.5 * M and empty:
            return round(M * math.log(M / empty))
        return round(raw)
