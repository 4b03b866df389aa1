"""Where a search keeps the states it has seen: exactly, as fingerprints, or as bits.

* ``exact`` (the default): every state itself, in a Python set.  A Promela state is a
  flat ``bytes`` string (about 60-100 bytes a state with the set's own slot), compared
  byte for byte: nothing is ever missed.
* ``hash-compact`` (SPIN's ``-DHC``, TLC's fingerprints): a 64-bit fingerprint per
  state in an open-addressing table of machine words (8 bytes a slot, at most half
  full).  Two states with the same fingerprint count as one, so a state can be missed;
  the report gives TLC's estimate of the probability that one was: ``n (g - n) / 2**64``
  for ``n`` states stored among ``g`` generated.
* ``bitstate`` (SPIN's supertrace, ``-DBITSTATE -w``): ``k`` bits per state in a bit
  array of a size the user sets.  A state whose ``k`` bits are all set already counts
  as seen, so states can be missed, more of them as the array fills: "no error" is not
  a proof.  The report gives the hash factor (bits per stored state) and an estimate of
  the states missed.

The fingerprint is Python's own hash of the state (SipHash for ``bytes``, computed once
and kept by the object).  A bitstate search derives its bit positions from it through
a mixer seeded with ``seed``: different seeds are different hash functions, which is how
a swarm diversifies its searches.  A store given a ``sketch`` (sketch.py) adds every
state it stores to it, so that the searches of a swarm can count their states together.

Which states share a whole 64-bit hash depends only on Python's per-process salt of the
hash of ``bytes`` (fixed by ``PYTHONHASHSEED``), so two runs of a lossy search may
differ in the few states they miss.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

STORAGES = ("exact", "hash-compact", "bitstate")

M64 = (1 << 64) - 1
_SAMPLE = 256                          # insertions between two looks at the fill ratio
_GOLDEN = 0x9E3779B97F4A7C15          # odd constants of well-known 64-bit mixers
_MIX = 0xBF58476D1CE4E5B9


def seed_mix(seed: int) -> int:
    """A 64-bit value to XOR into every hash of a search seeded with ``seed``."""
    return (seed * _GOLDEN) & M64 if seed else 0


def rehash(h: int) -> int:
    """A 64-bit hash derived from ``h``, every bit depending on every other (a
    bijection: the nested search's per-node constants, the sketch's hash)."""
    h = ((h ^ (h >> 31)) * _MIX) & M64
    return h ^ (h >> 29)


@dataclass
class StoreReport:
    """What a lossy store says about the states it may have missed."""

    storage: str
    nbytes: int                         # memory of the store itself
    omission_probability: float | None = None   # hash-compact: P(some state missed)
    hash_factor: float | None = None            # bitstate: bits per stored state
    expected_missed: float | None = None        # bitstate: estimated states missed
    bits: int | None = None                     # bitstate: size of the bit array
    hashes: int | None = None                   # bitstate: bits per state (k)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class LossyStore:
    """What the two lossy stores share: a state is known by its hash alone (``add_hash``,
    which each store implements), and a ``sketch``, if given, sees every state stored."""

    n: int
    sketch: Any
    add_hash: Callable[[int], bool]

    def __len__(self) -> int:
        return self.n

    def add(self, state: Any) -> bool:
        """Store ``state``; False if it counts as stored already."""
        if not self.add_hash(hash(state)):
            return False
        if self.sketch is not None:
            self.sketch.add(state)
        return True


class HashCompact(LossyStore):
    """64-bit fingerprints in an open-addressing table (linear probing, 0 = empty)."""

    storage = "hash-compact"

    def __init__(self, seed: int = 0, slots: int = 1 << 16, sketch: Any = None) -> None:
        self.mix = seed_mix(seed)
        self.sketch = sketch
        self.table = array("Q", bytes(8 * slots))
        self.mask = slots - 1
        self.n = 0
        self.limit = slots // 2
        self.matched = 0                    # lookups that found their fingerprint

    def add_hash(self, h: int) -> bool:
        fp = (h ^ self.mix) & M64 or 1
        table, mask = self.table, self.mask
        j = fp & mask
        while True:
            v = table[j]
            if v == fp:
                self.matched += 1
                return False
            if not v:
                table[j] = fp
                self.n += 1
                if self.n > self.limit:
                    self._grow()
                return True
            j = (j + 1) & mask

    def __contains__(self, state: Any) -> bool:
        fp = (hash(state) ^ self.mix) & M64 or 1
        table, mask = self.table, self.mask
        j = fp & mask
        while True:
            v = table[j]
            if v == fp:
                return True
            if not v:
                return False
            j = (j + 1) & mask

    def _grow(self) -> None:
        old = self.table
        slots = 2 * len(old)
        table = array("Q", bytes(8 * slots))
        mask = slots - 1
        for fp in old:
            if fp:
                j = fp & mask
                while table[j]:
                    j = (j + 1) & mask
                table[j] = fp
        self.table, self.mask, self.limit = table, mask, slots // 2

    def nbytes(self) -> int:
        return sys.getsizeof(self.table)

    def report(self, generated: int) -> StoreReport:
        n = self.n
        p = min(1.0, n * max(generated - n, 0) / 2.0 ** 64)
        return StoreReport(self.storage, self.nbytes(), omission_probability=p)


class BitState(LossyStore):
    """Supertrace: ``k`` bits per state in an array of ``bits`` bits (a power of two)."""

    storage = "bitstate"

    def __init__(self, bits: int, k: int = 3, seed: int = 0, sketch: Any = None) -> None:
        if bits < 8 or bits & (bits - 1):
            raise ValueError("the bit array's size must be a power of two of at least 8")
        if not 1 <= k <= 32:
            raise ValueError("bits per state must be 1..32")
        self.mix = seed_mix(seed)
        self.sketch = sketch
        self.array = bytearray(bits // 8)
        self.bits = bits
        self.mask = bits - 1
        self.k = k
        self.n = 0
        self.ones = 0
        self.missed = 0.0               # sum over insertions of P(a new state looks seen)
        self._next_estimate = _SAMPLE

    def add_hash(self, h: int) -> bool:
        """Set ``h``'s bits; False if they were all set already (the state counts as
        seen)."""
        h = ((h ^ self.mix) * _MIX) & M64     # the bit positions: double hashing over
        h ^= h >> 29                           # one multiply-xorshift of the hash
        step = h >> 33 | 1
        arr, mask = self.array, self.mask
        fresh = 0
        for _ in range(self.k):
            j = h & mask
            byte = j >> 3
            bit = 1 << (j & 7)
            v = arr[byte]
            if not v & bit:
                arr[byte] = v | bit
                fresh += 1
            h += step
        if not fresh:
            return False
        self.ones += fresh
        self.n += 1
        if self.n >= self._next_estimate:
            self._account()
        return True

    def __contains__(self, state: Any) -> bool:
        h = ((hash(state) ^ self.mix) * _MIX) & M64
        h ^= h >> 29
        step = h >> 33 | 1
        arr, mask = self.array, self.mask
        for _ in range(self.k):
            j = h & mask
            if not arr[j >> 3] & (1 << (j & 7)):
                return False
            h += step
        return True

    def _account(self) -> None:
        """Add the expected false matches of the last stretch of insertions: while the
        array is a fraction ``f`` full, a new state looks seen with probability
        ``f**k`` (its bits taken as independent)."""
        span = self.n - (self._next_estimate - _SAMPLE)
        p = (self.ones / self.bits) ** self.k
        self.missed += span * p / (1.0 - p) if p < 1.0 else float(span)
        self._next_estimate = self.n + _SAMPLE

    def nbytes(self) -> int:
        return sys.getsizeof(self.array)

    def report(self, generated: int) -> StoreReport:
        self._account()
        return StoreReport(self.storage, self.nbytes(),
                           hash_factor=self.bits / max(self.n, 1),
                           expected_missed=self.missed, bits=self.bits, hashes=self.k)

