"""DatasetIndex: the objects of a dataset (bucket, key, size, ETag), listed
once and held compactly, so that a job lists a prefix once, not once per
worker per epoch, and the next job need not list it at all.

Held as a few flat buffers, not as Python objects per entry: about the bytes
of the key and ETag plus 26 bytes an object (a list of S3BucketKeyData would
take over 400). It pickles as those buffers, which is how spawned DataLoader
workers receive it.

Saved as JSON Lines, one ``{"uri", "size", "etag"}`` per line: a manifest
(``from_manifest`` reads it too) that also records the version it listed.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client
from ._s3conn import ObjectInfo
from ._s3dataset_common import parse_object_uri


class DatasetIndex(Sequence[S3BucketKeyData]):
    """An immutable, compact sequence of a dataset's objects."""

    def __init__(self, objects: Iterable[S3BucketKeyData] = ()) -> None:
        self._buckets: list[str] = []
        self._bucket_of = array("H")
        self._keys = bytearray()
        self._key_ends = array("Q")
        self._etags = bytearray()
        self._etag_ends = array("Q")
        self._sizes = array("q")  # -1: not known (listed from URIs only)
        bucket_ids: dict[str, int] = {}
        for item in objects:
            bucket_id = bucket_ids.get(item.bucket)
            if bucket_id is None:
                bucket_id = bucket_ids[item.bucket] = len(self._buckets)
                self._buckets.append(item.bucket)
            self._bucket_of.append(bucket_id)
            self._keys += item.key.encode()
            self._key_ends.append(len(self._keys))
            info = item.object_info
            self._etags += (info.etag if info is not None else "").encode()
            self._etag_ends.append(len(self._etags))
            self._sizes.append(info.size if info is not None else -1)

    def __len__(self) -> int:
        return len(self._sizes)

    @overload
    def __getitem__(self, i: int) -> S3BucketKeyData: ...
    @overload
    def __getitem__(self, i: slice) -> list[S3BucketKeyData]: ...
    def __getitem__(self, i: int | slice) -> S3BucketKeyData | list[S3BucketKeyData]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"index {i} out of range for a dataset of {len(self)} objects")
        key = self._keys[self._key_ends[i - 1] if i else 0 : self._key_ends[i]].decode()
        size = self._sizes[i]
        info = None
        if size >= 0:
            etag = self._etags[self._etag_ends[i - 1] if i else 0 : self._etag_ends[i]].decode()
            info = ObjectInfo(key, size, etag)
        return S3BucketKeyData(self._buckets[self._bucket_of[i]], key, info)

    def __iter__(self) -> Iterator[S3BucketKeyData]:
        return (self[i] for i in range(len(self)))

    def nbytes(self) -> int:
        """Bytes of the buffers that hold the index (what it costs in memory)."""
        buffers: list[Any] = [self._bucket_of, self._keys, self._key_ends, self._etags, self._etag_ends, self._sizes]
        return sum(len(b) * (b.itemsize if isinstance(b, array) else 1) for b in buffers)

    # -- saving and loading -------------------------------------------------

    def _json_lines(self) -> Iterator[str]:
        for item in self:
            record: dict[str, Any] = {"uri": f"s3://{item.bucket}/{item.key}"}
            if item.object_info is None:
                raise ValueError(f"s3://{item.bucket}/{item.key} has no listed size: only listed objects are indexed")
            record["size"] = item.object_info.size
            if item.object_info.etag:
                record["etag"] = item.object_info.etag
            yield json.dumps(record, ensure_ascii=False) + "\n"

    def save(self, location: str | os.PathLike[str], client: S3Client) -> None:
        """Writes the index to a local file (atomically: a temporary file,
        then a rename) or to an s3:// URI (the object appears whole or not at all)."""
        location = os.fspath(location)
        if location.startswith("s3://"):
            bucket, key = parse_object_uri(location)
            with client.put_object(bucket, key) as writer:
                writer.write("".join(self._json_lines()).encode())
            return
        folder = os.path.dirname(os.path.abspath(location))
        handle, temporary = tempfile.mkstemp(prefix=".index-", dir=folder)
        try:
            with open(handle, "w", encoding="utf-8") as f:
                f.writelines(self._json_lines())
            os.replace(temporary, location)
        except BaseException:
            os.unlink(temporary)
            raise

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DatasetIndex):
            return NotImplemented
        return list(self._records()) == list(other._records())

    __hash__ = None  # type: ignore[assignment]

    def _records(self) -> Iterator[tuple[str, str, int, str]]:
        for item in self:
            info = item.object_info
            yield item.bucket, item.key, info.size if info else -1, info.etag if info else ""


def index_of(objects: Iterable[S3BucketKeyData]) -> DatasetIndex:
    return objects if isinstance(objects, DatasetIndex) else DatasetIndex(objects)
