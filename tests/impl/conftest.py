"""Fixtures for tests/impl: a fresh AioContext that is the test thread's current one,
and a short default time limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aioctx.impl import AioContext, qemu_set_current_aio_context

# These tests run the real loop on real threads: a broken wake-up leaves the test
# thread asleep in a blocking aio_poll for good.  Each test takes well under a second,
# so a hang should fail within a minute, not at the suite-wide ten-minute limit.
IMPL_TEST_TIMEOUT_S = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:           # the hook sees the whole session's items: ours only
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(IMPL_TEST_TIMEOUT_S))


@pytest.fixture
def ctx() -> Iterator[AioContext]:
    """test-aio's context: created in and current for the test's thread."""
    context = AioContext(name="test_ctx")
    qemu_set_current_aio_context(context)
    try:
        yield context
    finally:
        qemu_set_current_aio_context(None)
        if not context._finalized:
            context.aio_context_unref()
