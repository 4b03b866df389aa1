"""Small programs built directly on impl.sync, each with a bug and its fix, used to test
the runtime and the strategies before (and beside) the AioContext scenarios."""

from __future__ import annotations

from aioctx.impl import sync

from aioctx import sim


def lost_update(fixed: bool = False) -> None:
    """Two increments as load+store (buggy) or fetch_add (fixed)."""
    x = sync.Atomic(0, name="x")

    def inc() -> None:
        if fixed:
            x.fetch_add(1, label="inc.add")
        else:
            v = x.load(label="inc.load")
            x.store(v + 1, label="inc.store")

    ts = [sync.Thread(inc, name=f"inc{i}") for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert x.load() == 2, f"lost update: x = {x.load()}"


def lost_wakeup(fixed: bool = False) -> None:
    """The waiter checks the flag without the lock (buggy): the signal can fall in
    between its check and its wait."""
    m, c = sync.Mutex(name="m"), sync.Cond(name="c")
    flag = sync.Atomic(False, name="flag")
    sim.pending(lambda: flag.load(), "the flag is set but the waiter sleeps")

    def waiter() -> None:
        if fixed:
            m.lock("waiter.lock")
            while not flag.load(label="waiter.check"):
                c.wait(m, "waiter.wait")
            m.unlock("waiter.unlock")
        else:
            if not flag.load(label="waiter.check"):
                m.lock("waiter.lock")
                c.wait(m, "waiter.wait")
                m.unlock("waiter.unlock")

    def setter() -> None:
        m.lock("setter.lock")
        flag.store(True, label="setter.set")
        m.unlock("setter.unlock")
        c.signal("setter.signal")

    a, b = sync.Thread(waiter, name="waiter"), sync.Thread(setter, name="setter")
    a.start()
    b.start()
    a.join()
    b.join()


def abba(fixed: bool = False) -> None:
    """Two locks taken in opposite orders (buggy) or the same order (fixed)."""
    a, b = sync.Mutex(name="A"), sync.Mutex(name="B")

    def one() -> None:
        with a, b:
            pass

    def two() -> None:
        first, second = (a, b) if fixed else (b, a)
        with first, second:
            pass

    ts = [sync.Thread(one, name="one"), sync.Thread(two, name="two")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def message_passing(fixed: bool = False) -> None:
    """Publish data then a flag; the reader (buggy) reads data before checking the flag."""
    data, ready = sync.Atomic(0, name="data"), sync.Atomic(False, name="ready")
    seen = []

    def writer() -> None:
        data.store(42, label="writer.data")
        ready.store(True, sync.RELEASE, label="writer.ready")

    def reader() -> None:
        if fixed:
            while not ready.load(sync.ACQUIRE, label="reader.ready"):
                sync.cpu_relax("reader.spin")
            seen.append(data.load(label="reader.data"))
        else:
            d = data.load(label="reader.data")
            while not ready.load(sync.ACQUIRE, label="reader.ready"):
                sync.cpu_relax("reader.spin")
            seen.append(d)

    ts = [sync.Thread(writer, name="writer"), sync.Thread(reader, name="reader")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert seen == [42], f"reader saw {seen}"


def three_way(fixed: bool = False) -> None:
    """A failure that needs all three threads and two preemptions: the main thread
    sees a == 1 and b == 0 only if t1 runs between t2's two stores... (buggy), never
    with a lock around the pair (fixed)."""
    a, b = sync.Atomic(0, name="a"), sync.Atomic(0, name="b")
    m = sync.Mutex(name="m")
    out = []

    def t1() -> None:
        if fixed:
            m.lock()
        a.store(1, label="t1.a")
        b.store(1, label="t1.b")
        if fixed:
            m.unlock()

    def t2() -> None:
        if fixed:
            m.lock()
        out.append((a.load(label="t2.a"), b.load(label="t2.b")))
        if fixed:
            m.unlock()

    ts = [sync.Thread(t1, name="t1"), sync.Thread(t2, name="t2")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out != [(1, 0)], "t2 saw a torn pair"
