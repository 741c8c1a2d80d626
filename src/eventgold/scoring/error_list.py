"""A list of error items built when first read: :class:`ErrorList`.

Scoring a corpus finds hundreds of thousands of errors, while the reports need
only their counts and the first few of each level and kind (the sample). An
:class:`ErrorList` holds parts whose items may not be built yet
(:class:`DeferredErrors`, e.g. the mention errors, known as matching rows): it
counts and samples them from their (level, kind) keys, building only the
sampled items, and writes them out chunk by chunk. Read as a list in any other
way (length, iteration, indexing, comparison, any list method), it first
builds every item, once, and is then an ordinary list of the same items in the
same order; the items are equal to those built eagerly (tested).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, Protocol, SupportsIndex

from eventgold.evaluation.error_items import ErrorItem, ErrorSpec

ErrorKey = tuple[str, str]
"""(level, kind) of an error item."""
_LEVEL_KIND = attrgetter("level", "kind")
_SPEC_KEY = itemgetter(0, 1)
CHUNK = 4096
"""Items built at a time when an ErrorList is written out without being kept."""


class DeferredErrors(Protocol):
    """Error items not built yet: their keys in order, and the items on demand."""

    def keys(self) -> Sequence[ErrorKey]:
        """(level, kind) of every item, in item order (one entry per item)."""
        ...

    def build(self, positions: Iterable[int]) -> list[ErrorItem]:
        """The items at ``positions`` (increasing indices into :meth:`keys`), in that order."""
        ...


class SpecErrors:
    """Errors kept as :class:`~eventgold.evaluation.error_items.ErrorSpec`: a :class:`DeferredErrors`."""

    def __init__(self, specs: list[ErrorSpec]) -> None:
        """``specs``: the errors in order; each item is ``spec.build()``."""
        self._specs = specs
        self._keys: list[ErrorKey] | None = None

    def keys(self) -> list[ErrorKey]:
        """(level, kind) of every spec, in order."""
        if self._keys is None:
            self._keys = list(map(_SPEC_KEY, self._specs))
        return self._keys

    def build(self, positions: Iterable[int]) -> list[ErrorItem]:
        """The items of the specs at ``positions``, in that order."""
        specs = self._specs
        return [specs[i].build() for i in positions]


Part = list[ErrorItem] | DeferredErrors
"""One part of an ErrorList: items already built, or deferred ones."""


def _keys(part: Part) -> Sequence[ErrorKey]:
    if isinstance(part, list):
        return list(map(_LEVEL_KIND, part))
    return part.keys()


def _size(part: Part) -> int:
    return len(part) if isinstance(part, list) else len(part.keys())


def _build(part: Part, positions: Iterable[int]) -> list[ErrorItem]:
    if isinstance(part, list):
        return [part[i] for i in positions]
    return part.build(positions)


def _fills(name: str) -> Callable[..., Any]:
    """``list.<name>``, after building every item of ``self`` and of any unbuilt ErrorList argument."""
    method = getattr(list, name)

    def filled(self: ErrorList, *args: Any, **kwargs: Any) -> Any:
        self.fill()
        for arg in args:
            if isinstance(arg, ErrorList):
                arg.fill()
        return method(self, *args, **kwargs)

    filled.__name__ = filled.__qualname__ = name
    filled.__doc__ = method.__doc__
    return filled


class ErrorList(list[ErrorItem]):
    """A list of ErrorItems whose deferred parts are built the first time it is read as a list.

    ``ErrorList(items)`` is an ordinary (built) list; :meth:`deferred` makes one from parts.
    :meth:`counts`, :meth:`sample` and :meth:`chunks` never build more than they return.
    """

    _parts: list[Part] | None = None

    @classmethod
    def deferred(cls, parts: Iterable[Part]) -> ErrorList:
        """The items of ``parts`` in order, built when first read.

        Args:
            parts: lists of built items and :class:`DeferredErrors`, in report order.

        Returns:
            A pending ErrorList (:attr:`pending`).
        """
        out = cls()
        out._parts = list(parts)
        return out

    @property
    def pending(self) -> bool:
        """Whether some items are not built yet."""
        return self._parts is not None

    def fill(self) -> None:
        """Build every item not built yet (once); the list then holds them all, in order."""
        parts = self._parts
        if parts is not None:
            items = [p if isinstance(p, list) else p.build(range(_size(p))) for p in parts]
            list.extend(self, chain.from_iterable(items))  # every item built first: a failure changes nothing
            self._parts = None

    def counts(self) -> Counter[ErrorKey]:
        """How many items there are of each (level, kind), building none."""
        if self._parts is None:
            return Counter(map(_LEVEL_KIND, list.__iter__(self)))
        return Counter(chain.from_iterable(map(_keys, self._parts)))

    def sample(self, size: int) -> list[ErrorItem]:
        """The first ``size`` items of each (level, kind), in order, building only those.

        Args:
            size: how many items of each (level, kind) at most (0: none).

        Returns:
            The items, in list order (what :func:`eventgold.scoring.report.sample_errors` gives for the built list).
        """
        parts: list[Part] = [list(list.__iter__(self))] if self._parts is None else self._parts
        seen: dict[ErrorKey, int] = {}
        out: list[ErrorItem] = []
        for part in parts:
            positions: list[int] = []
            for i, key in enumerate(_keys(part)):
                n = seen.get(key, 0)
                if n < size:
                    seen[key] = n + 1
                    positions.append(i)
            out.extend(_build(part, positions))
        return out

    def chunks(self, size: int = CHUNK) -> Iterator[list[ErrorItem]]:
        """Every item in order, ``size`` at a time; unbuilt items are built for the chunk and not kept.

        Args:
            size: items per chunk (at least 1); a part's last chunk may be shorter.

        Yields:
            Lists of items; concatenated, they are the whole list.
        """
        if self._parts is None:
            for start in range(0, len(self), size):
                yield list.__getitem__(self, slice(start, start + size))
            return
        for part in self._parts:
            n = _size(part)
            for start in range(0, n, size):
                yield _build(part, range(start, min(start + size, n)))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """Pickled and copied as the built list (its deferred parts are not)."""
        self.fill()
        return (ErrorList, (list(list.__iter__(self)),))

    def __radd__(self, other: object) -> Any:
        """``other + self`` for a list ``other``: a list of its items, then these."""
        if not isinstance(other, list):
            return NotImplemented
        self.fill()
        return [*other, *list.__iter__(self)]


for _name in (
    "__len__",
    "__iter__",
    "__reversed__",
    "__contains__",
    "__getitem__",
    "__setitem__",
    "__delitem__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__add__",
    "__iadd__",
    "__mul__",
    "__rmul__",
    "__imul__",
    "__repr__",
    "__sizeof__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "index",
    "count",
    "copy",
    "sort",
    "reverse",
    "clear",
):
    setattr(ErrorList, _name, _fills(_name))
