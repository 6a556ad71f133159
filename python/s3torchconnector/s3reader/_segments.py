"""A byte sequence held as the native client's chunks, without copying them."""

from __future__ import annotations

import bisect
from typing import List


class Segments:
    """Read-only memoryviews over downloaded chunks, contiguous in order.

    Readers keep what they downloaded here instead of copying it into a
    growing bytes buffer: appending is free, and a read copies each byte once,
    into the caller's memory.
    """

    __slots__ = ("_views", "_starts", "_size")

    def __init__(self) -> None:
        self._views: List[memoryview] = []
        self._starts: List[int] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, view: memoryview) -> None:
        if len(view) == 0:
            return
        self._views.append(view)
        self._starts.append(self._size)
        self._size += len(view)

    def clear(self) -> None:
        self._views.clear()
        self._starts.clear()
        self._size = 0

    def readinto(self, position: int, destination: memoryview) -> int:
        """Copies bytes from ``position`` into ``destination``; returns how many."""
        wanted = min(len(destination), self._size - position)
        if wanted <= 0:
            return 0
        index = bisect.bisect_right(self._starts, position) - 1
        written = 0
        while written < wanted:
            view = self._views[index]
            offset = position + written - self._starts[index]
            n = min(len(view) - offset, wanted - written)
            destination[written : written + n] = view[offset : offset + n]
            written += n
            index += 1
        return written

    def read(self, position: int, size: int) -> bytes:
        """``size`` bytes (fewer at the end) from ``position``, as bytes."""
        size = min(size, self._size - position)
        if size <= 0:
            return b""
        index = bisect.bisect_right(self._starts, position) - 1
        offset = position - self._starts[index]
        view = self._views[index]
        if offset + size <= len(view):  # within one chunk
            return view[offset : offset + size].tobytes()
        parts = []
        while size > 0:  # join copies each byte once
            view = self._views[index]
            n = min(len(view) - offset, size)
            parts.append(view[offset : offset + n])
            size -= n
            offset = 0
            index += 1
        return b"".join(parts)
