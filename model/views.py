"""Attribute access to a flat state vector, for the guards and actions of a ``Model``.

A state is a flat tuple: every process's control location, then the globals, then each
process's locals, with arrays laid out element by element.  Guards and predicates get a
*read view* (a tuple subclass), actions a *write view* (a list subclass, turned back
into a tuple afterwards).  Each variable is a property built from ``operator.itemgetter``,
so reading ``s.notify_me`` costs one C-level index, and a misspelt name raises
``AttributeError`` instead of silently creating an attribute (``__slots__ = ()``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any, ClassVar


class ArrayRef:
    """A fixed-size array variable inside a write view: ``s.fork[i] = 1`` works."""

    __slots__ = ("_vec", "_base", "_len", "_name")

    def __init__(self, vec: list, base: int, length: int, name: str) -> None:
        self._vec, self._base, self._len, self._name = vec, base, length, name

    def _index(self, i: int) -> int:
        if not 0 <= i < self._len:
            raise IndexError(f"{self._name}[{i}] is out of range (size {self._len})")
        return self._base + i

    def __getitem__(self, i: int) -> Any:
        return self._vec[self._index(i)]

    def __setitem__(self, i: int, value: Any) -> None:
        self._vec[self._index(i)] = value

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Any]:
        return iter(self._vec[self._base:self._base + self._len])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence | ArrayRef) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class _ViewMixin:
    """Questions about other processes, available in every view."""

    __slots__ = ()
    _pcs: ClassVar[dict[str, tuple[int, dict[str, int]]]] = {}
    _at_cache: ClassVar[dict[tuple[str, tuple[str, ...]], tuple[int, frozenset[int]]]] = {}
    _locals: ClassVar[dict[tuple[str, str], tuple[int, int | None]]] = {}

    def at(self, process: str, *labels: str) -> bool:
        """True if ``process`` is at control location ``labels[0]`` (or any of them)."""
        key = (process, labels)
        found = self._at_cache.get(key)
        if found is None:
            found = self._at_cache[key] = self._resolve(process, labels)
        return self[found[0]] in found[1]  # type: ignore[index]

    @classmethod
    def _resolve(cls, process: str, labels: tuple[str, ...]) -> tuple[int, frozenset[int]]:
        try:
            index, names = cls._pcs[process]
        except KeyError:
            raise AttributeError(f"no process named {process!r}") from None
        missing = [label for label in labels if label not in names]
        if missing or not labels:
            raise AttributeError(f"process {process!r} has no location {missing[0]!r}"
                                 if missing else "at() needs a location name")
        return index, frozenset(names[label] for label in labels)

    def local(self, process: str, name: str) -> Any:
        """The value of local ``name`` of ``process``."""
        try:
            index, length = self._locals[(process, name)]
        except KeyError:
            raise AttributeError(f"process {process!r} has no local {name!r}") from None
        if length is None:
            return self[index]  # type: ignore[index]
        return tuple(self[index:index + length])  # type: ignore[index]


class ReadView(_ViewMixin, tuple):
    """Read-only view of a state (for guards, invariants and claims)."""

    __slots__ = ()


class WriteView(_ViewMixin, list):
    """Mutable copy of a state (for actions)."""

    __slots__ = ()

    def set(self, **values: Any) -> None:
        """Assign several variables at once: ``lambda s: s.set(x=1, y=s.x)``."""
        for name, value in values.items():
            setattr(self, name, value)


#: names a variable may not take (they are view methods or attributes); the list and
#: tuple methods a variable shadows are never called on views by attribute
RESERVED = frozenset({"at", "local", "set", "pid"})


def _scalar_setter(index: int):
    def setter(self: list, value: Any) -> None:
        self[index] = value
    return setter


def _fast_set(scalars: dict[str, int]):
    """``WriteView.set`` for one layout: scalars by index, anything else by attribute."""
    def set(self: list, **values: Any) -> None:
        for name, value in values.items():
            index = scalars.get(name)
            if index is None:
                setattr(self, name, value)
            else:
                self[index] = value
    set.__doc__ = WriteView.set.__doc__
    return set


def _array_reader(index: int, length: int):
    return lambda self: tuple.__getitem__(self, slice(index, index + length))


def _array_writer(index: int, length: int, name: str):
    def getter(self: list) -> ArrayRef:
        return ArrayRef(self, index, length, name)

    def setter(self: list, value: Sequence[Any]) -> None:
        values = list(value)
        if len(values) != length:
            raise ValueError(f"{name} has {length} elements, not {len(values)}")
        self[index:index + length] = values
    return property(getter, setter)


def view_classes(name: str, fields: dict[str, tuple[int, int | None]],
                 pcs: dict[str, tuple[int, dict[str, int]]],
                 local_fields: dict[tuple[str, str], tuple[int, int | None]],
                 extra: dict[str, Any] | None = None) -> tuple[type, type]:
    """A (read view, write view) pair exposing ``fields`` (name -> (index, length))."""
    cache: dict = {}
    read_ns: dict[str, Any] = {"__slots__": (), "_pcs": pcs, "_locals": local_fields,
                               "_at_cache": cache}
    write_ns: dict[str, Any] = {"__slots__": (), "_pcs": pcs, "_locals": local_fields,
                                "_at_cache": cache}
    for field, (index, length) in fields.items():
        if length is None:
            read_ns[field] = property(itemgetter(index))
            write_ns[field] = property(itemgetter(index), _scalar_setter(index))
        else:
            read_ns[field] = property(_array_reader(index, length))
            write_ns[field] = _array_writer(index, length, field)
    write_ns["set"] = _fast_set({f: i for f, (i, n) in fields.items() if n is None})
    for key, value in (extra or {}).items():
        read_ns[key] = value
        write_ns[key] = value
    reader = type(f"{name}View", (ReadView,), read_ns)
    writer = type(f"{name}Step", (WriteView,), write_ns)
    return reader, writer
