"""The readers the cache puts in front of S3: a cached object is read from
its local file; a missed one is read from S3 and copied into the cache as it
is read, whole and in order (the way a dataset's transform reads)."""

from __future__ import annotations

from collections.abc import Callable
from io import SEEK_SET
from typing import IO, Any

from ..s3reader import S3Reader
from .store import ObjectCache, Reservation


class CachedFileReader(S3Reader):
    """An S3 object read from its copy in the cache."""

    def __init__(self, bucket: str, key: str, file: IO[bytes]) -> None:
        self._bucket, self._key, self._file = bucket, key, file

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def key(self) -> str:
        return self._key

    def read(self, size: int | None = None) -> bytes:
        return self._file.read(-1 if size is None else size)

    def readinto(self, buf: Any) -> int:
        return self._file.readinto(buf)  # type: ignore[attr-defined, no-any-return]

    def seek(self, offset: int, whence: int = SEEK_SET, /) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def downloaded(self) -> bool:
        return True  # nothing to wait for: the prefetch window need not grow

    def close(self) -> None:
        self._file.close()
        super().close()


class CachingReader(S3Reader):
    """An S3 reader whose bytes, read from the start in order, are also written
    to the cache; complete, they are put in place. A seek elsewhere, an error
    or a close before the end gives the reservation back."""

    def __init__(self, inner: S3Reader, cache: ObjectCache, reservation: Reservation) -> None:
        self._inner, self._cache, self._reservation = inner, cache, reservation
        self._copy: IO[bytes] | None = open(reservation.temporary, "wb")  # noqa: SIM115
        self._copied = 0

    @property
    def bucket(self) -> str:
        return self._inner.bucket

    @property
    def key(self) -> str:
        return self._inner.key

    def prefetch(self) -> None:
        prefetch = getattr(self._inner, "prefetch", None)
        if prefetch is not None:
            prefetch()

    def downloaded(self) -> bool:
        downloaded: Callable[[], bool] | None = getattr(self._inner, "downloaded", None)
        return downloaded() if downloaded is not None else True

    def _copied_through(self, position: int, data: memoryview | bytes) -> None:
        if self._copy is None:
            return
        if position != self._copied:  # not in order: this copy cannot be completed
            self._give_up()
            return
        try:
            self._copy.write(data)
        except OSError:
            self._give_up()
            return
        self._copied += len(data)
        if self._copied == self._reservation.size:
            self._copy.close()
            self._copy = None
            self._cache.commit(self._reservation)

    def _give_up(self) -> None:
        if self._copy is not None:
            self._copy.close()
            self._copy = None
            self._cache.abandon(self._reservation)

    def read(self, size: int | None = None) -> bytes:
        position = self._inner.tell()
        try:
            data = self._inner.read(size)
        except BaseException:
            self._give_up()
            raise
        self._copied_through(position, data)
        return data

    def readinto(self, buf: Any) -> int:
        position = self._inner.tell()
        try:
            n = self._inner.readinto(buf)
        except BaseException:
            self._give_up()
            raise
        self._copied_through(position, memoryview(buf).cast("B")[:n])
        return n

    def seek(self, offset: int, whence: int = SEEK_SET, /) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        self._give_up()
        self._inner.close()
        super().close()

    def __del__(self) -> None:
        try:
            self._give_up()
        except Exception:  # at interpreter exit, the cache's modules may be gone
            pass


def open_cached(
    cache: ObjectCache, bucket: str, key: str, etag: str, size: int, open_from_s3: Callable[[], S3Reader]
) -> S3Reader:
    """A reader of this version of the object: from the cache when it holds
    it, else from S3, copied into the cache when there is room."""
    cached = cache.open(bucket, key, etag, size)
    if cached is not None:
        return CachedFileReader(bucket, key, cached)
    reader = open_from_s3()
    reservation = cache.reserve(bucket, key, etag, size)
    if reservation is None:
        return reader
    if size == 0:
        open(reservation.temporary, "wb").close()
        cache.commit(reservation)
        return reader
    try:
        return CachingReader(reader, cache, reservation)
    except OSError:
        cache.abandon(reservation)
        return reader
