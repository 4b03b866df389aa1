"""Checks on channel events: trace/notrace automata and xr/xs assertions (pan's rules).

trace/notrace: an automaton over the sends and receives on the channels it names
(sends on the channels it sends on, receives on those it receives from).  Its location is
kept in the state (the byte at ``Layout.event``).  Each such event, after a send (pan compares the
channel's *last* message, which after a sorted send ``!!`` need not be the one sent)
and before a receive that takes a message (pan compares the channel's *first*
message, also for a random receive ``??``), must match exactly one step from the
current state: with ``trace``, no match is an error ("no matching event"), two are an
error too; with ``notrace``, reaching its end is an error ("all events matched") and
an event that does not match ends the check.  Once a trace has reached its end nothing
more is checked.

xr/xs: ``xr c`` (``xs c``) in a proctype says its process is the only one to receive
from (send to) ``c``.  A process that *tries* to use a channel (executable or not) that
another live process claims is reported, as pan reports it, and so is a second claim
of the same kind on one channel, or a claim on a rendezvous channel.  pan remembers
the first process it ever saw claim a channel, across all the runs it explores (its
record is not part of the state), so a pid reused on another run can look like a
second claimant there; aioctx asks the state which live processes claim the channel.
pan only checks xr/xs when partial-order reduction is on (its default), so these
checks are compared with SPIN's default verifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ast
from .exprgen import Ctx
from .layout import NPR

if TYPE_CHECKING:
    from .codegen import CodeGen
    from .flow import Flow
    from .layout import Layout

SEND, RECV = 0, 1


def trace_table(flow: Flow, lay: Layout, error) -> list[tuple]:
    """Per trace location: (kind, (offset, width) of the global channel variable,
    pattern, target); a pattern has the value to match per field, None for ``_``."""
    if len(flow.locations) > 255:
        raise error(flow.locations[0].pos, "a trace of more than 255 states is not "
                    "supported")
    table = []
    for loc in flow.locations:
        steps = []
        for t in loc.transitions:
            s = t.stmt
            if not isinstance(s, ast.Send | ast.Receive):
                raise error(s.pos, "a trace can only hold sends and receives (and if, do, "
                            "goto and break around them)")
            chan = s.chan
            if chan.sym.scope != "global" or chan.index is not None:
                raise error(chan.pos, "a trace names global channels, not array elements")
            pattern = []
            for a in s.args:
                if isinstance(a, ast.Name) and a.name == "_":
                    pattern.append(None)
                elif isinstance(a, ast.Num) or isinstance(a, ast.Name) and a.const is not None:
                    pattern.append(a.value if isinstance(a, ast.Num) else a.const)
                else:
                    raise error(a.pos, "a trace matches message fields against constants "
                                "or '_'")
            kind = SEND if isinstance(s, ast.Send) else RECV
            place = lay.place(chan.sym)
            steps.append((kind, (place.offset, place.width), tuple(pattern), t.dest))
        table.append(tuple(steps))
    return table


def event_helpers(at: int, table: list[tuple] | None, negated: bool, end: int,
                  violation: type) -> dict[str, Any]:
    """``EVT``, a channel event for the trace automaton, bound to one model;
    ``violation`` is the assertion-violation type to raise."""
    scope: list[list[tuple[int, int]]] = [[], []]
    if table is not None:
        for steps in table:
            for kind, slot, _pattern, _dest in steps:
                if slot not in scope[kind]:
                    scope[kind].append(slot)

    def chan_at(now: bytearray, slot: tuple[int, int]) -> int:
        offset, size = slot
        return int.from_bytes(now[offset:offset + size], "little")

    def evt(now: bytearray, pid: int, step: int, kind: int, c: int, m: tuple) -> None:
        """Follow the event ``kind`` on channel ``c`` with message ``m`` in the state
        ``now`` (being built)."""
        state = now[at]
        if state == end or not any(chan_at(now, slot) == c for slot in scope[kind]):
            return
        found = [dest for k, slot, pattern, dest in table[state]
                 if k == kind and chan_at(now, slot) == c and len(pattern) == len(m) and
                 all(p is None or p == v for p, v in zip(pattern, m, strict=True))]
        what = "notrace" if negated else "trace"
        if len(found) > 1:
            raise violation(pid, step, f"{what}: more than one step matches this event "
                                       "(SPIN: non-determinism in event-trace)")
        if found:
            now[at] = found[0]
            if negated and found[0] == end:
                raise violation(pid, step, "notrace: all events matched (SPIN: "
                                           "event_trace error)")
        elif negated:
            now[at] = end
        else:
            raise violation(pid, step, "trace: no step of the trace matches this event "
                                       "(SPIN: event_trace error, no matching event)")

    return {"EVT": evt}


def xu_source(gen: CodeGen) -> list[str]:
    """``XU<type>(s, p, o, i)``: the (kind, channel) claims of process ``i`` of that
    type whose record starts at ``o`` in ``p`` (xr is 0, xs 1); ``XCLAIM(l, o, pid)``:
    a new process's claims, refused when another live process holds the same one;
    ``XCHK(s, c, kind, i, step)``: process ``i`` tries to use channel ``c`` that
    another live process claimed."""
    out, names = [], []
    for proc in gen.m.proctypes:
        if not proc.xu:
            names.append("None")
            continue
        ctx = Ctx("s", "p", "o", "i", gen.g.nr("s"))
        claims = "".join(f"({0 if word == 'xr' else 1}, {gen.x.chan(c, ctx)}), "
                         for word, c in proc.xu)
        out += [f"def XU{proc.index}(s, p, o, i):", f"    return ({claims})"]
        names.append(f"XU{proc.index}")
    out += [f"XUS = ({''.join(n + ', ' for n in names)})",
            "def XOWNER(s, c, kind, skip):",
            "    \"\"\"The live process other than ``skip`` that claims ``c`` (-1: none).\"\"\"",
            f"    o = {gen.lay.P0}",
            f"    for j in range(s[{NPR}]):",
            "        t = s[o]",
            "        f = XUS[t]",
            "        if f is not None and j != skip:",
            "            for k, d in f(s, s, o, j):",
            "                if k == kind and d == c:",
            "                    return j",
            "        o += SIZE[t]",
            "    return -1",
            "def XCLAIM(l, o, pid):",
            "    for kind, c in XUS[l[o]](l, l, o, pid):",
            "        if c == 0:",
            "            raise Fault('x[rs] claim on an uninitialised channel')",
            "        if not CAP[qget(l, c)[0]]:",
            "            raise Fault('xr/xs channels cannot be used for rendezvous')",
            "        j = XOWNER(l, c, kind, pid)",
            "        if j >= 0:",
            "            raise Fault('xr/xs assertion violated: process ' + str(j) + "
            "' already claims this channel')",
            "def XCHK(s, c, kind, i, step):",
            "    j = XOWNER(s, c, kind, i)",
            "    if j >= 0:",
            "        raise AV(i, step, ('xr' if kind == 0 else 'xs') + ' assertion "
            "violated: process ' + str(j) + ' claims this channel and process ' + "
            "str(i) + ' uses it')"]
    return out


def xclaim_lines(proc: Any) -> list[str]:
    """What a new process of type ``proc`` (its record at ``at`` in ``l``, already
    appended) does about its xr/xs declarations."""
    return ["XCLAIM(l, at, pid)"] if proc.xu else []


def send_hooks(gen: Any, step: int) -> tuple[list[str], list[str]]:
    """(before, after) lines of a send on channel ``c`` (``n`` messages before it)."""
    before = [f"XCHK(s, c, 1, i, {step})"] if gen.xu else []
    after = [f"EVT(l, i, {step}, 0, c, qmsg(l, ct, qo, n))"] if gen.events else []
    return before, after


def receive_hooks(gen: Any, step: int) -> tuple[list[str], list[str]]:
    """(before, when taken) lines of a receive from channel ``c``."""
    before = [f"XCHK(s, c, 0, i, {step})"] if gen.xu else []
    taken = [f"EVT(l, i, {step}, 1, c, qmsg(s, ct, qo, 0))"] if gen.events else []
    return before, taken
