"""impl.sync: the real primitives work, and a backend substitutes them at construction."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest
from aioctx.impl import sync
from aioctx.impl.qemu_event import QemuEvent

# --------------------------------------------------------------------------- real mode


def test_atomic_operations_return_the_previous_value() -> None:
    a = sync.Atomic(5, name="a")
    assert a.load() == 5
    a.store(7, sync.RELEASE)
    assert a.load(sync.ACQUIRE) == 7
    assert a.xchg(1) == 7 and a.load() == 1
    assert a.cmpxchg(1, 9) == 1 and a.load() == 9
    assert a.cmpxchg(1, 3) == 9 and a.load() == 9      # failed compare leaves it alone
    assert a.fetch_add(2) == 9 and a.load() == 11
    assert a.fetch_sub(1) == 11 and a.load() == 10
    assert a.fetch_or(0b101) == 10 and a.load() == 15
    assert a.fetch_and(0b1100) == 15 and a.load() == 12


def test_atomic_rmw_is_atomic_across_threads() -> None:
    counter = sync.Atomic(0)
    per_thread = 20_000

    def bump() -> None:
        for _ in range(per_thread):
            counter.fetch_add(1)

    old_interval = __import__("sys").getswitchinterval()
    __import__("sys").setswitchinterval(1e-6)          # switch threads as often as possible
    try:
        threads = [sync.Thread(bump, name=f"bump{i}") for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        __import__("sys").setswitchinterval(old_interval)
    assert counter.load() == 4 * per_thread


def test_cond_timedwait_times_out_and_is_signalled() -> None:
    m, c = sync.Mutex(), sync.Cond()
    m.lock()
    t0 = time.monotonic()
    assert c.timedwait(m, 20_000_000) is False
    assert time.monotonic() - t0 >= 0.015
    m.unlock()

    ready = []

    def waiter() -> None:
        with m:
            while not ready:
                c.wait(m)

    t = sync.Thread(waiter)
    t.start()
    time.sleep(0.02)
    with m:
        ready.append(1)
    c.signal()                                         # without the mutex, as QEMU allows
    t.join()
    assert not t.is_alive()


def test_recmutex_is_recursive_and_mutex_is_not() -> None:
    r = sync.RecMutex()
    r.lock()
    r.lock()
    r.unlock()
    r.unlock()
    m = sync.Mutex()
    m.lock()
    assert m.trylock() is False
    m.unlock()
    assert m.trylock() is True


def test_qemu_event_blocks_until_set_and_reset_rearms() -> None:
    ev = QemuEvent()
    woke = threading.Event()

    def waiter() -> None:
        ev.wait()
        woke.set()

    t = sync.Thread(waiter)
    t.start()
    assert not woke.wait(0.05)
    ev.set()
    assert woke.wait(5)
    t.join()
    ev.wait()                                          # still set: returns at once
    ev.reset()
    assert ev.value.load() == QemuEvent.FREE


def test_qemu_event_reset_bug_switch_drops_exactly_the_barrier() -> None:
    fences: list[str | None] = []

    class FenceRecorder:
        classes: dict[type, type] = {}

        def fence(self, kind: str, label: str | None) -> None:
            fences.append(label)

        def cpu_relax(self, label: str | None) -> None:
            pass

        def thread_locals(self) -> dict[Any, Any]:
            return {}

        def global_state(self) -> dict[str, Any]:
            return {}

    with sync.using_backend(FenceRecorder()):
        QemuEvent().reset()
        fixed = list(fences)
        fences.clear()
        QemuEvent(bugs=["qemuevent-reset-rmw-no-fence"]).reset()
        buggy = list(fences)
    assert fixed == ["qemu_event_reset.mb_after_rmw"]
    assert buggy == []


def test_event_notifier_is_level_triggered() -> None:
    e = sync.EventNotifier()
    p = sync.Poller()
    fds = [(e.get_fd(), sync.POLLIN)]
    assert p.poll(fds, 0) == [0]
    assert e.set() == 0
    assert e.set() == 0
    assert p.poll(fds, 0)[0] & sync.POLLIN
    assert p.poll(fds, 0)[0] & sync.POLLIN             # still readable: level-triggered
    assert e.test_and_clear() is True
    assert e.test_and_clear() is False
    assert p.poll(fds, 0) == [0]
    e.cleanup()
    assert e.set() == -1


def test_poller_waits_for_the_timeout_and_wakes_on_a_pipe() -> None:
    r, w = os.pipe()
    try:
        p = sync.Poller()
        t0 = time.monotonic()
        assert p.poll([(r, sync.POLLIN)], 30_000_000) == [0]
        assert time.monotonic() - t0 >= 0.025
        threading.Timer(0.02, lambda: os.write(w, b"x")).start()
        assert p.poll([(r, sync.POLLIN)], -1)[0] & sync.POLLIN
    finally:
        os.close(r)
        os.close(w)


def test_thread_local_is_per_thread() -> None:
    tl = sync.ThreadLocal()
    tl.set("main")
    seen = []
    t = sync.Thread(lambda: (seen.append(tl.get("unset")), tl.set("other")))
    t.start()
    t.join()
    assert seen == ["unset"] and tl.get() == "main"


def test_global_state_is_built_once() -> None:
    made = []
    a = sync.global_state("test.singleton", lambda: made.append(1) or object())
    b = sync.global_state("test.singleton", lambda: made.append(1) or object())
    assert a is b and made == [1]


# --------------------------------------------------------------------------- the hook


class FakeAtomic(sync.Atomic):
    """A stand-in a simulation would install: records every operation it sees."""

    log: list[tuple[str, str | None]] = []

    def __init__(self, value: Any = 0, name: str | None = None) -> None:
        super().__init__(value, name)

    def load(self, order: str = sync.RELAXED, label: str | None = None) -> Any:
        self.log.append(("load", label))
        return super().load(order, label)


class FakeBackend:
    classes = {sync.Atomic: FakeAtomic}

    def __init__(self) -> None:
        self.fences: list[str] = []
        self.locals: dict[Any, Any] = {}
        self.globals: dict[str, Any] = {}

    def fence(self, kind: str, label: str | None) -> None:
        self.fences.append(kind)

    def cpu_relax(self, label: str | None) -> None:
        self.fences.append("relax")

    def thread_locals(self) -> dict[Any, Any]:
        return self.locals

    def global_state(self) -> dict[str, Any]:
        return self.globals


def test_backend_substitutes_primitives_at_construction_only() -> None:
    FakeAtomic.log.clear()
    backend = FakeBackend()
    outside = sync.Atomic(1)
    with sync.using_backend(backend):
        inside = sync.Atomic(2, name="x")
        mutex = sync.Mutex()                        # not in the map: stays real
        inside.load(label="read-x")
        outside.load(label="not-seen")              # built outside: stays real inside
        sync.smp_mb()
        sync.smp_wmb()
        sync.cpu_relax()
    assert type(inside) is FakeAtomic and isinstance(inside, sync.Atomic)
    assert inside.name == "x" and inside.load() == 2
    assert type(outside) is sync.Atomic and type(mutex) is sync.Mutex
    assert FakeAtomic.log == [("load", "read-x"), ("load", None)]
    assert backend.fences == ["mb", "wmb", "relax"]
    assert type(sync.Atomic(3)) is sync.Atomic       # backend gone: real again


def test_first_backend_installs_the_hook_for_classes_defined_before() -> None:
    """A process that never installed a backend builds real primitives with no
    substitution hook at all; the first ``using_backend`` puts it in place, for the
    classes and subclasses that already exist, and a thread without a backend still
    gets the real class.  (A fresh interpreter: this test process has installed
    backends long ago.)"""
    program = textwrap.dedent("""
        import threading
        from aioctx.impl import sync

        class Sub(sync.Atomic):
            __slots__ = ()

        class Fake(sync.Atomic):
            __slots__ = ()

        class Backend:
            classes = {sync.Atomic: Fake, Sub: Fake}

            def fence(self, kind, label):
                fences.append(label)

        fences = []
        assert "__new__" not in vars(sync.Primitive)
        assert type(sync.Atomic(1, "x")) is sync.Atomic
        sync.smp_mb("unseen")
        with sync.using_backend(Backend()):
            assert type(sync.Atomic(2, name="y")) is Fake
            assert type(Sub(3)) is Fake and type(sync.Mutex()) is sync.Mutex
            other = []
            t = threading.Thread(target=lambda: other.append(type(sync.Atomic(4))))
            t.start()
            t.join()
            assert other == [sync.Atomic]
            sync.smp_mb("seen")
        assert type(sync.Atomic(5)) is sync.Atomic and fences == ["seen"]
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout == "ok\n", done.stderr


def test_backend_owns_thread_locals_and_globals() -> None:
    tl = sync.ThreadLocal()
    tl.set("real")
    first, second = FakeBackend(), FakeBackend()
    with sync.using_backend(first):
        assert tl.get() is None
        tl.set("sim")
        g1 = sync.global_state("test.per-execution", object)
    with sync.using_backend(second):
        assert tl.get() is None                      # a new execution starts empty
        g2 = sync.global_state("test.per-execution", object)
    assert tl.get() == "real" and first.locals[tl] == "sim"
    assert g1 is not g2


@pytest.mark.parametrize("order", sync.MEMORY_ORDERS)
def test_every_operation_accepts_an_order_and_a_label(order: str) -> None:
    a = sync.Atomic(0)
    a.store(1, order, label="l")
    assert a.load(order, label="l") == 1
    a.fetch_add(1, order, label="l")
    assert a.cmpxchg(2, 3, order, label="l") == 2
