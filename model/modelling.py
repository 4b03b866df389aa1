"""``Model``: globals, processes, invariants and never claims, and checking them.

See ``builder.py`` for how processes are written.  A model is compiled into a
``ModelSystem`` (flat tuple states) the first time it is checked, and again after any
change.
"""

from __future__ import annotations

import html
from typing import Any

from .builder import Guard, Process, check_name
from .checker import check
from .claim import Claim, product
from .compiled import ModelSystem
from .graph import state_graph, svg
from .result import Result
from .system import ModelError, TransitionSystem

#: the most states a model's Jupyter view draws the state graph of
GRAPH_IN_VIEW = 300


class Model:
    """A protocol model: global variables, processes, invariants and never claims."""

    def __init__(self, name: str = "model") -> None:
        self.name = name
        self.globals: dict[str, Any] = {}
        self.processes: list[Process] = []
        self.invariants: list[tuple[str, Guard]] = []
        self.claims: dict[str, Claim] = {}
        self._system: ModelSystem | None = None

    def _changed(self) -> None:
        self._system = None

    # -- declarations -----------------------------------------------------------------

    def var(self, name: str, initial: Any = 0) -> Model:
        """A global variable; a list declares a fixed-size array (``s.name[i]``).

        Values may be anything hashable: ints and bools usually, tuples or frozensets
        for small containers.
        """
        check_name("variable", name)
        if name in self.globals:
            raise ModelError(f"model {self.name}: variable {name!r} declared twice")
        self.globals[name] = list(initial) if isinstance(initial, list) else initial
        self._changed()
        return self

    def vars(self, **initial: Any) -> Model:
        """Several globals at once: ``m.vars(notify_me=0, notified=False)``."""
        for name, value in initial.items():
            self.var(name, value)
        return self

    def process(self, name: str, **local_vars: Any) -> Process:
        """A new process with the given locals (name=initial value)."""
        if any(p.name == name for p in self.processes):
            raise ModelError(f"model {self.name}: two processes named {name!r}")
        proc = Process(self, name, local_vars)
        self.processes.append(proc)
        self._changed()
        return proc

    def invariant(self, name: str, pred: Guard | None = None) -> Any:
        """A predicate that must hold in every reachable state (usable as decorator)."""
        def add(fn: Guard) -> Guard:
            self.invariants.append((name, fn))
            self._changed()
            return fn
        return add if pred is None else add(pred)

    def never(self, name: str, claim: Claim) -> Model:
        """Register never claim ``claim`` under ``name`` (predicates get a read view)."""
        self.claims[name] = claim
        return self

    # -- compiling and checking --------------------------------------------------------

    def system(self, claim: str | Claim | None = None) -> TransitionSystem:
        """The transition system, or its product with a never claim."""
        if self._system is None:
            self._system = ModelSystem(self)
        if claim is None:
            return self._system
        if isinstance(claim, str):
            try:
                claim = self.claims[claim]
            except KeyError:
                known = ", ".join(self.claims) or "none"
                raise ModelError(f"model {self.name}: no never claim {claim!r} "
                                 f"(known: {known})") from None
        return product(self._system, claim, self._system.view)

    def check(self, mode: str = "safety", *, claim: str | Claim | None = None,
              **options: Any) -> Result:
        """Check the model (see ``aioctx.model.check`` for the modes and options)."""
        if claim is not None and mode == "non-progress":
            raise ValueError("a never claim is checked in 'acceptance' (or 'safety') mode")
        return check(self.system(claim), mode, **options)

    def graph(self, claim: str | Claim | None = None, *, max_states: int = 5000) -> Any:
        """The reachable state graph as a networkx ``DiGraph`` (see ``graph.state_graph``)."""
        return state_graph(self.system(claim), max_states=max_states)

    def view(self, state: Any) -> Any:
        """A read view of ``state`` (attribute access to the globals, ``at``, ``local``)."""
        system = self.system()
        assert isinstance(system, ModelSystem)
        return system.view(state)

    def __repr__(self) -> str:
        names = ", ".join(p.name for p in self.processes)
        return f"Model({self.name!r}: {len(self.globals)} globals; processes {names})"

    def _repr_html_(self) -> str:
        """Jupyter's view: the globals, each process with its locals and locations, and
        the state graph's drawing when it has at most ``GRAPH_IN_VIEW`` states."""
        esc = html.escape
        rows = "".join(
            f"<tr><td><b>{esc(p.name)}</b></td>"
            f"<td>{esc(', '.join(f'{k}={v!r}' for k, v in p.local_vars.items()))}</td>"
            f"<td>{esc(', '.join(loc.name for loc in p.locations if loc.named))}</td></tr>"
            for p in self.processes)
        globals_ = ", ".join(f"{k}={v!r}" for k, v in self.globals.items())
        out = (f"<p><b>Model {esc(self.name)}</b>: globals {esc(globals_) or '(none)'}; "
               f"{len(self.invariants)} invariant(s), {len(self.claims)} never claim(s)</p>"
               "<table><tr><th>process</th><th>locals</th><th>locations</th></tr>"
               f"{rows}</table>")
        try:
            graph = self.graph(max_states=GRAPH_IN_VIEW)
        except (ValueError, ModelError) as exc:
            return out + f"<p>(no state graph drawn: {esc(str(exc))})</p>"
        return out + svg(graph)

