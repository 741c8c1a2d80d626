"""Problems or repairs kept on disk as they are found, so memory does not grow with their number.

A project of 100,000 tasks can hold hundreds of thousands of repairs (a ``trim`` for
every region drawn with a blank at its edge); ``pull`` lists every one in ``--json``
without holding them: each is written as one JSON line to an anonymous temporary file
when found, the first few are kept for showing, and ``--json`` streams them back
(:func:`eventgold.console.write_json_output`'s ``streamed``).

>>> from eventgold.problems import Repair
>>> found = FindingsFile(Repair, keep=1)
>>> found.extend([Repair(kind="trim", doc_id="d1"), Repair(kind="utf16", doc_id="d2")])
>>> len(found), [r.doc_id for r in found], found[:1][0].kind
(2, ['d1', 'd2'], 'trim')
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Generic, TypeVar, overload

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class FindingsFile(Sequence[T], Generic[T]):
    """A list of ``model`` records that lives in a temporary file (module doc); equal to a list of the same."""

    def __init__(self, model: type[T], items: Iterable[T] = (), *, keep: int = 100) -> None:
        """``keep``: how many of the first records stay in memory too (what ``[:keep]`` gives at no cost)."""
        self._model = model
        self._keep = keep
        self._first: list[T] = []
        self._count = 0
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as this object
        self.extend(items)

    def append(self, item: T) -> None:
        """Add one record at the end."""
        if self._count < self._keep:
            self._first.append(item)
        self._file.write(item.model_dump_json().encode("utf-8") + b"\n")
        self._count += 1

    def extend(self, items: Iterable[T]) -> None:
        """Add records at the end, in order."""
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._count

    def json_items(self) -> Iterator[str]:
        """Each record as compact JSON text, in order (read back from the file one at a time)."""
        self._file.flush()
        self._file.seek(0)
        for n, line in enumerate(self._file):
            if n == self._count:  # appended while iterating: not ours to give
                break
            yield line.decode("utf-8").rstrip("\n")
        self._file.seek(0, 2)

    def __iter__(self) -> Iterator[T]:
        validate = self._model.model_validate_json
        for text in self.json_items():
            yield validate(text)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if start == 0 and stop <= len(self._first) and step == 1:
                return self._first[:stop]
            return list(self)[index]
        if 0 <= index < len(self._first):
            return self._first[index]
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingsFile | list):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FindingsFile({self._model.__name__}, {self._count} records)"
