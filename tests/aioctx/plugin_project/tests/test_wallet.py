"""Race tests for wallet.py, the way a project outside aioctx writes them."""

import pytest
from aioctx.impl import sync
from wallet import LockedWallet, RacyWallet, SafeWallet


def two_deposits(wallet) -> None:
    threads = [sync.Thread(target=wallet.deposit, args=(10,), name=f"depositor{i}")
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wallet.balance.load() == 20, "a deposit was lost"


@pytest.mark.aioctx(strategy="pct", runs=200, seed=1)
def test_racy_wallet_keeps_every_deposit():
    two_deposits(RacyWallet())


@pytest.mark.aioctx(strategy="dfs", bound=2)
def test_safe_wallet_keeps_every_deposit():
    two_deposits(SafeWallet())


@pytest.mark.aioctx(strategy="pct", runs=300, seed=1)
def test_locked_wallet_keeps_every_deposit():
    two_deposits(LockedWallet())


def test_with_the_fixture(aioctx_explore):
    aioctx_explore(lambda: two_deposits(SafeWallet()), strategy="random", runs=100)
