"""The outside project's code: a wallet shared by threads.

Written against aioctx.impl.sync (atomics, mutexes, threads), so that aioctx's
scheduler can run it one step at a time; outside a simulation the same code runs on
real threads.
"""

from aioctx.impl import sync


class RacyWallet:
    """deposit() reads the balance and writes it back: two deposits can overlap."""

    def __init__(self) -> None:
        self.balance = sync.Atomic(0, name="balance")

    def deposit(self, amount: int) -> None:
        seen = self.balance.load(label="deposit.load_balance")
        self.balance.store(seen + amount, label="deposit.store_balance")


class SafeWallet:
    """deposit() is one atomic read-modify-write."""

    def __init__(self) -> None:
        self.balance = sync.Atomic(0, name="balance")

    def deposit(self, amount: int) -> None:
        self.balance.fetch_add(amount, label="deposit.fetch_add")


class LockedWallet:
    """deposit() reads and writes under a mutex."""

    def __init__(self) -> None:
        self.balance = sync.Atomic(0, name="balance")
        self.lock = sync.Mutex(name="wallet.lock")

    def deposit(self, amount: int) -> None:
        self.lock.lock("deposit.lock")
        seen = self.balance.load(label="deposit.load_balance")
        self.balance.store(seen + amount, label="deposit.store_balance")
        self.lock.unlock("deposit.unlock")
