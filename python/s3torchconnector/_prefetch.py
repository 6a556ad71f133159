"""Keeping several downloads in flight while handing objects out in order."""

from __future__ import annotations

from collections import deque
from typing import Callable, Deque, Iterator, Optional, Tuple

from ._s3bucket_key_data import S3BucketKeyData
from .s3reader import S3Reader

# Measured on the local server (benchmarks/): 4,096 objects of 100 KiB
# through one process reach their best rate from about 16 GETs in flight;
# more adds memory, not speed.
DEFAULT_PREFETCH_OBJECTS = 16
DEFAULT_PREFETCH_BYTES = 128 * 1024 * 1024


class PrefetchingReaders:
    """Readers for a stream of objects, up to ``max_objects`` (and about
    ``max_bytes``) of them already downloading while the oldest is used.

    The byte budget counts each object's listed size, capped at what one
    download buffers ahead of its reader (``per_object_cap``); an object of
    unknown size counts as that cap. The first object always starts, however
    large, so progress never stalls.
    """

    def __init__(
        self,
        objects: Iterator[S3BucketKeyData],
        open_reader: Callable[[S3BucketKeyData], S3Reader],
        max_objects: int,
        max_bytes: int,
        per_object_cap: int,
    ) -> None:
        self._objects = objects
        self._open_reader = open_reader
        self._max_objects = max(1, max_objects)
        self._max_bytes = max_bytes
        self._per_object_cap = per_object_cap
        self._pending: Deque[Tuple[S3Reader, int]] = deque()
        self._pending_bytes = 0
        self._exhausted = False

    def _cost(self, item: S3BucketKeyData) -> int:
        size: Optional[int] = item.object_info.size if item.object_info is not None else None
        return self._per_object_cap if size is None else min(size, self._per_object_cap)

    def _fill(self) -> None:
        while not self._exhausted and len(self._pending) < self._max_objects:
            if self._pending and self._pending_bytes >= self._max_bytes:
                return
            try:
                item = next(self._objects)
            except StopIteration:
                self._exhausted = True
                return
            reader = self._open_reader(item)
            prefetch = getattr(reader, "prefetch", None)
            if prefetch is not None:
                prefetch()
            cost = self._cost(item)
            self._pending.append((reader, cost))
            self._pending_bytes += cost

    def __iter__(self) -> "PrefetchingReaders":
        return self

    def __next__(self) -> S3Reader:
        self._fill()
        if not self._pending:
            raise StopIteration
        reader, cost = self._pending.popleft()
        self._pending_bytes -= cost
        self._fill()  # start the next download before the caller reads this one
        return reader

    def close(self) -> None:
        """Cancels the downloads not handed out yet."""
        while self._pending:
            self._pending.popleft()[0].close()
        self._pending_bytes = 0
        self._exhausted = True
