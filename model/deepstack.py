"""The deep part of the safety DFS's stack, kept as successor numbers instead of states.

The DFS (safety.py) holds its path and, for each state on it, the successors still to
explore (already marked seen).  As objects that costs some 300-400 bytes per level for
a Promela state of 50-80 bytes, and a depth-first search goes deep: a third of the
states of the scaling benchmark's pipeline lie on one path at its deepest, so a search
of 10^8 states would need more than 10 GB for its stack alone, whatever its store.

So only the top ``window`` levels stay objects.  When the path grows past them, the
bottom ``segment`` levels are frozen: the first state of the segment, and for each level
the number of the next path state among its parent's successors (``next_states``
order) and a bit mask of the successors still to explore - a dozen bytes a level.
When the search has explored everything above a frozen segment, the segment is thawed:
its states and pending successors are computed again from its first state (one
``next_states`` call per level; successor functions are deterministic, which the
counterexamples rely on already).  pan keeps a deep stack small its own way (it undoes
moves instead of storing states); this is what a search over generated successor
functions can do.

The cost falls on searches deeper than ``window`` only: one more successor computation
for each level thawed, none on the way down (the successor lists of the levels in the
window are kept to number them when they freeze).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from typing import Any

#: levels of the path kept as objects (~100 MB at 300-400 bytes a level: a path this
#: deep is not worth the recomputation below it; filter_lock N=4, 31k levels deep,
#: searched 30% slower with 16k)
WINDOW = 1 << 18
#: levels frozen or thawed at a time
SEGMENT = 1 << 10


class DeepStack:
    """Frozen segments of a DFS path (module docstring).

    The DFS's hot stack is three parallel lists: ``path`` (states), ``frames``
    (``frames[0]``: the successors still to explore of the state below ``path[0]``,
    or the initial states; ``frames[i + 1]``: those of ``path[i]``) and ``succs``
    (``succs[i]``: every successor of ``path[i]``, as ``next_states`` listed them, or
    None where the search did not expand it).  ``depth`` counts the frozen levels.
    """

    def __init__(self, next_states: Callable[[Any], Any], window: int | None = None,
                 segment: int | None = None) -> None:
        window = WINDOW if window is None else window
        segment = SEGMENT if segment is None else segment
        if not 2 <= segment < window:
            raise ValueError("a segment must be shorter than the window")
        self.next_states = next_states
        self.window = window
        self.segment = segment
        self.depth = 0
        # per segment: (frames[0] as it was, the first state, next-state numbers, masks)
        self.segments: list[tuple[list, Any, array, list[int]]] = []

    def freeze(self, path: list, frames: list[list], succs: list) -> int:
        """Freeze the bottom segment of the hot stack; the new frozen depth."""
        k = self.segment
        picks = array("I")
        masks: list[int] = []
        for i in range(k - 1):
            ts = succs[i]
            number: dict[Any, int] = {}
            for m, u in enumerate(ts):
                number.setdefault(u, m)
            picks.append(number[path[i + 1]])
            mask = 0
            for u in frames[i + 1]:
                mask |= 1 << number[u]
            masks.append(mask)
        self.segments.append((frames[0], path[0], picks, masks))
        del path[:k], frames[:k], succs[:k]
        self.depth += k
        return self.depth

    def thaw(self, path: list, frames: list[list], succs: list) -> int:
        """Refill the empty hot stack with the top frozen segment, computed again;
        the new frozen depth.  The last level's pending successors were explored
        (that is why the hot stack is empty)."""
        base, s, picks, masks = self.segments.pop()
        nxt = self.next_states
        frames.append(base)
        for pick, mask in zip(picks, masks, strict=True):
            ts = nxt(s)
            path.append(s)
            succs.append(ts)
            pending = [ts[m] for m in range(len(ts) - 1, -1, -1) if mask >> m & 1]
            frames.append(pending)
            s = ts[pick]
        path.append(s)
        succs.append(None)
        frames.append([])
        self.depth -= self.segment
        return self.depth

    def states(self) -> list:
        """The frozen part of the path, bottom first (for a counterexample)."""
        out: list = []
        nxt = self.next_states
        for _, s, picks, _ in self.segments:
            for pick in picks:
                out.append(s)
                s = nxt(s)[pick]
            out.append(s)
        return out

    def nbytes(self) -> int:
        """Bytes held by the frozen segments (shallow, plus their first states)."""
        size = sys.getsizeof(self.segments)
        for base, s, picks, masks in self.segments:
            size += (sys.getsizeof(base) + sys.getsizeof(s) + sys.getsizeof(picks)
                     + sys.getsizeof(masks) + sum(sys.getsizeof(m) for m in masks if m > 256))
        return size
