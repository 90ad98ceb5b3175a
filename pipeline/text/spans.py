"""Sorted, non-overlapping span sets with logarithmic overlap tests.

Extraction keeps "longest match wins" sets and segmentation asks "is this
position inside boilerplate / which section": with a linear scan those are
quadratic in the length of a document, which made a concatenated 1.3M-character
file take 30 s. One bisect per question keeps a 50 MB file linear.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class SpanSet:
    """Half-open spans ``[start, end)`` that never overlap each other."""

    __slots__ = ("_starts", "_ends")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def clipped(self, start: int, end: int) -> list[tuple[int, int]]:
        """The held spans that overlap ``[start, end)``, cut to it."""
        i = bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            i -= 1
        out = []
        while i < len(self._starts) and self._starts[i] < end:
            out.append((max(self._starts[i], start), min(self._ends[i], end)))
            i += 1
        return out

    def add(self, start: int, end: int) -> bool:
        """Add ``[start, end)`` unless it overlaps a span already held; say whether it was added."""
        if end <= start or self.overlaps(start, end):
            return False
        i = bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True

    def __len__(self) -> int:
        return len(self._starts)


def covering(starts: list[int], ends: list[int], pos: int) -> int | None:
    """Index of the span (sorted by start, non-overlapping) that contains ``pos``."""
    i = bisect_right(starts, pos) - 1
    return i if i >= 0 and pos < ends[i] else None


def between(starts: list[int], lo: int, hi: int) -> slice:
    """The slice of a start-sorted sequence whose starts fall in ``[lo, hi)``."""
    return slice(bisect_left(starts, lo), bisect_left(starts, hi))


__all__ = ["SpanSet", "between", "covering"]
