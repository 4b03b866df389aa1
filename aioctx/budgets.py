"""Budgets a user writes on the command line, checked once where they are read.

``parse_size`` reads ``4G``, ``512M``, ``1.5GiB``, ``200000000`` (bytes; K, M, G, T
are powers of 1024).  It refuses what cannot be a budget (negative, not a number,
NaN, infinity, absurdly large) with a message that says what is expected; as an
argparse ``type=`` function it makes argparse print it as a usage error (exit status 2).
"""

from __future__ import annotations

import argparse
import re

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([kmgt]?)(?:i?b)?\s*$", re.I)
#: no size above this is a budget (a pebibyte)
MAX_SIZE = 1 << 50


def parse_size(text: str) -> int:
    """Bytes in ``text`` ("4G", "512MiB", "100000"); ArgumentTypeError if it is not a
    size."""
    m = _SIZE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size (a number of bytes, or with K, M, G or T: '4G')")
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if value > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is too large for a size")
    return int(value)

