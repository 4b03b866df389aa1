"""The modelling API, bad models, budgets, progress, results and the state graph."""

from __future__ import annotations

import io

import matplotlib
import pytest
from aioctx.model import Claim, Model, ModelError, check, draw, state_graph
from aioctx.model.examples.classic import peterson, philosophers

matplotlib.use("Agg")


def counter(limit: int = 3) -> Model:
    """One process counting to ``limit``, then stopping: limit + 1 states in a line."""
    m = Model("counter")
    m.var("n", 0)
    p = m.process("P")
    p.label("loop", end=True)
    p.step("n++", lambda s: s.set(n=s.n + 1), when=lambda s: s.n < limit, goto="loop")
    return m


# -- writing models ------------------------------------------------------------------

def test_the_handshake_of_the_builder_docstring():
    m = Model("handshake")
    m.var("flag", 0)
    w = m.process("waiter")
    w.label("idle", end=True)
    w.wait("flag == 1", lambda s: s.flag == 1)
    w.step("flag = 0", lambda s: s.set(flag=0), goto="idle")
    n = m.process("notifier")
    n.step("flag = 1", lambda s: s.set(flag=1))
    result = m.check()
    # (idle, start, 0) -notifier-> (idle, end, 1) -waiter-> (idle+1, end, 1)
    # -waiter-> (idle, end, 0), where the waiter may rest and the notifier has ended
    assert result.ok and (result.states, result.transitions) == (4, 3)


def test_steps_fall_through_jump_and_choose():
    m = Model("choices")
    m.vars(x=0, path=())
    p = m.process("P", seen=0)
    p.label("top", end=True)
    p.step("x = 1", lambda s: s.set(x=1, path=s.path + ("a",)), goto="join")
    p.at("top")

    @p.step("x = 2")
    def two(s):
        s.x = 2
        s.path += ("b",)

    p.label("join")
    p.step("seen = x", lambda s: s.set(seen=s.x))
    graph = m.graph()
    finals = [d["state"] for n, d in graph.nodes(data=True) if d["deadlock"]]
    assert sorted(m.view(s).path for s in finals) == [("a",), ("b",)]
    assert sorted(m.view(s).local("P", "seen") for s in finals) == [1, 2]
    assert all(m.view(s).at("P", "join+1") for s in finals)
    assert all(m.system().location(s, 0) == "join+1" for s in finals)
    assert m.check().ok          # the end of a process is a valid end state


def test_an_action_may_return_the_next_label():
    m = Model("jump")
    m.var("x", 0)
    p = m.process("P")
    p.label("top", end=True)
    p.step("x++ and decide", lambda s: (s.set(x=s.x + 1), "top" if s.x < 2 else "done")[1])
    p.label("done", end=True)
    p.wait("never", lambda s: False)
    graph = m.graph()
    assert graph.number_of_nodes() == 3
    assert [m.view(d["state"]).x for _, d in graph.nodes(data=True)] == [0, 1, 2]


def test_assert_in_an_action_is_an_assertion_violation():
    m = Model("asserting")
    m.var("x", 0)
    p = m.process("P")

    @p.step("x = 5; assert x < 3")
    def bad(s):
        s.x = 5
        assert s.x < 3, "x is too big"

    result = m.check()
    assert result.violated and result.kind == "assertion"
    assert result.message.startswith("x is too big")   # pytest adds its explanation
    assert result.counterexample.steps[-1].label == "x = 5; assert x < 3"


def test_arrays_and_locals_in_variables_and_views():
    m = peterson()
    system = m.system()
    names = system.variables(system.initial_states()[0])
    assert names == {"flag": [0, 0], "turn": 0, "critical": 0}
    m2 = Model("locals")
    m2.var("g", [1, 2, 3])
    m2.process("A", mine=7).step("g[1] = mine", lambda s: s.g.__setitem__(1, s.mine))
    state = m2.system().successors(m2.system().initial_states()[0])[0][2]
    v = m2.view(state)
    assert v.g == (1, 7, 3) and v.local("A", "mine") == 7


def test_the_model_is_recompiled_after_a_change():
    m = counter(2)
    assert m.check().states == 3
    m.var("extra", 0)
    assert "extra" in m.system().variables(m.system().initial_states()[0])


def test_claims_registered_by_name():
    m = counter(3)
    m.never("reaches 3", Claim.eventually(lambda s: s.n == 3))
    assert m.check(claim="reaches 3").kind == "claim"
    handmade = Claim("three").edge("a", "a").edge("a", "accept_b", when=lambda s: s.n == 3)
    handmade.edge("accept_b", "accept_b")
    assert handmade.accepting == [False, True]
    result = m.check("acceptance", claim=handmade)
    assert result.violated       # n reaches 3, then the process is stuck: stutter
    assert "a -> accept_b if its condition" in str(result.counterexample)
    with pytest.raises(ModelError, match="no never claim 'nope'"):
        m.check(claim="nope")


# -- bad models ----------------------------------------------------------------------

def test_unhashable_state_names_the_step():
    m = Model("bad")
    m.var("box", 0)
    m.process("P").step("box = []", lambda s: s.set(box=[]))
    for search in ("bfs", "dfs"):
        with pytest.raises(ModelError, match=r"step 'box = \[\]' of P .* unhashable"):
            m.check(search=search)
    with pytest.raises(ModelError, match="unhashable"):
        m.check("acceptance")


def test_raising_guard_action_and_predicates_name_the_element():
    m = Model("raising")
    m.var("x", 0)
    p = m.process("worker")
    p.step("divide", when=lambda s: 1 / s.x)
    with pytest.raises(ModelError, match="guard of step 'divide' of worker .*ZeroDivision"):
        m.check()

    m = Model("raising")
    m.var("x", 0)
    m.process("worker").step("lookup", lambda s: {}["key"])
    with pytest.raises(ModelError, match="action of step 'lookup' of worker .*KeyError"):
        m.check()

    m = counter()
    m.invariant("typo", lambda s: s.nn == 0)
    with pytest.raises(ModelError, match="invariant 'typo' raised AttributeError"):
        m.check()

    m = counter()
    claim = Claim.eventually(lambda s: s.missing, "broken")
    with pytest.raises(ModelError, match="never claim 'broken'.*AttributeError"):
        m.check(claim=claim)


def test_structural_mistakes_are_reported():
    m = Model("structure")
    p = m.process("P")
    p.step("a", goto="nowhere")
    with pytest.raises(ModelError, match="goto 'nowhere' but no label 'nowhere'"):
        m.check()
    with pytest.raises(ModelError, match="step 'b' of P cannot be reached"):
        p.step("b")
    with pytest.raises(ModelError, match="invalid variable name"):
        m.var("at", 0)
    with pytest.raises(ModelError, match="declared twice"):
        m.var("y", 0).var("y", 1)
    with pytest.raises(ModelError, match="two processes named 'P'"):
        m.process("P")
    q = m.process("Q")
    q.label("x")
    q.step("s")
    with pytest.raises(ModelError, match="label 'x' is defined twice"):
        q.label("x")
    r = Model("jump").process("R")
    r.model.var("v", 0)
    r.step("go", lambda s: "elsewhere")
    with pytest.raises(ModelError, match="returned 'elsewhere'"):
        r.model.check()
    with pytest.raises(ModelError, match="has no processes"):
        Model("empty").check()


def test_local_hiding_a_global_is_rejected():
    m = Model("hide")
    m.var("x", 0)
    m.process("P", x=1).step("noop")
    with pytest.raises(ModelError, match="local 'x' hides a global"):
        m.check()


# -- budgets and progress ------------------------------------------------------------

def test_state_budget_makes_the_search_incomplete():
    for search in ("bfs", "dfs"):
        result = counter(100).check(search=search, max_states=10)
        assert result.verdict == "incomplete" and result.limit == "states"
        assert not result.ok and result.states <= 10
        assert "INCOMPLETE (states budget reached)" in result.summary()
    result = counter(100).check("acceptance", max_states=10)
    assert result.verdict == "incomplete" and result.limit == "states"


def test_depth_bound_makes_the_search_incomplete():
    for search in ("bfs", "dfs"):
        result = counter(100).check(search=search, max_depth=5)
        assert result.verdict == "incomplete" and result.limit == "depth"
        assert result.max_depth <= 5
    # a bound the search never reaches leaves it complete
    assert counter(3).check(max_depth=3).ok
    assert counter(3).check(search="bfs", max_depth=3).ok


def test_time_budget_makes_the_search_incomplete():
    big = philosophers(9, ordered=True)
    for mode in ("safety", "acceptance"):
        result = big.check(mode, time_limit=0)
        assert result.verdict == "incomplete" and result.limit == "time"


def test_a_violation_found_within_budget_is_reported():
    result = peterson("turn-first").check(search="bfs", max_states=10_000)
    assert result.violated


def test_progress_bar_only_when_asked_or_on_a_terminal(monkeypatch):
    import aioctx.model.monitor as monitor
    clock = iter(range(0, 10_000))
    monkeypatch.setattr(monitor.time, "perf_counter", lambda: float(next(clock)))
    stream = io.StringIO()
    check(philosophers(10, ordered=True).system(), progress=True, progress_stream=stream)
    assert "states" in stream.getvalue() and "/s" in stream.getvalue()
    quiet = io.StringIO()                 # StringIO is not a terminal: silent
    check(philosophers(6, ordered=True).system(), progress_stream=quiet)
    assert quiet.getvalue() == ""


# -- results and graphs --------------------------------------------------------------

def test_result_text_and_html():
    result = peterson("turn-first").check(search="bfs")
    text = str(result)
    assert "VIOLATION (assertion)" in text and "critical++" in text
    assert "turn: 0 -> 1" in text
    html = result._repr_html_()
    assert "<table>" in html and "critical++" in html
    assert result.seconds >= 0 and result.peak_memory >= 0 and result.rate >= 0
    live = peterson(progress_cs=1).check("non-progress")
    assert "cycle: the steps below repeat forever" in str(live.counterexample)
    assert "repeats forever" in live.counterexample._repr_html_()


def test_results_as_json():
    import json
    result = peterson(progress_cs=1).check("non-progress")
    data = json.loads(json.dumps(result.as_dict()))
    assert data["verdict"] == "violation" and data["kind"] == "non-progress cycle"
    assert data["counterexample"]["liveness"] and data["counterexample"]["cycle"]
    assert data["counterexample"]["initial"]["flag"] == [0, 0]
    assert json.loads(json.dumps(peterson().check().as_dict()))["counterexample"] is None


def test_state_graph_and_its_guard():
    graph = state_graph(peterson().system())
    assert graph.number_of_nodes() == 38 and graph.number_of_edges() == 64
    assert graph.nodes[0]["initial"] and graph.nodes[0]["depth"] == 0
    edge = next(iter(graph.edges(data=True)))[2]
    assert edge["process"] in ("P0", "P1") and ":" in edge["label"]
    with pytest.raises(ValueError, match="more than 10 states"):
        state_graph(peterson().system(), max_states=10)
    broken = state_graph(peterson("turn-first").system())
    assert any(d["error"] for _, d in broken.nodes(data=True))


def test_draw_highlights_a_counterexample():
    model = philosophers(3)
    result = model.check(search="bfs")
    graph = model.graph()
    ax = draw(graph, counterexample=result.counterexample)
    assert ax.get_title() == graph.graph["name"]
    colors = ax.collections[-1].get_facecolors() if ax.collections else []
    assert len(colors) == graph.number_of_nodes()
    with pytest.raises(ValueError, match="too many to draw"):
        draw(graph, max_nodes=5)
