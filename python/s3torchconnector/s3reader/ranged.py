"""RangedS3Reader: one ranged GET per read, for sparse access to large objects."""

from __future__ import annotations

from collections.abc import Callable
from io import SEEK_CUR, SEEK_END, SEEK_SET
from typing import Any

from ._checks import check_location, check_read_size, check_seek, raise_if_closed, writable_view
from .protocol import GetStreamCallable, ObjectInfoLike
from .s3reader import S3Reader

DEFAULT_BUFFER_SIZE = 8 * 1024 * 1024  # 8MB


class RangedS3Reader(S3Reader):
    """Range-based S3 reader implementation with adaptive buffering.

    Performs byte-range requests to read specific portions of S3 objects without
    downloading the entire file. Includes optional adaptive buffer to reduce S3 API
    calls for small, sequential reads while bypassing buffering for large reads.
    Optimal for sparse partial reads of large objects.

    Buffering behavior:

    * Small reads (< ``buffer_size``): Loads ``buffer_size`` bytes to buffer, copies to user
    * Large reads (>= ``buffer_size``): Direct S3 access, bypass buffer: the bytes are
      received straight into the caller's memory
    * Forward overlapping reads: Reuses existing buffer data if possible when read range
      extends beyond current buffer
    * Buffer can be disabled by setting ``buffer_size`` to 0
    * If ``buffer_size`` is None, uses default 8MB buffer

    Args:
        bucket: S3 bucket name
        key: S3 object key
        get_object_info: Callable that returns object metadata
        get_stream: Callable that returns stream for byte range requests
        buffer_size: Internal buffer size in bytes, defaults to 8MB
    """

    def __init__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
        buffer_size: int | None = None,
    ) -> None:
        check_location(bucket, key)
        if buffer_size is not None and (not isinstance(buffer_size, int) or isinstance(buffer_size, bool)):
            raise TypeError(f"buffer_size must be an int or None, not {type(buffer_size).__name__}")
        if buffer_size is not None and buffer_size < 0:
            raise ValueError(f"buffer_size must be 0 (no buffer) or positive, not {buffer_size}")
        self._bucket = bucket
        self._key = key
        self._get_object_info = get_object_info
        self._get_stream = get_stream
        # A client of this package can receive a range straight into memory.
        self._read_into: Callable[[int, memoryview], int] | None = getattr(get_stream, "read_into", None)
        self._size: int | None = None
        self._position = 0
        self._buffer_size = DEFAULT_BUFFER_SIZE if buffer_size is None else buffer_size
        self._buffer: memoryview | None = None  # allocated on first buffered read
        self._buffer_start = 0
        self._buffer_end = 0

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def key(self) -> str:
        return self._key

    def _get_size(self) -> int:
        if self._size is None:
            self._size = self._get_object_info().size
        return self._size

    def _fetch(self, view: memoryview, start: int) -> int:
        """Fills ``view`` with the object's bytes from ``start``; returns how many."""
        if self._read_into is not None:
            return self._read_into(start, view)
        received = 0
        for chunk in self._get_stream(start, start + len(view)):
            n = min(len(chunk), len(view) - received)
            view[received : received + n] = memoryview(chunk)[:n]
            received += n
            if received == len(view):
                break
        return received

    def _read_range(self, view: memoryview, start: int, end: int) -> int:
        read = 0
        # Forward overlap: serve the buffered head of the range first.
        if self._buffer_start <= start < self._buffer_end:
            n = min(end, self._buffer_end) - start
            offset = start - self._buffer_start
            assert self._buffer is not None
            view[:n] = self._buffer[offset : offset + n]
            read, start = n, start + n
        if start < end:
            if end - start >= self._buffer_size or self._buffer_size == 0:
                read += self._fetch(view[read : read + end - start], start)
            else:
                if self._buffer is None:
                    self._buffer = memoryview(bytearray(self._buffer_size))
                length = min(self._buffer_size, self._get_size() - start)
                got = self._fetch(self._buffer[:length], start)
                self._buffer_start, self._buffer_end = start, start + got
                n = min(end - start, got)
                view[read : read + n] = self._buffer[:n]
                read += n
        self._position += read
        return read

    def readinto(self, buf: Any) -> int:
        """Read up to len(buf) bytes into a pre-allocated, writable bytes-like object buf.
        Return the number of bytes read. If no bytes are available, zero is returned.

        Args:
            buf : writable bytes-like object

        Returns:
            int : number of bytes read or zero, if no bytes available
        """
        view = writable_view(buf)
        raise_if_closed(self.closed)
        if len(view) == 0:
            return 0
        start = self._position
        end = min(start + len(view), self._get_size())
        if start >= end:
            return 0
        return self._read_range(view, start, end)

    def read(self, size: int | None = None) -> bytes:
        """Read up to size bytes from the current position.

        If size is zero or positive, read that many bytes from S3, or until the end of the object.
        If size is None or negative, read until the end of the object.

        Args:
            size (int | None): how many bytes to read.

        Returns:
            bytes: Bytes read from specified range.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        check_read_size(size)
        raise_if_closed(self.closed)
        if size == 0:
            return b""
        start = self._position
        end = self._get_size() if size is None or size < 0 else min(start + size, self._get_size())
        if start >= end:
            return b""
        out = bytearray(end - start)
        n = self._read_range(memoryview(out), start, end)
        if n < len(out):
            del out[n:]
        return bytes(out)

    def seek(self, offset: int, whence: int = SEEK_SET, /) -> int:
        """Change the stream position to the given byte offset, interpreted relative to whence.

        When seeking beyond the end of the file, always stay at EOF.
        Seeking before the start of the file results in a ValueError.

        Args:
            offset (int): How many bytes to seek relative to whence.
            whence (int): One of SEEK_SET, SEEK_CUR, and SEEK_END. Default: SEEK_SET

        Returns:
            int: Current position of the stream

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        check_seek(offset, whence)
        raise_if_closed(self.closed)
        if whence == SEEK_END:
            offset += self._get_size()
        elif whence == SEEK_CUR:
            offset += self._position
        if offset < 0:
            raise ValueError(f"negative seek value {offset}")
        # No request: the next read fetches from wherever the position is.
        self._position = min(offset, self._get_size())
        return self._position

    def tell(self) -> int:
        """
        Returns:
              int: Current stream position.
        """
        raise_if_closed(self.closed)
        return self._position

    def close(self) -> None:
        if not self.closed:
            self._buffer = None
        super().close()
