"""Per-process copies of the location functions, with the pid and record offset fixed.

A model that never creates a process (no ``run``) runs, in every state, its initial
processes or a prefix of them (only the most recently created process can end, and its
record is the last), so process ``k`` always has the same type and its record starts at
the same byte.  For such a model the scheduler (schedgen.py) calls, for process ``k``,
``S<k>_<pc>(s, out, to)``: a copy of the generic ``L<t>_<pc>(s, i, o, out, to)`` whose
names ``i`` and ``o`` are replaced by the numbers.  CPython's compiler then folds the
offsets (``s[19 + 3]`` becomes ``s[22]``), and this module also removes the bounds
check of an array index that is now a constant in range and inlines the others (one
comparison instead of a call).  ``F<k>`` is the tuple of process ``k``'s copies by pc.

The copies are made from the syntax tree of the generated source (Python's ``ast``),
never from model text, and are emitted as source again, so ``Compiled.source`` stays
the whole module.  The generic functions stay: the rest of the system (atomic
sequences, rendezvous, ``enabled()``, run-time error reports) calls them.
"""

from __future__ import annotations

import ast as py
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .layout import Layout
    from .symbols import Model

#: CPython 3.11's ``ast.parse`` is not safe in two threads at once (its AST conversion
#: keeps one recursion counter per interpreter: "AST constructor recursion depth
#: mismatch"), and a Dask cluster of threads builds one model per worker at once
_PARSE = threading.Lock()

#: a model whose copies would have more locations than this keeps the generic code
#: (compiling them would cost more than a small search gains)
MAX_COPIES = 4000


class _Unsafe(Exception):
    """A generic function assigns ``i`` or ``o`` itself: it cannot be specialised."""


class _Fix(py.NodeTransformer):
    """Replace ``i`` and ``o`` by constants; fold or inline ``ix`` bounds checks."""

    def __init__(self, pid: int, offset: int) -> None:
        self.values = {"i": pid, "o": offset}
        self.temps = 0

    def visit_Name(self, node: py.Name) -> py.AST:
        if node.id in self.values:
            if not isinstance(node.ctx, py.Load):
                raise _Unsafe(node.id)
            return py.copy_location(py.Constant(self.values[node.id]), node)
        return node

    def visit_Lambda(self, node: py.AST) -> py.AST:
        raise _Unsafe("lambda")

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Call(self, node: py.Call) -> py.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, py.Name) and node.func.id == "ix"
                and len(node.args) == 3 and not node.keywords):
            return node
        value, size, _var = node.args
        if not isinstance(size, py.Constant):
            return node
        if isinstance(value, py.Constant):
            if isinstance(value.value, int) and 0 <= value.value < size.value:
                return value
            return node                 # out of bounds: the call reports it when run
        # (k if 0 <= (k := value) < size else ix(k, size, var)): ix raises
        self.temps += 1
        k = f"_k{self.temps}"
        test = py.Compare(py.Constant(0), [py.LtE(), py.Lt()],
                          [py.NamedExpr(py.Name(k, py.Store()), value), size])
        fail = py.Call(py.Name("ix", py.Load()),
                       [py.Name(k, py.Load()), size, node.args[2]], [])
        return py.copy_location(py.IfExp(test, py.Name(k, py.Load()), fail), node)


def records(model: Model, lay: Layout) -> list[tuple[int, int]]:
    """(proctype, offset of its record) of each initial process, in pid order."""
    out, o = [], lay.P0
    for proc in model.initial:
        out.append((proc.index, o))
        o += lay.procs[proc.index].size
    return out


def unrolled(processes: list[tuple[int, int]], pcs: list[str], reduces: bool, done: str
             ) -> list[str]:
    """Lines expanding a state where every initial process runs, with the copies: as
    schedgen.py's scheduler does (``reduces``: first the processes at an ample location,
    ``A<type>``, the highest pid first, the first with a move alone; then every process
    in pid order), the same calls in the same order; ``pcs[k]`` reads process ``k``'s
    pc, ``done`` ends the expansion."""
    lines: list[str] = []
    if reduces:         # an AMPLE entry: 0, 1, or a test of conditional safety (xr/xs)
        for k, (_t, o) in reversed(list(enumerate(processes))):
            lines += [f"p = {pcs[k]}", f"a = A{processes[k][0]}[p]",
                      f"if a == 1 or a and a(s, {k}, {o}):",
                      f"    F{k}[p](s, out, False)", "    if out:", f"        {done}"]
    return lines + [f"F{k}[{pc}](s, out, False)" for k, pc in enumerate(pcs)]


def specialise(source: str, processes: list[tuple[int, int]], locations: list[int]
               ) -> list[str] | None:
    """Source lines defining ``S<k>_<pc>`` and ``F<k>`` for each process ``k`` of
    ``processes`` (its type and record offset, in pid order) from the generic functions
    ``L<t>_<pc>`` in ``source`` (``locations[t]``: how many type ``t`` has); None if
    they would be too many or a generic function cannot be copied."""
    if sum(locations[t] for t, _o in processes) > MAX_COPIES:
        return None
    texts = _functions(source)
    per_type = {t: "\n".join(texts[f"L{t}_{pc}"] for pc in range(locations[t]))
                for t, _o in processes}
    lines: list[str] = []
    for pid, (ptype, offset) in enumerate(processes):
        fix = _Fix(pid, offset)
        names = []
        with _PARSE:
            tree = py.parse(per_type[ptype])            # a fresh tree per process
        for f in tree.body:
            try:
                f = fix.visit(f)
            except _Unsafe:
                return None
            f.name = "S" + str(pid) + f.name[f.name.index("_"):]
            f.args.args = [a for a in f.args.args if a.arg not in ("i", "o")]
            lines.append(py.unparse(py.fix_missing_locations(f)))
            names.append(f.name)
        lines.append(f"F{pid} = ({''.join(n + ', ' for n in names)})")
    return lines


def _functions(source: str) -> dict[str, str]:
    """The source of each top-level function of the generated module, by name."""
    out: dict[str, str] = {}
    name, body = None, []
    for line in source.splitlines() + ["#"]:
        if line[:1] in (" ", "\t"):
            body.append(line)
            continue
        if name is not None:
            out[name] = "\n".join(body)
        name, body = None, []
        if line.startswith("def "):
            name, body = line[4:line.index("(")], [line]
    return out
