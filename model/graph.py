"""The reachable state graph as a networkx ``DiGraph``, and a drawing of it.

Nodes are integers in breadth-first order (0 is the first initial state) with attributes
``state``, ``depth``, ``where`` (each process's location: a statement label or the
statement it runs next, where the system says so), ``variables`` (one per line),
``label`` (``where`` then ``variables``, what a drawing shows), and flags ``initial``,
``deadlock``, ``accepting``, ``progress``, ``error`` (an assertion fails in a step out
of it).  Edges carry ``pid``, ``step``, ``process`` and ``label`` (process: statement).
``graph.graph["index"]`` maps a state to its node.  A size guard refuses graphs beyond
``max_states``: past a few thousand nodes a picture says nothing and the graph costs
memory the checkers do not need.

A drawing keeps its labels readable: up to ``LABELLED`` nodes every state and every
edge's statement is written out; a larger graph is drawn as its strongly connected
components (``condense``), each a node with its number of states, so that the cycles
that liveness is about stay visible, or, when that is still too many, grouped by where
the processes are (the control-flow view).  The graph shows itself in Jupyter (``_repr_svg_``).
"""

from __future__ import annotations

import io
from collections import deque
from typing import TYPE_CHECKING, Any

from .result import Counterexample, mover_name
from .system import AssertionViolation, TransitionSystem

if TYPE_CHECKING:       # networkx is imported on first use: it costs ~0.3 s at start-up
    import networkx as nx

#: graphs of at most this many nodes are drawn with every state's label
LABELLED = 30
#: graphs of more nodes are drawn as their strongly connected components
COLLAPSE_ABOVE = 60

_graph_class: Any = None


def _new_graph(name: str) -> nx.DiGraph:
    """An empty ``StateGraph``: a networkx ``DiGraph`` that draws itself in Jupyter."""
    global _graph_class
    if _graph_class is None:
        import networkx as nx

        class StateGraph(nx.DiGraph):
            """A reachable state graph (``state_graph``); Jupyter shows its drawing."""

            def _repr_svg_(self) -> str:
                return svg(self)

        _graph_class = StateGraph
    return _graph_class(name=name)


def state_graph(system: TransitionSystem, *, max_states: int = 5000) -> nx.DiGraph:
    """Explore ``system`` breadth-first into a ``DiGraph`` (at most ``max_states`` nodes)."""
    graph = _new_graph(system.name)
    index: dict[Any, int] = {}
    queue: deque = deque()

    def add(state: Any, depth: int, initial: bool) -> int:
        if len(index) >= max_states:
            raise ValueError(f"{system.name}: the state graph has more than {max_states} "
                             "states; pass a larger max_states, or use check() instead")
        node = index[state] = len(index)
        names = system.variables(state)
        where = system.locations(state)
        variables = "\n".join(f"{k}={v}" for k, v in names.items())
        graph.add_node(node, state=state, depth=depth, initial=initial, where=where,
                       variables=variables,
                       label="\n".join([f"{p} @ {loc}" for p, loc in where.items()]
                                       + [variables]),
                       accepting=bool(system.accepting and system.accepting(state)),
                       progress=bool(system.progress and system.progress(state)),
                       deadlock=False, error="")
        queue.append(state)
        return node

    for s in system.initial_states():
        if s not in index:
            add(s, 0, True)
    while queue:
        s = queue.popleft()
        node = index[s]
        try:
            moves = list(system.successors(s))
        except AssertionViolation as exc:
            graph.nodes[node]["error"] = exc.message
            continue
        graph.nodes[node]["deadlock"] = not moves
        for pid, step, t in moves:
            target = index.get(t)
            if target is None:
                target = add(t, graph.nodes[node]["depth"] + 1, False)
            info = system.step_info(step)
            process = mover_name(system, s, pid)
            graph.add_edge(node, target, pid=pid, step=step, process=process,
                           label=f"{process}: {info.label}")
    graph.graph["index"] = index
    return graph


def path_nodes(graph: nx.DiGraph, counterexample: Counterexample) -> list[int]:
    """The nodes a counterexample visits, in order (states missing from ``graph`` are
    skipped, e.g. when it was built for another system)."""
    index = graph.graph.get("index", {})
    return [index[s] for s in counterexample.states if s in index]


def condense(graph: nx.DiGraph, by: str = "scc") -> nx.DiGraph:
    """``graph`` with its states grouped, one node per group: ``by="scc"``, its strongly
    connected components (the quotient is acyclic: the cycles liveness is about are the
    groups marked ``cyclic``); ``by="where"``, the states where every process is at the
    same place (the control-flow view of a model, values folded away).

    Groups are numbered in the order of their first state.  Attributes: ``members``
    (the states' nodes), ``size``, ``depth`` (the least), the flags of ``state_graph``
    (true if any member's is), ``cyclic`` (an edge inside the group) and ``label`` (a
    single state's own; else the places, for ``where``, and the count).  Edges carry
    ``count``, the transitions from one group to the other.  ``graph["owner"]`` maps
    each state's node to its group."""
    import networkx as nx

    if by == "scc":
        groups = [sorted(c) for c in nx.strongly_connected_components(graph)]
    elif by == "where":
        keyed: dict[tuple, list[int]] = {}
        for n, d in graph.nodes(data=True):
            keyed.setdefault(tuple(d.get("where", {}).items()), []).append(n)
        groups = list(keyed.values())
    else:
        raise ValueError(f"condense by {by!r}: 'scc' or 'where'")
    groups.sort(key=lambda members: members[0])
    owner = {n: i for i, members in enumerate(groups) for n in members}
    out = nx.DiGraph(name=graph.graph.get("name", ""), owner=owner)
    for i, members in enumerate(groups):
        data = [graph.nodes[n] for n in members]
        if len(members) == 1:
            label = data[0]["label"]
        else:
            places = [f"{p} @ {loc}" for p, loc in data[0].get("where", {}).items()]
            label = "\n".join((places if by == "where" else [])
                              + [f"{len(members)} states"])
        out.add_node(i, members=members, size=len(members), label=label, cyclic=False,
                     depth=min(d["depth"] for d in data),
                     **{flag: any(d[flag] for d in data) for flag in
                        ("initial", "deadlock", "accepting", "progress")},
                     error=next((d["error"] for d in data if d["error"]), ""))
    for a, b in graph.edges:
        ga, gb = owner[a], owner[b]
        if ga == gb:
            out.nodes[ga]["cyclic"] = True
        elif out.has_edge(ga, gb):
            out.edges[ga, gb]["count"] += 1
        else:
            out.add_edge(ga, gb, count=1)
    return out


def _shown(graph: nx.DiGraph, collapse: bool | None) -> nx.DiGraph:
    """What a drawing shows: the graph itself, or its components, or (when these are
    still too many and the states say where each process is) its control-flow view."""
    if collapse is False or (collapse is None and graph.number_of_nodes() <= COLLAPSE_ABOVE):
        return graph
    shown = condense(graph)
    if shown.number_of_nodes() > COLLAPSE_ABOVE and any(
            d.get("where") for _n, d in graph.nodes(data=True)):
        shown = condense(graph, by="where")
    return shown


def draw(graph: nx.DiGraph, *, counterexample: Counterexample | None = None,
         ax: Any = None, labels: bool | None = None, max_nodes: int = 300,
         collapse: bool | None = None) -> Any:
    """Draw ``graph`` layered by BFS depth; highlight ``counterexample``'s path.

    Returns the matplotlib ``Axes``.  Node labels (where each process is, then the
    variables) and edge labels (the statements) are shown for graphs of at most
    ``LABELLED`` nodes unless ``labels`` says otherwise.  A graph of more than
    ``COLLAPSE_ABOVE`` nodes (or any, with ``collapse``) is drawn as its strongly
    connected components, sized by their number of states, or, if these are still more
    than ``COLLAPSE_ABOVE``, as the places the processes are at (``condense``).
    """
    path = path_nodes(graph, counterexample) if counterexample is not None else []
    shown = _shown(graph, collapse)
    collapsed = shown is not graph
    if collapsed:
        owner = shown.graph["owner"]
        path = [owner[n] for i, n in enumerate(path)
                if i == 0 or owner[n] != owner[path[i - 1]]]
    if shown.number_of_nodes() > max_nodes:
        raise ValueError(f"{shown.number_of_nodes()} nodes are too many to draw "
                         f"(max_nodes={max_nodes})")
    if ax is None:
        import matplotlib.pyplot as plt

        size = min(16, 4 + shown.number_of_nodes() ** 0.5)
        _, ax = plt.subplots(figsize=(size, size * 0.75))
    _draw_on(ax, shown, path, collapsed, labels)
    ax.set_title(graph.graph.get("name", ""))
    ax.set_axis_off()
    return ax


def _draw_on(ax: Any, shown: nx.DiGraph, path: list[int], collapsed: bool,
             labels: bool | None) -> None:
    import networkx as nx

    pos = nx.multipartite_layout(shown, subset_key="depth", align="horizontal")
    pos = {n: (x, -y) for n, (x, y) in pos.items()}
    on_path = set(path)
    path_edges = {(a, b) for a, b in zip(path[:-1], path[1:], strict=True)
                  if shown.has_edge(a, b)}
    colors = []
    for n, data in shown.nodes(data=True):
        if data["error"] or (path and n == path[-1]):
            colors.append("#d62728")
        elif n in on_path:
            colors.append("#ff9f40")
        elif data["initial"]:
            colors.append("#2ca02c")
        elif data["deadlock"]:
            colors.append("#7f7f7f")
        else:
            colors.append("#c6dbef")
    sizes = ([120 + 40 * min(d["size"], 50) for _n, d in shown.nodes(data=True)]
             if collapsed else 120)
    edge_colors = ["#d62728" if e in path_edges else "#bbbbbb" for e in shown.edges]
    widths = [2.5 if e in path_edges else 0.8 for e in shown.edges]
    nx.draw_networkx_edges(shown, pos, ax=ax, edge_color=edge_colors, width=widths,
                           arrowsize=8, node_size=sizes)
    small = shown.number_of_nodes() <= LABELLED
    if labels if labels is not None else small:
        nx.draw_networkx_labels(shown, pos, ax=ax, font_size=6,
                                labels=nx.get_node_attributes(shown, "label"))
        if not collapsed:
            nx.draw_networkx_edge_labels(
                shown, pos, ax=ax, font_size=5, rotate=False,
                edge_labels={e: shown.edges[e]["label"] for e in shown.edges})
    elif collapsed:
        nx.draw_networkx_labels(shown, pos, ax=ax, font_size=6, labels={
            n: str(d["size"]) for n, d in shown.nodes(data=True) if d["size"] > 1})
    nx.draw_networkx_nodes(shown, pos, ax=ax, node_color=colors, node_size=sizes,
                           edgecolors=["#000000" if d.get("cyclic") else "none"
                                       for _n, d in shown.nodes(data=True)])


def svg(graph: nx.DiGraph, counterexample: Counterexample | None = None) -> str:
    """The drawing of ``graph`` as SVG text (on a figure of its own: no pyplot state)."""
    import matplotlib
    from matplotlib.figure import Figure

    size = min(16.0, 5 + _shown(graph, None).number_of_nodes() ** 0.5)
    fig = Figure(figsize=(size, size * 0.75))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.94))
    draw(graph, counterexample=counterexample, ax=ax)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()
