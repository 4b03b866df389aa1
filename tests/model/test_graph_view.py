"""State graphs that say something: each node names where every process is as well as
the variables, edges carry the statement, a large graph is drawn as its strongly
connected components (with their sizes) instead of a blur of dots, and graphs, models
and results show themselves in Jupyter."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from aioctx.model import Model, draw, state_graph
from aioctx.model.examples.classic import peterson
from aioctx.model.graph import COLLAPSE_ABOVE, condense, svg

from aioctx import promela
from aioctx.pictures import state_graph as picture

MODELS = Path(__file__).resolve().parents[2] / "promela" / "models"
AIOWAIT = str(MODELS / "aiowait-home-thread-no-waiter-count.pml")


def two_increments() -> Model:
    m = Model("two")
    m.var("x", 0)
    for name in ("A", "B"):
        m.process(name).step("inc", lambda s: setattr(s, "x", s.x + 1))
    return m


def test_nodes_name_each_process_location_and_edges_the_statement():
    result, system = promela.check(AIOWAIT, "safety")
    graph = state_graph(system)
    first = graph.nodes[0]
    assert set(first["where"]) == {"Waiter(0)", "Kicker(1)", "Wakeup(2)"}
    assert first["label"].startswith("Waiter(0) @ ")
    assert "num_waiters=" in first["label"]
    # the model's labelled statements are where the processes are
    places = {loc for _n, d in graph.nodes(data=True) for loc in d["where"].values()}
    assert "aio_poll__load_notified" in places and "AIO_WAIT_WHILE__inc_num_waiters" in places
    edge = graph.edges[next(iter(graph.edges))]
    assert edge["label"].startswith(edge["process"] + ": ")
    # the Python modelling API names its locations too
    model_graph = state_graph(peterson().system())
    assert all(set(d["where"]) == {"P0", "P1"} for _n, d in model_graph.nodes(data=True))


def test_condensing_keeps_every_state_and_marks_the_cycles():
    result, system = promela.check(AIOWAIT, "safety")
    graph = state_graph(system)
    assert graph.number_of_nodes() > COLLAPSE_ABOVE
    parts = condense(graph)
    assert sum(d["size"] for _n, d in parts.nodes(data=True)) == graph.number_of_nodes()
    assert parts.number_of_nodes() == nx.number_strongly_connected_components(graph)
    assert nx.is_directed_acyclic_graph(parts)
    cyclic = [d for _n, d in parts.nodes(data=True) if d["cyclic"]]
    assert cyclic and all(d["label"] == f"{d['size']} states" for d in cyclic
                          if d["size"] > 1)
    # grouped by where the processes are: the control-flow view, its places as labels
    places = condense(graph, by="where")
    assert sum(d["size"] for _n, d in places.nodes(data=True)) == graph.number_of_nodes()
    assert places.number_of_nodes() < graph.number_of_nodes() / 1.5
    group = next(d for _n, d in places.nodes(data=True) if d["size"] > 1)
    assert group["label"].startswith("Waiter(0) @ ")
    assert group["label"].endswith(f"{group['size']} states")
    assert parts.nodes[0]["initial"]
    assert sum(d["count"] for _a, _b, d in parts.edges(data=True)) <= graph.number_of_edges()


def test_a_large_graph_is_drawn_as_components_with_the_counterexample():
    result, system = promela.check(AIOWAIT, "safety",
                                   defines=["AIOWAIT_HOME_THREAD_NO_WAITER_COUNT"])
    fixed_result, fixed = promela.check(AIOWAIT, "safety")
    big = state_graph(fixed)
    # its components are as many as its states: it is drawn as its control-flow view
    ax = draw(big)
    drawn = len(ax.collections[-1].get_offsets())
    assert drawn == condense(big, by="where").number_of_nodes() < big.number_of_nodes()
    assert svg(big).lstrip().startswith("<?xml")
    # a small graph: every state and statement is written out
    small = state_graph(two_increments().system())
    assert small.number_of_nodes() <= 30
    text = small._repr_svg_()
    assert "A @ " in text and "x=2" in text and "B: inc" in text
    shown = picture(system, result.counterexample).svg()
    assert f"counterexample of {len(result.counterexample)} steps" in shown


def test_models_show_themselves_in_jupyter():
    page = peterson()._repr_html_()
    assert "<b>Model peterson</b>" in page and "<td><b>P0</b></td>" in page
    assert "<svg" in page
    big = Model("counter")
    big.var("x", 0)
    p = big.process("P")
    p.step("inc", lambda s: setattr(s, "x", s.x + 1), when=lambda s: s.x < 1000,
           goto="start")
    page = big._repr_html_()
    assert "no state graph drawn" in page and "<svg" not in page
