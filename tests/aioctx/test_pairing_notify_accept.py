"""aio-notify-accept.pml paired with the scenarios of its three bugs: each bug's model
counterexample reproduces the failure on the code with the matching switch, both
variants of the code conform to their model variants, and a bug switched on without
the model's option is caught where the code leaves the model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aioctx.sim.scenarios import get

from aioctx import sim
from aioctx.pairing import Pair

MODEL = Path(__file__).resolve().parents[2] / "promela" / "models" / "aio-notify-accept.pml"
CLEARED = "aio-notifier-cleared-late"
SKIPS = "notified-skips-set"
BEFORE = "notified-before-event"
#: scenario -> (fixed model options, buggy model options), as aio-notify-accept.pair
VARIANTS = {CLEARED: ([], ["AIO_NOTIFIER_CLEARED_LATE"]),
            SKIPS: (["NOTES=3"], ["NOTIFIED_SKIPS_SET"]),
            BEFORE: (["STOP_IOTHREAD"], ["STOP_IOTHREAD", "NOTIFIED_BEFORE_EVENT"])}
SLOW = pytest.mark.skipif(not os.environ.get("AIOCTX_SLOW"),
                          reason="10-40 minutes each: set AIOCTX_SLOW=1")


def pair(scenario: str, buggy: bool, **options) -> Pair:
    return Pair(MODEL, scenario, VARIANTS[scenario][buggy], **options)


# ---------------------------------------------------------------- transfer

@pytest.mark.timeout(300)
@pytest.mark.parametrize("scenario", [CLEARED, SKIPS, BEFORE])
def test_each_bug_is_reproduced_in_at_most_20_executions(scenario):
    t = pair(scenario, True).transfer()
    assert t.reproduced and t.executions <= 20, t.summary()
    cx = t.counterexample
    assert cx.failure.kind == get(scenario).expect[0]
    assert len(t.aligned) == len(t.trail.order) > 0
    again = sim.replay(get(scenario).program(True), cx.schedule)
    assert again.failed and again.divergence is None
    order = [(op.thread, op.label) for op in t.trail.order]
    if scenario == CLEARED:
        # a poller's notifier handler drains the notifier the iothread still needed
        assert order[-1] == ("drainer", "aio_context_notifier_cb.test_and_clear")
        assert t.trail.order[-1].expects("ctx.notifier") == (1, 0)
    elif scenario == SKIPS:
        # the last notification reads notified = 1 and writes nothing
        assert order[-1] == ("worker", "aio_notify.load_notified")
        assert t.trail.order[-1].expects("ctx.notified")[0] == 1
    else:
        # notified is set before the event, and an accept in between clears nothing
        labels = [lab for who, lab in order if who in ("worker", "iothread")]
        i = labels.index("aio_notify.set_notified")
        assert labels[i + 1:i + 4] == ["aio_poll.notify_me_sub",
                                       "aio_notify_accept.xchg_notified",
                                       "aio_notify_accept.test_and_clear"]
        assert order[-2:] == [("main", "main.stop"), ("iothread", "iothread.load_stop")]


# ---------------------------------------------------------------- conformance

@pytest.mark.parametrize("buggy,executions", [(False, 217), (True, 215)])
def test_the_stopped_iothread_conforms_at_preemption_bound_1(buggy, executions):
    c = pair(BEFORE, buggy).conform(bound=1)
    assert c.holds, str(c)
    assert c.executions == executions


@pytest.mark.timeout(300)
def test_two_pollers_with_the_late_drain_conform_at_preemption_bound_1():
    c = pair(CLEARED, True).conform(bound=1)
    assert c.holds, str(c)
    assert c.executions == 2_831


@pytest.mark.parametrize("scenario,event", [
    (CLEARED, ("iothread", "aio_notify.load_notify_me")),     # it did not accept
    (SKIPS, ("worker", "aio_notify.load_notified")),
    (BEFORE, ("worker", "aio_notify.set_notified"))])
def test_a_bug_switched_on_without_the_models_option_is_caught(scenario, event):
    c = pair(scenario, False, code_buggy=True).conform(bound=1)
    assert not c.holds and c.executions == 1
    d = c.departure
    assert (d.event.thread, d.event.label) == event
    report = d.report()
    assert report.startswith("execution 1: labelled operation") and "<== not allowed" in report
    assert "the model allows next: " in report


@SLOW
@pytest.mark.timeout(7200)
@pytest.mark.parametrize("scenario", [CLEARED, SKIPS, BEFORE])
@pytest.mark.parametrize("buggy", [False, True])
def test_every_pair_conforms_at_preemption_bound_2(scenario, buggy):
    c = pair(scenario, buggy).conform(bound=2)
    assert c.holds, str(c)
