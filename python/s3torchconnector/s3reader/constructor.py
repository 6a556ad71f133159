"""S3ReaderConstructor: picks the reader an S3Client builds for each object."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from .dcp_optimized import DEFAULT_MAX_GAP_SIZE, FALLBACK_GUIDANCE, DCPOptimizedS3Reader, ItemRange
from .protocol import DCPS3ReaderConstructorProtocol, GetStreamCallable, ObjectInfoLike, S3ReaderConstructorProtocol
from .ranged import RangedS3Reader
from .s3reader import S3Reader
from .sequential import SequentialS3Reader

if TYPE_CHECKING:
    from torch.distributed.checkpoint.filesystem import _StorageInfo
    from torch.distributed.checkpoint.metadata import MetadataIndex
    from torch.distributed.checkpoint.planner import ReadItem

log = logging.getLogger(__name__)


class DCPOptimizedConstructor:
    """Builds DCPOptimizedS3Reader instances from the ranges of a DCP load plan.

    ``S3StorageReader.prepare_local_plan`` calls ``set_item_ranges_by_file``; then,
    per file, ``__call__`` returns a DCPOptimizedS3Reader over that file's ranges.
    The ``.metadata`` file, which has no ranges, gets a SequentialS3Reader.
    """

    def __init__(self, max_gap_size: int | float = DEFAULT_MAX_GAP_SIZE) -> None:
        if not isinstance(max_gap_size, (int, float)) or isinstance(max_gap_size, bool):
            raise TypeError(f"max_gap_size must be int or float, got {type(max_gap_size).__name__}")
        if max_gap_size < 0:
            raise ValueError("max_gap_size must be non-negative")
        self._item_ranges_by_file: dict[str, list[ItemRange]] = {}
        self._max_gap_size = max_gap_size

    def set_item_ranges_by_file(
        self,
        plan_items: list[ReadItem],
        storage_data: dict[MetadataIndex, _StorageInfo],
        base_path: str | os.PathLike[str],
    ) -> None:
        """Records, per file, the byte ranges the plan reads, in plan order.
        Replaces whatever an earlier call recorded."""
        self._item_ranges_by_file = defaultdict(list)
        if not plan_items:
            log.debug("Empty plan for this rank - no DCP item ranges will be created.")
            return
        if not storage_data:
            raise ValueError("storage_data must not be empty; required to map ReadItems to file ranges.")
        for item in plan_items:
            info = storage_data[item.storage_index]
            uri = os.path.join(str(base_path), info.relative_path)
            self._item_ranges_by_file[uri].append(ItemRange(info.offset, info.offset + info.length))

    def __call__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
    ) -> S3Reader:
        if key.endswith(".metadata"):
            return SequentialS3Reader(bucket, key, get_object_info, get_stream)
        uri = f"s3://{bucket}/{key}"
        ranges = self._item_ranges_by_file.get(uri)
        if ranges:
            return DCPOptimizedS3Reader(
                bucket,
                key,
                item_ranges=ranges,
                get_object_info=get_object_info,
                get_stream=get_stream,
                max_gap_size=self._max_gap_size,
            )
        raise ValueError(
            f"No ranges found for {uri}. Make sure range injection is used in "
            f"'S3StorageReader.prepare_local_plan'.\n{FALLBACK_GUIDANCE}"
        )


class S3ReaderConstructor:
    """Constructor for creating ``partial(S3Reader)`` instances.

    Creates partial ``S3Reader`` instances that will be completed by ``S3Client`` with the
    remaining required parameters (e.g. ``bucket``, ``key``, ``get_object_info``, ``get_stream``).

    The constructor provides factory methods for different reader types:

    - ``sequential()``: Creates a constructor for sequential readers that buffer the entire object.
      Best for full reads and repeated access.
    - ``range_based()``: Creates a constructor for range-based readers that fetch specific byte ranges.
      Suitable for sparse partial reads for large objects.
    - ``dcp_optimized()``: Creates a constructor for DCP-optimized readers, for ``dcp.load``.
    """

    @staticmethod
    def sequential(streaming: bool | None = False) -> S3ReaderConstructorProtocol:
        """Creates a constructor for sequential (generic) readers.

        This reader is the generic reader that supports all access patterns.

        Args:
            streaming: keep only the chunk being read instead of everything read so far,
                so that memory stays at a few parts whatever the object size; backward
                seeks then cost a new request (but the object's tail is kept, for
                ``torch.load``). Off by default. ``None``: keep everything for objects up
                to 1 GiB, stream larger ones (what ``S3Checkpoint`` uses).

        Returns:
            S3ReaderConstructorProtocol: Partial constructor for SequentialS3Reader

        Example::

            reader_constructor = S3ReaderConstructor.sequential()
            streaming_constructor = S3ReaderConstructor.sequential(streaming=True)
        """
        if streaming is not None and not isinstance(streaming, bool):
            raise TypeError(f"streaming must be a bool or None, not {type(streaming).__name__}")
        return partial(SequentialS3Reader) if streaming is False else partial(SequentialS3Reader, streaming=streaming)

    @staticmethod
    def range_based(buffer_size: int | None = None) -> S3ReaderConstructorProtocol:
        """Creates a constructor for range-based readers

        Args:
            buffer_size: Internal buffer size in bytes. If None, uses default 8MB.
                         Set to 0 to disable buffering.

        Returns:
            S3ReaderConstructorProtocol: Partial constructor for RangedS3Reader

        Range-based reader performs byte-range requests for each read/readinto call
        to read specific portions of S3 objects without downloading the entire file.

        Buffer size affects read performance:

        * Small reads (< ``buffer_size``): Loads ``buffer_size`` bytes to buffer to reduce S3 API calls for small,
          sequential reads
        * Large reads (≥ ``buffer_size``): bypass the buffer for direct transfer from S3
        * Forward overlap reads: Reuses buffered data when reading ranges that extend beyond current buffer, and
          processes remaining data according to size with logic above.

        Examples::

            reader_constructor = S3ReaderConstructor.range_based()
            reader_constructor = S3ReaderConstructor.range_based(buffer_size=16*1024*1024)
            reader_constructor = S3ReaderConstructor.range_based(buffer_size=0)
        """
        if buffer_size is not None and (not isinstance(buffer_size, int) or isinstance(buffer_size, bool)):
            raise TypeError(f"buffer_size must be an int or None, not {type(buffer_size).__name__}")
        if buffer_size is not None and buffer_size < 0:
            raise ValueError(f"buffer_size must be 0 (no buffer) or positive, not {buffer_size}")
        return partial(RangedS3Reader, buffer_size=buffer_size)

    @staticmethod
    def dcp_optimized(max_gap_size: int | float = DEFAULT_MAX_GAP_SIZE) -> DCPS3ReaderConstructorProtocol:
        """Creates a constructor for DCP-optimized readers for faster checkpoint loading.

        Args:
            max_gap_size: Maximum gap size in bytes between ranges to coalesce into the same
                S3 read stream. Default 32MB; ``float("inf")`` coalesces all ranges of a file;
                0 disables coalescing.

        Returns:
            DCPS3ReaderConstructorProtocol: Constructor that creates DCPOptimizedS3Reader when
            ranges are available, and a SequentialS3Reader for the ``.metadata`` file.

        Example::

            reader_constructor = S3ReaderConstructor.dcp_optimized()
            storage_reader = S3StorageReader(region, path, reader_constructor=reader_constructor)
            DCP.load(state_dict, storage_reader=storage_reader)
        """
        return DCPOptimizedConstructor(max_gap_size=max_gap_size)

    @staticmethod
    def default() -> S3ReaderConstructorProtocol:
        """Creates the default generic reader constructor.

        This creates a sequential (generic) reader that supports all access patterns.

        Returns:
            S3ReaderConstructorProtocol: Partial constructor for SequentialS3Reader
        """
        return S3ReaderConstructor.sequential()

    @staticmethod
    def get_reader_type_string(constructor: S3ReaderConstructorProtocol | None) -> str:
        """Returns the reader type string for the given constructor."""
        if constructor is None:
            return "sequential"
        if isinstance(constructor, DCPOptimizedConstructor):
            return "dcp_optimized"
        if isinstance(constructor, partial):
            if constructor.func is RangedS3Reader:
                return "range_based"
            if constructor.func is SequentialS3Reader:
                return "sequential"
        return "unknown"
