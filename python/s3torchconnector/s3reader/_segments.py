"""A byte range of an object held as the native client's chunks, uncopied."""

from __future__ import annotations

import bisect
from typing import Any

from .._s3conn import copy_into, join


class Segments:
    """Read-only memoryviews over downloaded chunks: object bytes
    [start, end), contiguous, in order.

    Readers keep what they downloaded here instead of copying it into a
    growing bytes buffer: appending is free, and a read copies each byte once,
    into the caller's memory. The copies go through the native module, which
    counts them (``_s3conn.bytes_copied()``).
    """

    __slots__ = ("_views", "_starts", "start", "end")

    def __init__(self, start: int = 0) -> None:
        self._views: list[memoryview] = []
        self._starts: list[int] = []  # object offset of each view
        self.start = start
        self.end = start

    def __len__(self) -> int:
        return self.end - self.start

    def append(self, view: memoryview) -> None:
        if len(view) == 0:
            return
        self._views.append(view)
        self._starts.append(self.end)
        self.end += len(view)

    def reset(self, start: int) -> None:
        """Drops everything; the next append holds the bytes from ``start``."""
        self._views.clear()
        self._starts.clear()
        self.start = self.end = start

    def release_before(self, position: int) -> None:
        """Drops the chunks that end at or before ``position``."""
        drop = bisect.bisect_right(self._starts, position) - 1
        if drop > 0:
            del self._views[:drop]
            del self._starts[:drop]
            self.start = self._starts[0]
        if self._views and self._starts[0] + len(self._views[0]) <= position:
            self.reset(position if position <= self.end else self.end)

    def readinto(self, position: int, destination: memoryview) -> int:
        """Copies bytes from ``position`` into ``destination``; returns how many."""
        wanted = min(len(destination), self.end - position)
        if wanted <= 0:
            return 0
        index = bisect.bisect_right(self._starts, position) - 1
        written = 0
        while written < wanted:
            view = self._views[index]
            offset = position + written - self._starts[index]
            n = min(len(view) - offset, wanted - written)
            copy_into(destination[written : written + n], view[offset : offset + n])
            written += n
            index += 1
        return written

    def read(self, position: int, size: int) -> bytes:
        """``size`` bytes (fewer at the end) from ``position``, as bytes."""
        size = min(size, self.end - position)
        if size <= 0:
            return b""
        index = bisect.bisect_right(self._starts, position) - 1
        offset = position - self._starts[index]
        parts: list[Any] = []
        while size > 0:  # join copies each byte once
            view = self._views[index]
            n = min(len(view) - offset, size)
            parts.append(view[offset : offset + n])
            size -= n
            offset = 0
            index += 1
        return join(parts)
