"""Datasets from a manifest: object URIs with their sizes, so that neither a
listing nor a HeadObject is ever needed."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any, Union, cast

from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client
from ._s3conn import ObjectInfo
from ._s3dataset_common import parse_object_uri, parse_s3_uri

# A manifest is a JSON Lines file, local or in S3, one object per line:
#   {"uri": "s3://bucket/key", "size": 1234}
# (an index, DatasetIndex.save, adds "etag"), or an iterable of (uri, size) pairs.
Manifest = Union[str, "os.PathLike[str]", Iterable[tuple[str, int]]]


def _entry(uri: Any, size: Any, where: str, etag: Any = "") -> S3BucketKeyData:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"{where}: size must be a non-negative integer, not {size!r}")
    if not isinstance(etag, str):
        raise ValueError(f"{where}: etag must be a string, not {etag!r}")
    bucket, key = parse_object_uri(uri)
    return S3BucketKeyData(bucket, key, ObjectInfo(key, size, etag))


def _json_lines(lines: Iterable[str], source: str) -> Iterator[S3BucketKeyData]:
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        where = f"{source}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(record, dict) or "uri" not in record or "size" not in record:
            raise ValueError(f'{where}: expected {{"uri": "s3://bucket/key", "size": <bytes>}}')
        yield _entry(record["uri"], record["size"], where, record.get("etag", ""))


def get_objects_from_manifest(manifest: Manifest, client: S3Client) -> Iterator[S3BucketKeyData]:
    """The manifest's objects, read lazily (a manifest in S3 is streamed)."""
    if isinstance(manifest, (str, os.PathLike)):
        location = os.fspath(manifest)
        if location.startswith("s3://"):
            bucket, key = parse_object_uri(location)
            reader = client.get_object(bucket, key)
            return _json_lines(io.TextIOWrapper(cast(Any, reader), encoding="utf-8"), location)
        return _json_lines(_local_lines(location), location)
    return (_entry(uri, size, f"manifest entry {i}") for i, (uri, size) in enumerate(manifest))


def _local_lines(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as f:
        yield from f


def check_manifest(manifest: Manifest) -> None:
    if isinstance(manifest, (str, os.PathLike)):
        location = os.fspath(manifest)
        if location.startswith("s3://"):
            parse_s3_uri(location)
        elif not os.path.isfile(location):
            raise FileNotFoundError(f"manifest {location!r} does not exist")
    elif not isinstance(manifest, Iterable):
        raise TypeError(
            f"manifest must be a path, an s3:// URI or an iterable of (uri, size), not {type(manifest).__name__}"
        )
