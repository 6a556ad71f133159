"""DCPOptimizedS3Reader: loads exactly the byte ranges a DCP load plan needs.

DCP.load(state_dict, storage_reader=S3StorageReader(...))
  prepare_local_plan: sorts items by offset and hands their ranges to the
                      constructor (set_item_ranges_by_file)
  read_data, per file: DCPOptimizedS3Reader(item_ranges)
    ranges within max_gap_size of each other form a RangeGroup, fetched
    by one ranged GET; each item's bytes are kept as memoryviews over the
    downloaded chunks (no copy) until the next item is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import SEEK_SET

from .._s3conn import GetObjectStream
from ._core import ReaderCore
from ._segments import Segments
from .protocol import GetStreamCallable, ObjectInfoLike

log = logging.getLogger(__name__)

DEFAULT_MAX_GAP_SIZE = 32 * 1024 * 1024
FIND_ITEM_ERROR_PREFIX = "DCPOptimizedS3Reader only supports sequentially accessing provided ranges: "
FALLBACK_GUIDANCE = (
    "The DCP-optimized reader (S3ReaderConstructor.dcp_optimized(), the default of S3StorageReader) "
    "reads only the byte ranges of the load plan, in offset order. For other access patterns use "
    "the generic reader: S3StorageReader(region, path, reader_constructor=S3ReaderConstructor.default())"
)


@dataclass
class ItemRange:
    """Byte range for a single DCP ReadItem (tensor). Inclusive start, exclusive end."""

    start: int
    end: int


@dataclass
class RangeGroup:
    """Nearby ItemRanges served by one ranged GET of [start, end)."""

    start: int
    end: int
    item_ranges: list[ItemRange] = field(default_factory=list)


# How far one range group's download may run ahead of the items read from it.
GROUP_READ_AHEAD_LIMIT = 256 * 1024 * 1024


def coalesce(ranges: list[ItemRange], max_gap_size: int | float) -> list[RangeGroup]:
    """Validates sorted, non-overlapping, non-empty ranges and groups those
    separated by at most ``max_gap_size`` bytes."""
    groups: list[RangeGroup] = []
    previous: ItemRange | None = None
    for r in ranges:
        if r.start < 0 or r.end <= r.start:
            raise ValueError(f"Invalid range: {r.start}-{r.end}")
        if previous is not None and r.start < previous.end:
            kind = "Unsorted" if r.start < previous.start else "Overlapping"
            raise ValueError(f"{kind} ranges: {previous.start}-{previous.end} and {r.start}-{r.end}")
        if groups and r.start - groups[-1].end <= max_gap_size:
            groups[-1].item_ranges.append(r)
            groups[-1].end = r.end
        else:
            groups.append(RangeGroup(r.start, r.end, [r]))
        previous = r
    return groups


class DCPOptimizedS3Reader(ReaderCore):
    """S3 reader implementation optimized for PyTorch Distributed Checkpoint (DCP) loading.

    1. **Selective fetching with range coalescing**: only the byte ranges of the
       ``LoadPlan`` are fetched; ranges within ``max_gap_size`` share one ranged GET.
    2. **Per-item buffers**: each item (tensor) is buffered on its own and dropped
       when the next item is read.
    3. **No buffer copy**: an item's bytes stay in the downloaded chunks, referenced
       as memoryviews.

    Requires pre-sorted item ranges and sequential access over them, both
    provided by ``S3StorageReader.prepare_local_plan``. Anything else raises
    ``ValueError`` with guidance on falling back to the generic reader.

    Made by ``S3ReaderConstructor.dcp_optimized()``.

    Args:
        bucket: S3 bucket name
        key: S3 object key
        item_ranges: the byte ranges the plan reads, sorted
        get_object_info: Callable that returns object metadata
        get_stream: Callable that returns stream for byte range requests
        max_gap_size: ranges closer than this many bytes share one GET
    """

    def __init__(
        self,
        bucket: str,
        key: str,
        item_ranges: list[ItemRange],
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
        max_gap_size: int | float = DEFAULT_MAX_GAP_SIZE,
    ) -> None:
        super().__init__(bucket, key, get_object_info, get_stream)
        if not item_ranges:
            raise ValueError("item_ranges must be a non-empty List[ItemRange] object")
        if not isinstance(max_gap_size, (int, float)) or isinstance(max_gap_size, bool):
            raise TypeError(f"max_gap_size must be int or float, got {type(max_gap_size).__name__}")
        if max_gap_size < 0:
            raise ValueError("max_gap_size must be non-negative")
        self._max_gap_size = max_gap_size

        self._items = [r for r in item_ranges if r.end != r.start]
        if not self._items:
            raise ValueError("No non-empty ranges to read (all ranges were length 0)")
        self._groups = coalesce(self._items, max_gap_size)
        self._group_by_first_start: dict[int, RangeGroup] = {g.start: g for g in self._groups}

        self._item_iter: Iterator[ItemRange] = iter(self._items)
        self._item: ItemRange = next(self._item_iter)
        self._item_data: Segments | None = None  # the current item's bytes, once loaded

        # The group's download: chunks not yet consumed start at _pending_start.
        self._stream: GetObjectStream | None = None
        self._pending: memoryview = memoryview(b"")
        self._pending_start = 0

    def _find_item(self, start: int, end: int) -> ItemRange:
        """The item holding [start, end): the current one or the next, nothing else."""
        item = self._item
        if item.start <= start and end <= item.end:
            return item
        if start < item.end or self._item_data is None:
            raise ValueError(
                f"{FIND_ITEM_ERROR_PREFIX}Range {start}-{end} not contained in current item "
                f"{item.start}-{item.end}.\n{FALLBACK_GUIDANCE}"
            )
        try:
            following = next(self._item_iter)
        except StopIteration:
            raise ValueError(
                f"{FIND_ITEM_ERROR_PREFIX}Range {start}-{end} not contained in last item with range "
                f"{item.start}-{item.end}.\n{FALLBACK_GUIDANCE}"
            ) from None
        if following.start <= start and end <= following.end:
            return following
        raise ValueError(
            f"{FIND_ITEM_ERROR_PREFIX}Range {start}-{end} not contained in current item "
            f"{item.start}-{item.end} nor the next item {following.start}-{following.end}.\n{FALLBACK_GUIDANCE}"
        )

    def _load(self, item: ItemRange) -> Segments:
        """The item's bytes, from its group's stream (started for a group's first item)."""
        group = self._group_by_first_start.get(item.start)
        if group is not None:
            if self._stream is not None:
                self._stream.cancel()
            self._stream = self._get_stream(group.start, group.end)
            # The plan reads the whole group: request its parts at once (up to
            # a bound), instead of a few ahead of the reader.
            set_read_ahead = getattr(self._stream, "set_read_ahead", None)
            if set_read_ahead is not None:
                set_read_ahead(min(group.end - group.start, GROUP_READ_AHEAD_LIMIT))
            self._pending, self._pending_start = memoryview(b""), group.start
        assert self._stream is not None, "the first item of a range group was not read first"

        data = Segments()
        position = item.start
        while position < item.end:
            if len(self._pending) == 0:
                next_start = self._pending_start
                try:
                    self._pending = memoryview(next(self._stream))
                except StopIteration:
                    raise ValueError(
                        f"S3 stream exhausted at position {next_start} while reading item "
                        f"{item.start}-{item.end} of s3://{self._bucket}/{self._key}"
                    ) from None
                self._pending_start = next_start
            pending_end = self._pending_start + len(self._pending)
            if pending_end <= position:  # wholly in a gap between items
                self._pending, self._pending_start = memoryview(b""), pending_end
                continue
            low = position - self._pending_start
            high = min(item.end, pending_end) - self._pending_start
            data.append(self._pending[low:high])
            position = self._pending_start + high
            self._pending, self._pending_start = self._pending[high:], position
        return data

    def _item_data_for(self, start: int, end: int) -> Segments:
        item = self._find_item(start, end)
        if item is not self._item or self._item_data is None:
            self._item = item
            self._item_data = None  # drop the previous item's chunks first
            self._item_data = self._load(item)
        return self._item_data

    def read(self, size: int | None = None) -> bytes:
        """Read up to size bytes from the current position, within the current or the next item.

        Raises:
            TypeError: If size is not an integer.
            ValueError: If the range is outside the plan's items, or if size is None or negative
                (reading the whole file is not supported).
            S3Exception: An error occurred accessing S3.
        """
        return super().read(size)

    def _read_from(self, size: int | None) -> bytes:
        if size is None:
            raise ValueError(f"Size cannot be None or negative; full read not supported.\n{FALLBACK_GUIDANCE}")
        data = self._item_data_for(self._position, self._position + size)
        return data.read(self._position - self._item.start, size)

    def _readinto_from(self, view: memoryview) -> int:
        data = self._item_data_for(self._position, self._position + len(view))
        return data.readinto(self._position - self._item.start, view)

    def seek(self, offset: int, whence: int = SEEK_SET, /) -> int:
        """Change position; anywhere within the current item, forward across items.
        SEEK_END is not supported.

        Raises:
            TypeError: If offset is not an integer.
            ValueError: If whence is not SEEK_SET or SEEK_CUR, or the position is negative.
        """
        return super().seek(offset, whence)

    def _size_for_seek_end(self) -> int:
        raise ValueError(f"whence must be SEEK_CUR or SEEK_SET integers.\n{FALLBACK_GUIDANCE}")

    def _seek_to(self, offset: int, whence: int) -> int:
        return offset  # the plan's items say where reading may go; nothing moves until a read

    def close(self) -> None:
        """Stops the download and releases the buffered item."""
        if not self.closed:
            stream = getattr(self, "_stream", None)
            if stream is not None:
                stream.cancel()
            self._stream = None
            self._pending = memoryview(b"")
            self._item_data = None
        super().close()
