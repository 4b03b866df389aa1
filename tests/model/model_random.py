"""Small random models, written both with the modelling API and in Promela.

Each has 2-3 processes of 1-3 locations over two shared bytes; every location offers
one or two guarded steps (a d_step in Promela) that jump to a random location, and is
marked end, accept or progress at random.  Seeded (``random.Random(seed)``), so a seed
always names the same model.  Used to compare our verdicts with SPIN's, where no
derivation by hand is practical and the fairness rules matter.
"""

from __future__ import annotations

import random

from aioctx.model import Claim, Model

GUARDS = [("true", None), ("x == 0", lambda s: s.x == 0), ("x == 1", lambda s: s.x == 1),
          ("y != 1", lambda s: s.y != 1), ("x < y", lambda s: s.x < s.y),
          ("y == 2", lambda s: s.y == 2)]
ACTIONS = [("skip", None), ("x = 1", lambda s: s.set(x=1)), ("x = 0", lambda s: s.set(x=0)),
           ("y = (y + 1) % 3", lambda s: s.set(y=(s.y + 1) % 3)),
           ("x = 1 - x", lambda s: s.set(x=1 - s.x))]
#: the never claim used with these models: y eventually stays different from 2
CLAIM_PREDICATE = "y != 2"


def generate(seed: int) -> list:
    """The processes of model ``seed``: per process, per location (flags, steps)."""
    rng = random.Random(seed)
    procs = []
    for _ in range(rng.randint(2, 3)):
        nloc = rng.randint(1, 3)
        locs = []
        for _ in range(nloc):
            steps = [(rng.randrange(len(GUARDS)), rng.randrange(len(ACTIONS)),
                      rng.randrange(nloc)) for _ in range(rng.randint(1, 2))]
            flags = {"end": rng.random() < 0.4, "accept": rng.random() < 0.25,
                     "progress": rng.random() < 0.25}
            locs.append((flags, steps))
        procs.append(locs)
    return procs


def python_model(procs: list, *, accept_labels: bool = True) -> Model:
    m = Model("random")
    m.vars(x=0, y=0)
    for i, locs in enumerate(procs):
        p = m.process(f"P{i}")
        for k, (flags, steps) in enumerate(locs):
            p.label(f"L{k}", end=flags["end"], progress=flags["progress"],
                    accept=flags["accept"] and accept_labels)
            for j, (g, a, t) in enumerate(steps):
                if j:
                    p.at(f"L{k}")
                p.step(f"{GUARDS[g][0]} -> {ACTIONS[a][0]}", ACTIONS[a][1],
                       when=GUARDS[g][1], goto=f"L{t}")
    m.never("y settles", Claim.eventually_always(lambda s: s.y != 2, "y settles"))
    return m


def promela(procs: list, *, accept_labels: bool = True, claim: bool = False) -> str:
    out = ["byte x; byte y;"]
    for i, locs in enumerate(procs):
        out.append(f"active proctype P{i}() {{")
        for k, (flags, steps) in enumerate(locs):
            marks = [("end", flags["end"]), ("accept", flags["accept"] and accept_labels),
                     ("progress", flags["progress"])]
            labels = "".join(f"{prefix}_L{k}: " for prefix, on in marks if on)
            options = " ".join(f":: d_step {{ {GUARDS[g][0]}; {ACTIONS[a][0]} }}; goto L{t}_"
                               for g, a, t in steps)
            out.append(f"L{k}_: {labels}if {options} fi;")
        out.append("}")
    if claim:
        out.append(f"never {{ do :: true :: {CLAIM_PREDICATE} -> break od; "
                   f"accept_forever: do :: {CLAIM_PREDICATE} od }}")
    return "\n".join(out) + "\n"
