"""SequentialS3Reader: one GET per object, started lazily, read in order."""

from __future__ import annotations

from collections.abc import Callable
from io import SEEK_END

from .._s3conn import GetObjectStream
from ._checks import raise_if_closed
from ._core import ReaderCore
from ._segments import Segments
from .protocol import GetStreamCallable, ObjectInfoLike

# In streaming mode, a forward seek further than this opens a ranged GET at
# the target instead of downloading the bytes in between.
_SKIP_BY_NEW_REQUEST = 16 * 1024 * 1024
# A reader that keeps everything asks for at most this much at once...
WHOLE_OBJECT_LIMIT = 1024 * 1024 * 1024
# ...once it has read this far in order: it is reading all of it.
_READING_THROUGH = 16 * 1024 * 1024
# Streaming mode keeps the object's last bytes once something there is read:
# a zip (torch.save's format) is read at its end first, then front to back.
_TAIL_MIN = 1024 * 1024


class SequentialS3Reader(ReaderCore):
    """Sequential S3 reader implementation.

    Downloads the object with a single GET, started on the first read (or by
    ``prefetch()``). What it holds is the native client's own download
    buffers, referenced, not copied: reading a byte costs one copy, into the
    caller's memory (``readinto``) or into the returned ``bytes`` (``read``).

    Three ways to keep data:

    * default: everything read so far is kept, so backward seeks are free.
      Memory grows to the size of the object; best for objects that fit in
      memory and are re-read (torch.load seeks back and forth). Once the
      size is known (a ``SEEK_END``, a ``read()`` of everything) every part
      is requested at once, up to ``whole_object_limit`` bytes: two serial
      round trips whatever the size.
    * ``streaming=True``: only the chunk being read is kept, and memory stays
      at a few parts whatever the object size; the object's tail (its last
      MiB, or 1/256 of it) is kept once read, so ``torch.load`` costs two
      round trips too. A backward seek elsewhere (or a long forward one)
      opens a new ranged GET at the target.
    * ``streaming=None``: the default's way for objects up to
      ``whole_object_limit`` bytes, streaming beyond (``S3Checkpoint``).

    Seeking forward reads the bytes in between; seeking past the end stays at
    the end; ``SEEK_END`` uses the size from the listing, else the size the
    first response gives (no HeadObject).

    Made by ``S3ReaderConstructor.sequential()``, which gives the keyword arguments.

    Args:
        bucket: S3 bucket name
        key: S3 object key
        get_object_info: Callable that returns object metadata
        get_stream: Callable that returns stream for byte range requests
        streaming: keep only the chunk being read (True), everything read
            (False), or choose by size (None).
        whole_object_limit: with ``streaming=None``, the largest object read whole.
    """

    def __init__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
        *,
        streaming: bool | None = False,
        whole_object_limit: int = WHOLE_OBJECT_LIMIT,
    ) -> None:
        super().__init__(bucket, key, get_object_info, get_stream)
        if streaming is not None and not isinstance(streaming, bool):
            raise TypeError(f"streaming must be a bool or None, not {type(streaming).__name__}")
        self._streaming = streaming  # None: decided by the size, when it is known
        self._whole_object_limit = whole_object_limit
        self._stream: GetObjectStream | None = None
        self._read_ahead_asked = False
        self._segments = Segments()
        self._tail: Segments | None = None  # streaming mode: the object's last bytes

    @property
    def streaming(self) -> bool | None:
        """Whether only the chunk being read is kept; None until an automatic
        choice is made (when the size is known)."""
        return self._streaming

    def _is_streaming(self) -> bool:
        if self._streaming is None:
            self._streaming = self._known_size() > self._whole_object_limit
        return self._streaming

    def prefetch(self) -> None:
        """Start fetching data from S3.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        raise_if_closed(self.closed)
        if self._stream is None:
            start = self._segments.end
            self._stream = self._get_stream() if start == 0 else self._get_stream(start, None)

    def downloaded(self) -> bool:
        """Whether the download has finished (reading will not wait for the
        network); False before it started."""
        stream = self._stream
        done = getattr(stream, "done", None) if stream is not None else None
        return bool(done)

    def _fill_to(self, offset: int | None) -> None:
        """Downloads until bytes up to ``offset`` are held, or to the end (None)."""
        if self._size is not None and self._segments.end >= self._size:
            return
        self.prefetch()
        assert self._stream is not None
        if offset is None or offset > _READING_THROUGH:
            self._ask_for_everything()
        segments = self._segments
        stream = self._stream
        while offset is None or segments.end < offset:
            try:
                segments.append(next(stream))
            except StopIteration:
                self._size = segments.end
                return

    def _restart_at(self, position: int) -> None:
        """Streaming mode: a new ranged GET from ``position`` (dropping the old
        stream cancels it)."""
        self._stream = None
        self._segments.reset(position)

    def _known_size(self) -> int:
        if self._size is None:
            hint = getattr(self._get_stream, "size_hint", None)  # a listing's
            if hint is None:
                self.prefetch()
                object_size = getattr(self._stream, "object_size", None)  # the first response's
                hint = object_size() if object_size is not None else None
            self._size = hint if hint is not None else self._get_object_info().size
        return self._size

    def _ask_for_everything(self) -> None:
        """Keeping everything anyway: let the download request every part now."""
        if self._read_ahead_asked or self._streaming is not False and self._is_streaming():
            return
        self._read_ahead_asked = True
        set_read_ahead = getattr(self._stream, "set_read_ahead", None)
        if set_read_ahead is not None:
            set_read_ahead(min(self._known_size() - self._segments.end, self._whole_object_limit))

    def _after_read(self) -> None:
        # Streaming keeps only what is ahead; a read from the tail leaves the
        # stream's chunks alone.
        if self._streaming and self._position <= self._segments.end:
            self._segments.release_before(self._position)

    def _in_tail(self) -> Segments | None:
        tail = self._tail
        return tail if tail is not None and tail.start <= self._position < tail.end else None

    def _load_tail(self) -> bool:
        """Streaming mode: fetches the object's tail once, beside the stream.
        False when this reader cannot (no ranged reads into memory)."""
        if self._tail is not None:
            return True
        read_into = getattr(self._get_stream, "read_into", None)
        if read_into is None:
            return False
        size = self._known_size()
        length = min(size, max(_TAIL_MIN, size // 256))
        buffer = bytearray(length)
        got = read_into(size - length, buffer)
        self._tail = Segments(size - length)
        self._tail.append(memoryview(buffer)[:got])
        return True

    def _read_from(self, size: int | None) -> bytes:
        tail = self._in_tail()
        if tail is not None:
            return tail.read(self._position, tail.end - self._position if size is None else size)
        if size is None:
            self._fill_to(None)
            size = self._segments.end - self._position
        else:
            self._fill_to(self._position + size)
        return self._segments.read(self._position, size)

    def _readinto_from(self, view: memoryview) -> int:
        tail = self._in_tail()
        if tail is not None:
            return tail.readinto(self._position, view)
        segments = self._segments
        if self._streaming and len(segments) == 0 and segments.end == self._position:
            # Nothing held, nothing to keep: one native call copies from the
            # network buffers straight into the caller's memory.
            self.prefetch()
            readinto = getattr(self._stream, "readinto", None)  # a stream of this package's client
            if readinto is not None:
                n = int(readinto(view))
                segments.reset(self._position + n)
                if n < len(view):
                    self._size = self._position + n
                return n
        self._fill_to(self._position + len(view))
        return segments.readinto(self._position, view)

    def _seek_to(self, offset: int, whence: int) -> int:
        if whence == SEEK_END:
            self._ask_for_everything()  # torch.load's first move: it reads it all
        if self._streaming if self._streaming is not None else (whence == SEEK_END and self._is_streaming()):
            return self._streaming_seek(offset)
        if offset > self._segments.end:
            self._fill_to(offset)
        return offset if self._size is None else min(offset, self._size)

    def _streaming_seek(self, offset: int) -> int:
        segments = self._segments
        tail = self._tail
        if tail is not None and tail.start <= offset < tail.end:
            return offset
        if offset > segments.end:
            size = self._known_size()
            if offset >= size:  # at the end: nothing to fetch, nothing to drop
                return size
            # A jump into the object's tail (a zip's directory) fetches the tail
            # beside the stream, which goes on from where it is.
            tail_start = size - min(size, max(_TAIL_MIN, size // 256))
            if offset >= tail_start and self._load_tail():
                return offset
        if offset > segments.end + _SKIP_BY_NEW_REQUEST or offset < segments.start:
            size = self._known_size()
            offset = min(offset, size)
            if offset < size:
                self._restart_at(offset)
            else:
                self._segments.reset(size)
        elif offset > segments.end:
            self._fill_to(offset)
            if self._size is not None:
                offset = min(offset, self._size)
        self._segments.release_before(offset)
        return offset

    def close(self) -> None:
        """Stops any download in progress and releases the buffered data."""
        if not self.closed:
            # Dropping the stream cancels a download that has not finished.
            self._stream = None
            self._segments = Segments()
            self._tail = None
        super().close()
