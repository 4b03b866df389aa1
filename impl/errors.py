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


class Freed:
    """Stands in for the fields of an object QEMU would have freed.

    Freeing an impl object replaces its shared fields with one of these, so that any
    later use (an attribute, a call, a truth test, iteration) raises ``UseAfterFree``
    naming the object, instead of quietly working on stale state.
    """

    __slots__ = ("_what",)

    def __init__(self, what: str) -> None:
        object.__setattr__(self, "_what", what)

    def _fail(self, how: str) -> UseAfterFree:
        return UseAfterFree(f"{self._what} was freed, then {how}")

    def __getattr__(self, attr: str) -> object:
        raise self._fail(f"its {attr!r} was used")

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise self._fail("called")

    def __bool__(self) -> bool:
        raise self._fail("tested")

    def __iter__(self) -> object:
        raise self._fail("iterated")

    def __repr__(self) -> str:
        return f"<freed {self._what}>"
