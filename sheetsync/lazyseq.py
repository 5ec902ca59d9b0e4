"""A sequence whose items are made when first read, once each.

Some lists a run finds in full but mostly counts: the Follow-ups tab lists
the first 5,000 of a 100k-deal sheet's quarter of a million actions and
counts the rest; the Summary counts the metrics' deal lists (180,000 deals
at 100k) without naming one.  Their length and order are the answer, so they
are found whole; each item, though, is an object made for a reader (an
:class:`~sheetsync.followups.Action`, a :class:`~sheetsync.metrics.DealRef`),
and :class:`MadeOnRead` makes it only when a position is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar, TypeVar, overload

T = TypeVar("T")


class MadeOnRead(Sequence[T]):
    """``n`` items, the ``i``-th made by :meth:`_make` the first time it is read.

    ``len`` needs none made.  Equal to a list (or another such sequence) of
    the same items, in order; not hashable, like a list.
    """

    __slots__ = ("_made",)

    #: What one item is called in an IndexError ("follow-up 7 of 5").
    _noun: ClassVar[str] = "item"

    def __init__(self, n: int) -> None:
        self._made: list[T | None] = [None] * n

    def _make(self, i: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._made)

    def _at(self, i: int) -> T:
        made = self._made[i]
        if made is None:
            made = self._made[i] = self._make(i)
        return made

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        n = len(self._made)
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(n))]
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError(f"{self._noun} {index} of {n}")
        return self._at(i)

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self._made)):
            yield self._at(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MadeOnRead | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"
