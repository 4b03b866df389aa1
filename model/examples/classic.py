"""Textbook models with known answers: Peterson's algorithm and the dining philosophers.

Used by the known-answer tests and the benchmarks.  Each model mirrors, statement for
statement, a Promela model (see tests/model), so SPIN's state counts apply to it.
"""

from __future__ import annotations

from ..modelling import Model

PETERSON_BUGS = ("turn-first", "no-turn")


def peterson(bug: str | None = None, *, progress_cs: int | None = None) -> Model:
    """Peterson's mutual exclusion for two processes P0 and P1.

    ``bug="turn-first"`` gives the turn away before raising the flag (a classic wrong
    order); ``bug="no-turn"`` waits on the other's flag only after raising its own, and
    checks it with a test that lets both pass.  ``progress_cs=i`` marks P<i>'s critical
    section as a progress location.
    """
    if bug not in (None, *PETERSON_BUGS):
        raise ValueError(f"unknown Peterson variant {bug!r}")
    m = Model("peterson" if bug is None else f"peterson[{bug}]")
    m.vars(flag=[0, 0], turn=0, critical=0)
    for i in (0, 1):
        j = 1 - i
        p = m.process(f"P{i}")
        p.label("idle", end=True)

        def raise_flag(s, i=i):
            s.flag[i] = 1

        def give_turn(s, j=j):
            s.turn = j

        if bug == "turn-first":
            p.step(f"turn = {j}", give_turn)
            p.step(f"flag[{i}] = 1", raise_flag)
        elif bug == "no-turn":
            p.wait(f"flag[{j}] == 0", lambda s, j=j: s.flag[j] == 0)
            p.step(f"flag[{i}] = 1", raise_flag)
        else:
            p.step(f"flag[{i}] = 1", raise_flag)
            p.step(f"turn = {j}", give_turn)
        if bug != "no-turn":
            p.wait(f"flag[{j}] == 0 || turn == {i}",
                   lambda s, i=i, j=j: s.flag[j] == 0 or s.turn == i)
        p.label("cs", progress=progress_cs == i)

        @p.step("critical++")
        def enter(s):
            s.critical += 1

        p.check("critical == 1", lambda s: s.critical == 1)

        @p.step("critical--")
        def leave(s):
            s.critical -= 1

        @p.step(f"flag[{i}] = 0", goto="idle")
        def lower_flag(s, i=i):
            s.flag[i] = 0
    return m


def philosophers(n: int, *, ordered: bool = False) -> Model:
    """``n`` dining philosophers, each taking the left fork, then the right one.

    Philosopher i's left fork is ``fork[i]``, its right one ``fork[(i+1) % n]``.  When
    every philosopher holds its left fork nobody can move: a deadlock (an invalid end
    state, since only "thinking" is an end location).  ``ordered=True`` is the classic
    fix: every philosopher takes the lower-numbered fork first (so the last one starts
    on the right), and the deadlock is gone.
    """
    if n < 2:
        raise ValueError("dining philosophers need at least two philosophers")
    m = Model(f"philosophers({n}{', ordered' if ordered else ''})")
    m.var("fork", [0] * n)
    for i in range(n):
        left, right = i, (i + 1) % n
        if ordered and right < left:
            left, right = right, left
        p = m.process(f"phil{i}")
        p.label("think", end=True)

        @p.step(f"take fork[{left}]", when=lambda s, f=left: s.fork[f] == 0)
        def take_left(s, f=left):
            s.fork[f] = 1

        @p.step(f"take fork[{right}]", when=lambda s, f=right: s.fork[f] == 0)
        def take_right(s, f=right):
            s.fork[f] = 1

        @p.step(f"eat; put forks {left} and {right}", goto="think")
        def put_both(s, a=left, b=right):
            s.fork[a] = 0
            s.fork[b] = 0
    return m
