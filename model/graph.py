"""The reachable state graph as a networkx ``DiGraph``, and a drawing of small ones.

Nodes are integers in breadth-first order (0 is the first initial state) with attributes
``state``, ``depth``, ``label`` (the variables, one per line), and flags ``initial``,
``deadlock``, ``accepting``, ``progress``, ``error`` (an assertion fails in a step out of
it).  Edges carry ``pid``, ``step``, ``process`` and ``label``.  ``graph.graph["index"]``
maps a state to its node.  A size guard refuses graphs beyond ``max_states``: past a
few thousand nodes a picture says nothing and the graph costs memory the checkers do not
need.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from .result import Counterexample, mover_name
from .system import AssertionViolation, TransitionSystem

if TYPE_CHECKING:       # networkx is imported on first use: it costs ~0.3 s at start-up
    import networkx as nx


def state_graph(system: TransitionSystem, *, max_states: int = 5000) -> nx.DiGraph:
    """Explore ``system`` breadth-first into a ``DiGraph`` (at most ``max_states`` nodes)."""
    import networkx as nx

    graph = nx.DiGraph(name=system.name)
    index: dict[Any, int] = {}
    queue: deque = deque()

    def add(state: Any, depth: int, initial: bool) -> int:
        if len(index) >= max_states:
            raise ValueError(f"{system.name}: the state graph has more than {max_states} "
                             "states; pass a larger max_states, or use check() instead")
        node = index[state] = len(index)
        names = system.variables(state)
        graph.add_node(node, state=state, depth=depth, initial=initial,
                       label="\n".join(f"{k}={v}" for k, v in names.items()),
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


def draw(graph: nx.DiGraph, *, counterexample: Counterexample | None = None,
         ax: Any = None, labels: bool | None = None, max_nodes: int = 300) -> Any:
    """Draw ``graph`` layered by BFS depth; highlight ``counterexample``'s path.

    Returns the matplotlib ``Axes``.  Node labels (the variables) are shown for graphs
    of at most 30 nodes unless ``labels`` says otherwise.
    """
    import matplotlib.pyplot as plt

    if graph.number_of_nodes() > max_nodes:
        raise ValueError(f"{graph.number_of_nodes()} nodes are too many to draw "
                         f"(max_nodes={max_nodes})")
    if ax is None:
        size = min(16, 4 + graph.number_of_nodes() ** 0.5)
        _, ax = plt.subplots(figsize=(size, size * 0.75))
    import networkx as nx

    pos = nx.multipartite_layout(graph, subset_key="depth", align="horizontal")
    pos = {n: (x, -y) for n, (x, y) in pos.items()}
    path = path_nodes(graph, counterexample) if counterexample is not None else []
    on_path = set(path)
    path_edges = {(a, b) for a, b in zip(path[:-1], path[1:], strict=True)
                  if graph.has_edge(a, b)}
    colors = []
    for n, data in graph.nodes(data=True):
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
    edge_colors = ["#d62728" if e in path_edges else "#bbbbbb" for e in graph.edges]
    widths = [2.5 if e in path_edges else 0.8 for e in graph.edges]
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=edge_colors, width=widths,
                           arrowsize=8, node_size=120)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colors, node_size=120)
    if labels if labels is not None else graph.number_of_nodes() <= 30:
        nx.draw_networkx_labels(graph, pos, ax=ax, font_size=6,
                                labels=nx.get_node_attributes(graph, "label"))
    ax.set_title(graph.graph.get("name", ""))
    ax.set_axis_off()
    return ax
