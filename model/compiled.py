"""A ``Model`` compiled into a ``TransitionSystem`` over flat tuples.

Compiling fixes the state layout (control locations, globals, locals), numbers the
locations and steps, and builds per-process step tables indexed by location, so that
computing the successors of a state is: for each process, look up the steps of its
location, evaluate their guards on one shared read view, and run the enabled actions on
a fresh write view.  Everything the loop touches is a local or a tuple entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .builder import Process, StepSpec
from .system import AssertionViolation, ModelError, State, StepInfo, TransitionSystem
from .views import view_classes

if TYPE_CHECKING:
    from .modelling import Model


class ModelSystem(TransitionSystem):
    """The transition system of a ``Model`` (see the module docstring for the layout)."""

    def __init__(self, model: Model) -> None:
        if not model.processes:
            raise ModelError(f"model {model.name!r} has no processes")
        self.model = model
        self.name = model.name
        procs = model.processes
        nprocs = len(procs)
        # -- layout --------------------------------------------------------------
        index = nprocs
        global_fields: dict[str, tuple[int, int | None]] = {}
        initial: list[Any] = [0] * nprocs
        for name, value in model.globals.items():
            index = _place(global_fields, name, value, index, initial)
        local_fields: dict[tuple[str, str], tuple[int, int | None]] = {}
        proc_fields: list[dict[str, tuple[int, int | None]]] = []
        for proc in procs:
            fields = dict(global_fields)
            for name, value in proc.local_vars.items():
                if name in global_fields:
                    raise ModelError(f"process {proc.name}: local {name!r} hides a global")
                index = _place(fields, name, value, index, initial)
                local_fields[(proc.name, name)] = fields[name]
            proc_fields.append(fields)
        self.global_fields = global_fields
        self.local_fields = local_fields
        # -- locations and steps -------------------------------------------------
        self.location_names: list[list[str]] = []
        pcs: dict[str, tuple[int, dict[str, int]]] = {}
        numbered: list[dict[int, int]] = []
        for pid, proc in enumerate(procs):
            order = _number_locations(proc)
            numbered.append(order)
            names = {loc.name: order[id(loc.resolve())] for loc in proc.locations}
            pcs[proc.name] = (pid, names)
            resolved = sorted({id(loc.resolve()): loc.resolve()
                               for loc in proc.locations}.values(),
                              key=lambda loc: order[id(loc)])
            self.location_names.append([loc.name for loc in resolved])
            initial[pid] = order[id(proc._named["start"].resolve())]
        self.pcs = pcs
        self.view, _ = view_classes(f"{model.name}_global".replace(" ", "_"),
                                    global_fields, pcs, local_fields)
        self.infos: list[StepInfo] = []
        self.step_pid: list[int] = []            # the process each step belongs to
        self.tables: list[tuple[int, tuple, type, type]] = []
        ends, progress, accept = [], [], []
        for pid, proc in enumerate(procs):
            read, write = view_classes(_identifier(proc.name), proc_fields[pid], pcs,
                                       local_fields, {"pid": pid})
            order = numbered[pid]
            table: list[tuple] = [()] * len(self.location_names[pid])
            end_pcs, prog_pcs, acc_pcs = set(), set(), set()
            seen: set[int] = set()
            for loc in proc.locations:
                res = loc.resolve()
                pc = order[id(res)]
                if pc in seen:
                    continue
                seen.add(pc)
                if res.named and not res.placed and not res.steps:
                    raise ModelError(f"process {proc.name}: goto {res.name!r} but no "
                                     f"label {res.name!r}")
                if res.end or not res.steps:
                    end_pcs.add(pc)
                if res.progress:
                    prog_pcs.add(pc)
                if res.accept:
                    acc_pcs.add(pc)
                entries = []
                for spec in res.steps:
                    sid = len(self.infos)
                    self.infos.append(StepInfo(spec.label, spec.where, res.name))
                    self.step_pid.append(pid)
                    target = order[id(spec.target.resolve())]
                    entries.append((sid, spec.when, _action(spec, pid, sid), target))
                table[pc] = tuple(entries)
            self.tables.append((pid, tuple(table), read, write))
            ends.append((pid, frozenset(end_pcs)))
            if prog_pcs:
                progress.append((pid, frozenset(prog_pcs)))
            if acc_pcs:
                accept.append((pid, frozenset(acc_pcs)))
        self.initial = tuple(initial)
        self._build_predicates(ends, progress, accept)

    # -- predicates -------------------------------------------------------------------

    def _build_predicates(self, ends: list, progress: list, accept: list) -> None:
        ends_t = tuple(ends)
        self.valid_end = lambda st: all(st[i] in pcs for i, pcs in ends_t)
        if progress:
            prog_t = tuple(progress)
            self.progress = lambda st: any(st[i] in pcs for i, pcs in prog_t)
        if accept:
            acc_t = tuple(accept)
            self.accepting = lambda st: any(st[i] in pcs for i, pcs in acc_t)
        if self.model.invariants:
            invariants = tuple(self.model.invariants)
            view = self.view

            def invariant(st: State) -> str | None:
                v = view(st)
                for name, pred in invariants:
                    try:
                        ok = pred(v)
                    except Exception as exc:
                        raise ModelError(f"model {self.name}: invariant {name!r} raised "
                                         f"{type(exc).__name__}: {exc}") from exc
                    if not ok:
                        return f"invariant {name!r} violated"
                return None
            self.invariant = invariant

    # -- TransitionSystem -------------------------------------------------------------

    def initial_states(self) -> Sequence[State]:
        return [self.initial]

    def successors(self, state: State) -> list:
        out: list = []
        append = out.append
        for pid, table, read, write in self.tables:
            steps = table[state[pid]]
            if not steps:
                continue
            view = None
            for sid, when, action, target in steps:
                if when is not None:
                    if view is None:
                        view = read(state)
                    try:
                        if not when(view):
                            continue
                    except Exception as exc:
                        raise self._element_error("guard", sid, exc) from exc
                if action is None:
                    w = list(state)
                    w[pid] = target
                    append((pid, sid, tuple(w)))
                    continue
                w = write(state)
                w[pid] = target
                try:
                    jump = action(w)
                except AssertionViolation:
                    raise
                except AssertionError as exc:
                    raise AssertionViolation(pid, sid, str(exc) or f"assertion in "
                                             f"{self.infos[sid].label!r}") from None
                except Exception as exc:
                    raise self._element_error("action", sid, exc) from exc
                if jump is not None:
                    w[pid] = self._jump(pid, sid, jump)
                append((pid, sid, tuple(w)))
        return out

    def _jump(self, pid: int, sid: int, label: Any) -> int:
        names = self.pcs[self.model.processes[pid].name][1]
        if label not in names:
            info = self.infos[sid]
            raise ModelError(f"model {self.name}: action of step {info.label!r} of "
                             f"{self.model.processes[pid].name} ({info.location}) returned "
                             f"{label!r}, which is not a label of that process")
        return names[label]

    def _element_error(self, what: str, sid: int, exc: Exception) -> ModelError:
        info = self.infos[sid]
        pid = self.step_pid[sid]
        return ModelError(f"model {self.name}: the {what} of step {info.label!r} of "
                          f"{self.model.processes[pid].name} ({info.location}) raised "
                          f"{type(exc).__name__}: {exc}")

    def step_info(self, step: int) -> StepInfo:
        return self.infos[step]

    def process_name(self, state: State, pid: int) -> str:
        return self.model.processes[pid].name

    def variables(self, state: State) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (i, n) in self.global_fields.items():
            out[name] = state[i] if n is None else list(state[i:i + n])
        for (proc, name), (i, n) in self.local_fields.items():
            out[f"{proc}.{name}"] = state[i] if n is None else list(state[i:i + n])
        return out

    def location(self, state: State, pid: int) -> str:
        """The name of process ``pid``'s control location in ``state``."""
        return self.location_names[pid][state[pid]]

    def locations(self, state: State) -> dict[str, str]:
        return {p.name: self.location(state, pid)
                for pid, p in enumerate(self.model.processes)}


def _place(fields: dict, name: str, value: Any, index: int, initial: list) -> int:
    if isinstance(value, list):
        fields[name] = (index, len(value))
        initial.extend(value)
        return index + len(value)
    fields[name] = (index, None)
    initial.append(value)
    return index + 1


def _number_locations(proc: Process) -> dict[int, int]:
    """pc value of each resolved location, in the order the locations were written."""
    order: dict[int, int] = {}
    for loc in proc.locations:
        res = loc.resolve()
        if id(res) not in order:
            order[id(res)] = len(order)
    return order


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name)
    return text if text and not text[0].isdigit() else f"p_{text}"


def _action(spec: StepSpec, pid: int, sid: int) -> Any:
    if spec.assertion is None:
        return spec.action
    cond, action, label = spec.assertion, spec.action, spec.label

    def check(view: Any) -> Any:
        if not cond(view):
            raise AssertionViolation(pid, sid, f"assert {label}")
        return action(view) if action is not None else None
    return check

