"""ReaderCore: what every reader of this package does the same way.

The position, the checks of every argument, ``tell``, the arithmetic of
``seek`` and the empty reads live here, once. A reader type supplies only its
strategy for fetching and keeping bytes: ``_read_from``, ``_readinto_from``
and, where moving costs something, ``_seek_to``.
"""

from __future__ import annotations

from collections.abc import Callable
from io import SEEK_CUR, SEEK_END, SEEK_SET
from typing import Any

from ._checks import check_location, check_read_size, check_seek, raise_if_closed, writable_view
from .protocol import GetStreamCallable, ObjectInfoLike
from .s3reader import S3Reader


class ReaderCore(S3Reader):
    """An ``S3Reader`` with its position and argument handling in place.

    Args:
        bucket: S3 bucket name
        key: S3 object key
        get_object_info: Callable that returns object metadata
        get_stream: Callable that returns stream for byte range requests
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
        self._position = 0
        self._size: int | None = None  # once known: from a listing, a response or a HeadObject

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def key(self) -> str:
        return self._key

    # What a reader type supplies.

    def _read_from(self, size: int | None) -> bytes:
        """Up to ``size`` bytes (None: to the end) from the position, which
        ``read`` then advances. ``size`` is never 0."""
        raise NotImplementedError

    def _readinto_from(self, view: memoryview) -> int:
        """Fills ``view`` (never empty) from the position; returns how many bytes."""
        raise NotImplementedError

    def _seek_to(self, offset: int, whence: int) -> int:
        """Moves to ``offset`` (absolute, not negative; ``whence`` says how it
        was asked for) and returns the new position. Past the end stays at
        the end."""
        return min(offset, self._known_size())

    def _known_size(self) -> int:
        """The object's size, found out as cheaply as the reader can."""
        if self._size is None:
            self._size = self._get_object_info().size
        return self._size

    def _after_read(self) -> None:
        """Called once a read has moved the position."""

    # The file interface, the same for every reader type.

    def read(self, size: int | None = None) -> bytes:
        """Read up to size bytes from the current position and return them.

        If size is zero or positive, read that many bytes from S3, or until the end of the object.
        If size is None or negative, read until the end of the object.

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
        data = self._read_from(None if size is None or size < 0 else size)
        self._position += len(data)
        self._after_read()
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
        n = self._readinto_from(view)
        self._position += n
        self._after_read()
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
            offset += self._size_for_seek_end()
        elif whence == SEEK_CUR:
            offset += self._position
        if offset < 0:
            raise ValueError(f"negative seek value {offset}")
        self._position = self._seek_to(offset, whence)
        return self._position

    def _size_for_seek_end(self) -> int:
        return self._known_size()

    def tell(self) -> int:
        """
        Returns:
              int: Current stream position.
        """
        raise_if_closed(self.closed)
        return self._position
