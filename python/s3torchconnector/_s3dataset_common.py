"""What the datasets share: URI parsing, object sources, sharding."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client

T = TypeVar("T")

MAX_KEY_BYTES = 1024


def identity(obj: Any) -> Any:
    return obj


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``; the key may be empty.

    Raises:
        TypeError: if ``uri`` is not a string.
        ValueError: if it is not an s3:// URI with a bucket, or the key is longer than S3 allows.
    """
    if not isinstance(uri, str):
        raise TypeError(f"S3 URI must be a str, not {type(uri).__name__}")
    if not uri.startswith("s3://"):
        hint = " (the scheme is lower case: s3://)" if uri.lower().startswith("s3://") else ""
        raise ValueError(f"Only s3:// URIs are supported, got {uri!r}{hint}")
    bucket, key = _split_bucket(uri[len("s3://") :])
    if not bucket:
        raise ValueError(f"Bucket name must be non-empty in {uri!r}")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise ValueError(
            f"The key of {uri[:80]!r}... is {len(key.encode())} bytes long; S3 keys are at most {MAX_KEY_BYTES}"
        )
    return bucket, key


def _split_bucket(location: str) -> tuple[str, str]:
    """``bucket/key`` -> ``(bucket, key)``, where the bucket may be an access
    point ARN, whose resource has a slash of its own:
    ``arn:aws:s3:<region>:<account>:accesspoint/<name>/<key>``."""
    if location.startswith("arn:"):
        resource = location.find(":accesspoint/")
        if resource != -1:
            end = location.find("/", resource + len(":accesspoint/"))
            return (location, "") if end == -1 else (location[:end], location[end + 1 :])
    bucket, _, key = location.partition("/")
    return bucket, key


def parse_object_uri(uri: str) -> tuple[str, str]:
    """Like parse_s3_uri, but the URI must name an object (a non-empty key)."""
    bucket, key = parse_s3_uri(uri)
    if not key:
        raise ValueError(f"{uri!r} names a bucket, not an object: expected s3://bucket/key")
    return bucket, key


def get_objects_from_uris(object_uris: str | Iterable[str], client: S3Client) -> Iterator[S3BucketKeyData]:
    """The objects named by one URI or an iterable of URIs, consumed lazily."""
    if isinstance(object_uris, str):
        object_uris = [object_uris]
    return (S3BucketKeyData(*parse_object_uri(uri)) for uri in object_uris)


def get_objects_from_prefix(s3_uri: str, client: S3Client) -> Iterator[S3BucketKeyData]:
    """Every object under the prefix, in key order (the datasets' order, so
    their shuffles, shards and resumes), listed over key ranges at once, then
    handed out one at a time (into the dataset's compact index)."""
    bucket, prefix = parse_s3_uri(s3_uri)
    return (S3BucketKeyData(bucket, info.key, info) for info in client.list_all_objects(bucket, prefix))


def shard(items: Iterable[T], index: int, count: int) -> Iterator[T]:
    """Every ``count``-th item, starting with item ``index``."""
    if count == 1:
        return iter(items)
    return islice(items, index, None, count)
