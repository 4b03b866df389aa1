"""Fixtures for tests/impl: a fresh AioContext that is the test thread's current one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aioctx.impl import AioContext, qemu_set_current_aio_context


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
