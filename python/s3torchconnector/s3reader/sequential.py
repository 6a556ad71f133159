"""SequentialS3Reader: one GET per object, started lazily, read in order."""

from __future__ import annotations

from io import SEEK_CUR, SEEK_END, SEEK_SET
from typing import Any, Callable, Optional

from .._s3conn import GetObjectStream
from ._checks import check_location, check_read_size, check_seek, raise_if_closed, writable_view
from ._segments import Segments
from .protocol import GetStreamCallable, ObjectInfoLike
from .s3reader import S3Reader


class SequentialS3Reader(S3Reader):
    """Sequential S3 reader implementation.

    Downloads the object with a single GET, started on the first read, and
    keeps what it has read so that backward seeks need no new request.
    Optimal for most use cases, including full object reads and torch.load.

    What it keeps is the native client's own download buffers, referenced,
    not copied: reading a byte costs one copy, into the caller's memory
    (``readinto``) or into the returned ``bytes`` (``read``).

    Seeking forward reads (and keeps) the bytes in between; seeking past the
    end stays at the end; ``SEEK_END`` uses the size from the listing, or one
    HeadObject when the object was not listed.
    """

    def __init__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
    ) -> None:
        check_location(bucket, key)
        self._bucket = bucket
        self._key = key
        self._get_object_info = get_object_info
        self._get_stream = get_stream
        self._stream: Optional[GetObjectStream] = None
        self._segments = Segments()
        self._size: Optional[int] = None  # known once the stream ends, or from object info
        self._position = 0

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def key(self) -> str:
        return self._key

    def prefetch(self) -> None:
        """Start fetching data from S3.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        raise_if_closed(self.closed)
        if self._stream is None:
            self._stream = self._get_stream()

    def _fill_to(self, offset: Optional[int]) -> None:
        """Downloads until ``offset`` bytes are held, or to the end (None)."""
        if self._size is not None and self._size == len(self._segments):
            return
        self.prefetch()
        assert self._stream is not None
        segments = self._segments
        stream = self._stream
        while offset is None or len(segments) < offset:
            try:
                segments.append(next(stream))
            except StopIteration:
                self._size = len(segments)
                return

    def _known_size(self) -> int:
        if self._size is None:
            self._size = self._get_object_info().size
        return self._size

    def read(self, size: Optional[int] = None) -> bytes:
        """Read up to size bytes from the object and return them.

        If size is zero or positive, read that many bytes from S3, or until the end of the object.
        If size is None or negative, read the entire file.

        Args:
            size (int | None): how many bytes to read.

        Returns:
            bytes: Bytes read from S3 Object

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        check_read_size(size)
        raise_if_closed(self.closed)
        if size == 0 or self._position == self._size:
            return b""
        if size is None or size < 0:
            self._fill_to(None)
            size = len(self._segments) - self._position
        else:
            self._fill_to(self._position + size)
        data = self._segments.read(self._position, size)
        self._position += len(data)
        return data

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
        if len(view) == 0 or self._position == self._size:
            return 0
        self._fill_to(self._position + len(view))
        n = self._segments.readinto(self._position, view)
        self._position += n
        return n

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
            offset += self._known_size()
        elif whence == SEEK_CUR:
            offset += self._position
        if offset < 0:
            raise ValueError(f"negative seek value {offset}")
        if offset > len(self._segments):
            self._fill_to(offset)
        if self._size is not None:
            offset = min(offset, self._size)
        self._position = offset
        return offset

    def tell(self) -> int:
        """
        Returns:
              int: Current stream position.
        """
        raise_if_closed(self.closed)
        return self._position

    def close(self) -> None:
        """Stops any download in progress and releases the buffered data."""
        if not self.closed:
            stream = getattr(self, "_stream", None)  # __init__ may have failed
            if stream is not None:
                stream.cancel()
                self._stream = None
            if hasattr(self, "_segments"):
                self._segments.clear()
        super().close()
