"""Where everything lives in a state: a flat byte string, SPIN's state vector in Python.

A state is one immutable ``bytes`` object, so that the checker stores it as it is
(about 40 bytes for a small model, against several hundred for nested tuples), hashes it
once (``bytes`` keep their hash) and compares it with ``memcmp``.  The generated code
reads a field with one subscript and builds a successor by copying the state into a
``bytearray``, changing a few bytes and freezing it again.

    [EX][RVC][RVP][NPR][claim pc][_last][stutter][event][globals][global channels]
    [process 0]...

* ``EX``: 1 + pid of the process whose last step ended inside an ``atomic`` (0: none);
* ``RVC``/``RVP``: the channel and the sending pid of a pending rendezvous offer (0/0);
* ``NPR``: the number of running processes;
* the never claim's location (1 or 2 bytes), present only with a claim;
* ``_last``, the pid of the process that moved last, only if the model reads it;
* 1 after the never claim moved alone, only if the claim reads ``np_`` (claimgen.py);
* the location of the ``trace``/``notrace`` automaton, only with one (eventgen.py);
* each global variable at a fixed offset, each element 1, 2 or 4 bytes by its type
  (little-endian; ``short`` and ``int`` signed); a typedef variable is its leaves, one
  array per basic field (structs.py);
* each channel as ``[length][slot 0][slot 1]...``, one slot per message of its capacity
  (one for a rendezvous channel: the pending offer), fields packed like variables;
  slots past the length are zero, so that a state has one encoding only;
* each process as ``[proctype][pc (1 or 2 bytes)][locals][its channels]``: a process's
  own channels live in its record and disappear with it; with priorities the first
  local is ``_priority``.

Channel numbers run over the global channels in declaration order, then over the
channels of each process in pid order, as SPIN numbers them; the type of channel ``c``
follows from where it lives, so it is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .symbols import ChanType, Model, ProcType, Var

EX, RVC, RVP, NPR = 0, 1, 2, 3
HEADER = 4


def width(bits: int) -> int:
    """Bytes per element of a variable or message field of ``bits`` bits."""
    return 1 if bits <= 8 else 2 if bits <= 16 else 4


@dataclass(frozen=True)
class Place:
    """A variable's first byte (from the state's start for globals, from the process
    record's start for locals), its element width in bytes and signedness."""

    offset: int
    width: int
    signed: bool
    bits: int
    size: int               # elements

    @property
    def nbytes(self) -> int:
        return self.width * self.size


@dataclass(frozen=True)
class ChanLayout:
    """The bytes of one channel type: capacity, slots, message size, field places."""

    capacity: int
    slots: int              # capacity, or 1 for a rendezvous channel (the offer)
    msize: int
    fields: tuple[Place, ...]       # offsets within a message

    @property
    def nbytes(self) -> int:
        return 1 + self.slots * self.msize


@dataclass(frozen=True)
class ProcLayout:
    """One proctype's record: its size, its locals and its own channels."""

    size: int
    locals: dict[int, Place]                        # id(Var) -> place in the record
    chans: tuple[tuple[int, int], ...]              # (offset in the record, chan type)


@dataclass
class Layout:
    """The byte layout of every state of one model (see the module docstring)."""

    claim: int | None           # offset of the claim's location, None without a claim
    claim_width: int
    last: int | None            # offset of ``_last``, None when the model does not read it
    stutter: int | None         # offset of the claim's stutter flag, None if not kept
    pc_width: int
    G: int                      # first global
    P0: int                     # first process record
    globals: dict[int, Place] = field(default_factory=dict)     # id(Var) -> place
    global_chans: tuple[tuple[int, int], ...] = ()    # (offset, chan type), channel 1..
    chans: tuple[ChanLayout, ...] = ()
    procs: tuple[ProcLayout, ...] = ()
    #: _nr_pr counts the never claim (SPIN's claim is a process) when one runs
    nr_extra: int = 0
    event: int | None = None    # offset of the trace automaton's location, None: none

    def place(self, var: Var) -> Place:
        return (self.globals if var.scope == "global" else self._local(var))[id(var)]

    def _local(self, var: Var) -> dict[int, Place]:
        for proc in self.procs:
            if id(var) in proc.locals:
                return proc.locals
        raise KeyError(var.name)

    # -- decoding, for counterexamples (the generated code never calls these) --

    def pc(self, state: bytes, offset: int) -> int:
        return int.from_bytes(state[offset + 1:offset + 1 + self.pc_width], "little")

    def processes(self, state: bytes) -> list[tuple[int, int, int]]:
        """(record offset, proctype, pc) of each running process, in pid order."""
        out = []
        o = self.P0
        for _ in range(state[NPR]):
            ptype = state[o]
            out.append((o, ptype, self.pc(state, o)))
            o += self.procs[ptype].size
        return out

    def claim_pc(self, state: bytes) -> int:
        assert self.claim is not None
        return int.from_bytes(state[self.claim:self.claim + self.claim_width], "little")

    def channel(self, state: bytes, cid: int) -> tuple[int, int] | None:
        """(offset, chan type) of channel ``cid`` in ``state``; None if there is none
        (0, an uninitialised chan variable, or a channel deleted with its process)."""
        if cid <= 0:
            return None
        if cid <= len(self.global_chans):
            return self.global_chans[cid - 1]
        k = len(self.global_chans)
        for o, ptype, _pc in self.processes(state):
            chans = self.procs[ptype].chans
            if cid <= k + len(chans):
                off, ctype = chans[cid - k - 1]
                return o + off, ctype
            k += len(chans)
        return None

    def messages(self, state: bytes, cid: int) -> list[tuple[int, ...]] | None:
        where = self.channel(state, cid)
        if where is None:
            return None
        o, ctype = where
        ch = self.chans[ctype]
        return [tuple(read(state, o + 1 + k * ch.msize + f.offset, f)
                      for f in ch.fields) for k in range(state[o])]


def read(state: bytes, offset: int, place: Place) -> int:
    """The element of ``place``'s width and sign at ``offset``."""
    return int.from_bytes(state[offset:offset + place.width], "little",
                          signed=place.signed)


def _place_vars(variables: list[Var], start: int, out: dict[int, Place]) -> int:
    offset = start
    for var in variables:
        w = width(var.bits)
        out[id(var)] = Place(offset, w, var.signed, var.bits, var.size)
        offset += w * var.size
    return offset


def chan_layout(ct: ChanType) -> ChanLayout:
    fields = []
    offset = 0
    for bits, signed, _name in ct.fields:
        w = width(bits)
        fields.append(Place(offset, w, signed, bits, 1))
        offset += w
    return ChanLayout(ct.capacity, max(ct.capacity, 1), offset, tuple(fields))


def _own_chans(variables: list[Var], chans: list[ChanLayout],
               start: int) -> tuple[list[tuple[int, int]], int]:
    """Channel records for the channel variables created with ``variables``."""
    out = []
    offset = start
    for var in variables:
        if var.chan_type is None:
            continue
        for _ in range(var.size):
            out.append((offset, var.chan_type))
            offset += chans[var.chan_type].nbytes
    return out, offset


def pc_width(counts: list[int]) -> int:
    return 1 if max(counts, default=1) <= 256 else 2


def build_layout(model: Model, claim_runs: bool, locations: list[int],
                 claim_locations: int, stutter_flag: bool) -> Layout:
    """The layout of ``model``; ``locations``: how many locations each proctype has,
    ``claim_locations`` the never claim's (0: none); ``stutter_flag``: keep one."""
    chans = tuple(chan_layout(ct) for ct in model.chan_types)
    offset = HEADER
    claim = last = stutter = None
    cw = pc_width([claim_locations])
    if model.claim is not None:
        claim, offset = offset, offset + cw
    if model.has_last:
        last, offset = offset, offset + 1
    if stutter_flag:
        stutter, offset = offset, offset + 1
    event = None
    if model.trace is not None:
        event, offset = offset, offset + 1
    g = offset
    gplaces: dict[int, Place] = {}
    offset = _place_vars(model.globals, g, gplaces)
    gchans, offset = _own_chans(model.globals, list(chans), offset)
    pcw = pc_width(locations)
    procs = []
    for proc in model.proctypes:
        procs.append(_proc_layout(proc, pcw, list(chans)))
    return Layout(claim, cw, last, stutter, pcw, g, offset, gplaces, tuple(gchans), chans,
                  tuple(procs), int(claim_runs), event)


def _proc_layout(proc: ProcType, pcw: int, chans: list[ChanLayout]) -> ProcLayout:
    places: dict[int, Place] = {}
    end = _place_vars(proc.locals, 1 + pcw, places)
    own, end = _own_chans(proc.created, chans, end)
    return ProcLayout(end, places, tuple(own))
