"""Generated questions about one state: is it accepting, is it a progress state.

The liveness searches ask every state they enter whether it is accepting (acceptance
mode) or a progress state (non-progress mode).  Asked in Python through layout.py's
decoding, that cost a quarter of an acceptance search; generated next to the successor
functions (codegen.py), it reads the few bytes it needs:

* ``ACC(s)``: not *transient* (system.py: a rendezvous offer pending, the never claim
  inside an atomic sequence, or a process inside one that can go on), and some process
  at an ``accept`` location or the never claim at one;
* ``PRG(s)``: not transient (the never claim is ignored in non-progress mode) and some
  process at a ``progress`` location.

With the per-process copies of specialise.py the processes are read at fixed offsets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .flow import Flow
from .layout import EX, NPR, RVC

if TYPE_CHECKING:
    from .codegen import CodeGen


def bools(values: list[bool] | tuple[bool, ...]) -> str:
    return "(" + "".join(f"{v}, " for v in values) + ")"


class PredGen:
    """Appends the functions of the module docstring to ``gen.out``."""

    def __init__(self, gen: CodeGen, flows: list[Flow], claim: Flow | None) -> None:
        self.gen = gen
        self.flows = flows
        self.claim = claim

    def build(self) -> None:
        out = self.gen.out
        out.append("ACCEPT = (" + "".join(
            bools([loc.accept for loc in f.locations]) + ", " for f in self.flows) + ")")
        out.append("PROGRESS = (" + "".join(
            bools([loc.progress for loc in f.locations]) + ", " for f in self.flows) + ")")
        if self.claim is not None:
            out.append("CACC = " + bools([loc.accept for loc in self.claim.locations]))
        self.predicate("ACC", "ACCEPT", [loc.accept for f in self.flows
                                         for loc in f.locations], self.claim is not None)
        self.predicate("PRG", "PROGRESS", [loc.progress for f in self.flows
                                           for loc in f.locations], False)

    def claim_pc(self) -> str:
        lay = self.gen.lay
        if lay.claim_width == 1:
            return f"s[{lay.claim}]"
        return f"(s[{lay.claim}] | s[{lay.claim + 1}] << 8)"

    def predicate(self, name: str, table: str, any_label: list[bool], claim: bool
                  ) -> None:
        """``name(s)``: not transient and a process at a location marked in ``table``
        (``any_label``: whether any location is), or (``claim``) the claim at an
        accepting one."""
        gen = self.gen
        lines = [f"if s[{RVC}]:", "    return False"] if gen.has_rv else []
        if claim:
            lines += [f"q = {self.claim_pc()}", "if CIN[q]:", "    return False"]
        if gen.has_atomic:
            pc = gen.pc("s", "o")
            lines += [f"ex = s[{EX}]", "if ex:", "    i = ex - 1", "    o = poff(s, i)",
                      "    tmp = []", "    try:",
                      f"        D[s[o]][{pc}](s, i, o, tmp, False)",
                      "    except (Fault, AV):", "        return False",
                      "    if tmp:", "        return False"]
        if claim:
            lines += ["if CACC[q]:", "    return True"]
        if any(any_label):
            if gen.copies:
                tests = " or ".join(f"{table}[{t}][{gen.pc('s', str(o))}]"
                                    for t, o in gen.static)
                lines += [f"if s[{NPR}] == {len(gen.static)}:", f"    return {tests}"]
            lines += gen.each_process(f"if {table}[t][{gen.pc('s', 'o')}]:",
                                      "    return True")
        lines.append("return False")
        gen.out += [f"def {name}(s):", *("    " + x for x in lines)]
