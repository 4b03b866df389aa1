"""The barrier audit (``sim.barriers``, ``aioctx barriers``): dropping a barrier the
historical fix added makes the fixed scenario fail under the catalogue's model, and a
barrier that orders nothing the scenario depends on is reported as not needed."""

from __future__ import annotations

import pytest
from aioctx.impl import sync
from aioctx.sim import barriers
from aioctx.sim.scenarios import CATALOGUE, get

from aioctx import sim
from aioctx.cli import main


def verdicts(slug: str, labels: list[str], bound: int = 1) -> dict[str, barriers.Finding]:
    sc = get(slug)
    program = sc.program(False)
    found = {b.label: b for b in barriers.barriers_executed(program, sc.max_steps)}
    assert set(labels) <= set(found), sorted(found)
    got = barriers.audit(program, [found[label] for label in labels],
                         max_steps=sc.max_steps, bound=bound, pct_runs=500)
    return {f.barrier.label: f for f in got}


@pytest.mark.timeout(300)
def test_the_aio_wait_kick_barriers_are_needed_kicker_tso_waiter_arm() -> None:
    got = verdicts("aio-wait-kick-missing-barrier",
                   ["aio_wait_kick.mb", "AIO_WAIT_WHILE.mb_after_rmw"], bound=2)
    kick, wait = got["aio_wait_kick.mb"], got["AIO_WAIT_WHILE.mb_after_rmw"]
    assert kick.verdict == barriers.NEEDED_TSO, kick.evidence()
    assert kick.result.counterexample.failure.kind == "lost-wakeup"
    assert wait.verdict == barriers.NEEDED_ARM, wait.evidence()
    assert [m for m, _ in wait.searched] == ["arm"]       # a no-op on x86: not searched


@pytest.mark.timeout(300)
def test_the_graph_readers_barrier_is_needed_under_tso() -> None:
    got = verdicts("graph-rdlock-no-barrier", ["bdrv_graph_co_rdlock.mb"], bound=2)
    finding = got["bdrv_graph_co_rdlock.mb"]
    assert finding.verdict == barriers.NEEDED_TSO, finding.evidence()
    assert "both inside" in finding.result.counterexample.failure.message


@pytest.mark.timeout(300)
def test_both_halves_of_the_notify_me_pair_are_needed_under_tso() -> None:
    """aio_notify: store notified, smp_mb, load notify_me; aio_poll: store notify_me,
    smp_mb, load notified ("pairs with" each other): without either barrier the
    notifier reads notify_me == 0 while the poller reads notified == false."""
    got = verdicts("aio-wait-kick-missing-barrier",
                   ["aio_notify.mb", "aio_poll.notify_me_mb"])
    for label, finding in got.items():
        assert finding.verdict == barriers.NEEDED_TSO, (label, finding.evidence())
        trace = finding.result.counterexample.trace
        stale = [s for s in trace if s.label in ("aio_notify.load_notify_me",
                                                 "aio_poll.load_notified")
                 and s.note.startswith("stale:")]
        assert stale, label


def sb_with_one_spare_fence() -> None:
    """SB with full barriers on both sides, and a spare smp_wmb that orders nothing
    the outcome depends on."""
    x, y, z = (sync.Atomic(0, name=n) for n in "xyz")
    got: list[int] = []

    def left() -> None:
        x.store(1)
        sync.smp_mb("left.mb")
        got.append(y.load())

    def right() -> None:
        z.store(1)
        sync.smp_wmb("right.spare_wmb")
        y.store(1)
        sync.smp_mb("right.mb")
        got.append(x.load())

    a, b = sync.Thread(left, name="left"), sync.Thread(right, name="right")
    a.start(), b.start()
    a.join(), b.join()
    assert got != [0, 0], "store buffering"


def test_an_audit_tells_needed_from_spare_barriers_exhaustively() -> None:
    found = barriers.barriers_executed(sb_with_one_spare_fence, 1_000)
    assert sorted((b.label, b.kind) for b in found) == [
        ("left.mb", "smp_mb"), ("right.mb", "smp_mb"), ("right.spare_wmb", "smp_wmb")]
    got = {f.barrier.label: f for f in barriers.audit(sb_with_one_spare_fence, found,
                                                      max_steps=1_000, bound=4)}
    assert got["left.mb"].verdict == got["right.mb"].verdict == barriers.NEEDED_TSO
    spare = got["right.spare_wmb"]
    assert spare.verdict == barriers.NOT_NEEDED
    assert [m for m, _ in spare.searched] == ["arm"]
    assert spare.searched[0][1].exhaustive


def test_a_dropped_fence_is_gone_and_others_stay() -> None:
    kept = sim.explore(sb_with_one_spare_fence, sim.DFS(None), memory_model="tso",
                       drop_fences=frozenset({"right.spare_wmb"}))
    assert not kept.failed and kept.exhaustive
    dropped = sim.explore(sb_with_one_spare_fence, sim.DFS(None), memory_model="tso",
                          drop_fences=frozenset({"left.mb"}))
    assert dropped.failed
    assert not any(s.label == "left.mb" for s in dropped.counterexample.trace)


def test_barriers_command_reports_and_refuses_an_unknown_label(capsys) -> None:
    code = main(["barriers", "qemuevent-reset-rmw-no-fence", "--runs", "200"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "needed under arm only" in out and "qemu_event_reset.mb_after_rmw" in out
    code = main(["barriers", "qemuevent-reset-rmw-no-fence", "--label", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and "--label nope: qemuevent-reset-rmw-no-fence does not execute it" in err


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("slug", "label", "model"), [
    (slug, label, model) for slug, sc in CATALOGUE.items()
    for label, model in sc.needed_barriers])
def test_regress_barrier_rows_pass(slug: str, label: str, model: str) -> None:
    """Each barrier a scenario says its fix added is reported needed under that model
    by the regress row that checks it."""
    from aioctx import regress

    check, = regress.plan(only=[f"{slug}/fixed/drop {label}"])
    row = regress.run_check(check, None)
    assert row.status == regress.PASS, row.got
    assert row.got.startswith(f"needed under {model}")
