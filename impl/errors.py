"""Exceptions impl raises where QEMU would assert, abort or touch freed memory."""


class QemuAssertionError(AssertionError):
    """A QEMU ``assert()``/``abort()`` fired: the caller broke an API contract."""


class UseAfterFree(QemuAssertionError):
    """An object QEMU would have freed (a deleted BH, a finalized context, a finished
    coroutine) was touched again.  In C this is silent memory corruption; here it fails."""


def qemu_assert(condition: object, message: str) -> None:
    """Raise ``QemuAssertionError(message)`` unless ``condition`` holds."""
    if not condition:
        raise QemuAssertionError(message)
