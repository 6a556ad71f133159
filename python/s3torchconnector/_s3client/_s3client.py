"""S3Client: the one client abstraction behind datasets, checkpoints, DCP and
Lightning. It pickles as its configuration; its native client serves every
process it is used in (libs3conn rebuilds its CRT state in a fork() child)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .._cache import ObjectCache, open_cached
from .._s3conn import Client as _NativeClient
from .._s3conn import (
    GetObjectStream,
    ListedObjects,
    ListObjectsPage,
    ListObjectsPaginator,
    ObjectInfo,
    VersionPin,
)
from .._user_agent import UserAgent
from .._worker_exit import release_start_arguments_at_exit
from .s3client_config import S3ClientConfig

if TYPE_CHECKING:
    from ..s3reader import S3Reader, S3ReaderConstructorProtocol
    from ..s3writer import S3Writer

log = logging.getLogger(__name__)


class S3Client:
    """A lazily connected S3 client; picklable as its configuration.

    Args:
        region: AWS region of the bucket(s); "" means AWS_REGION / AWS_DEFAULT_REGION.
        endpoint: endpoint URL such as ``http://127.0.0.1:9000``. None means
            AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS S3.
        user_agent: names the caller in the User-Agent header.
        s3client_config: tuning parameters (part size, retries, ...).
        cache_dir: a folder to keep objects in, for data read again (epochs):
            a ``get_object`` given the listed ``object_info`` (with its ETag)
            reads a cached copy from local disk. Share it between the
            processes of a node. None: no cache.
        cache_bytes: the most bytes the cache keeps (None: half the free
            space of its file system).
    """

    def __init__(
        self,
        region: str,
        *,
        endpoint: str | None = None,
        user_agent: UserAgent | None = None,
        s3client_config: S3ClientConfig | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_bytes: int | None = None,
    ) -> None:
        if not isinstance(region, str):
            raise TypeError(f"region must be a str, not {type(region).__name__}")
        if endpoint is not None and not isinstance(endpoint, str):
            raise TypeError(f"endpoint must be a str or None, not {type(endpoint).__name__}")
        if s3client_config is not None and not isinstance(s3client_config, S3ClientConfig):
            raise TypeError(f"s3client_config must be an S3ClientConfig, not {type(s3client_config).__name__}")
        self._region = region
        self._endpoint = endpoint or None
        self._user_agent_prefix = (user_agent or UserAgent()).prefix
        self._s3client_config = s3client_config or S3ClientConfig()
        if cache_dir is None and cache_bytes is not None:
            raise ValueError("cache_bytes needs a cache_dir")
        self._cache = ObjectCache(cache_dir, cache_bytes) if cache_dir is not None else None
        # Fails now, not at the first request, on a bad endpoint or config.
        self._client = self._make_native()

    # -- configuration ------------------------------------------------------

    @property
    def region(self) -> str:
        return self._region

    @property
    def endpoint(self) -> str | None:
        return self._endpoint

    @property
    def s3client_config(self) -> S3ClientConfig:
        return self._s3client_config

    @property
    def cache(self) -> ObjectCache | None:
        return self._cache

    @property
    def user_agent_prefix(self) -> str:
        return self._user_agent_prefix

    @property
    def read_ahead_bytes(self) -> int:
        """How far one download runs ahead of its reader (the native client's)."""
        return int(self._client.resolved_config["read_ahead_bytes"])

    def __getstate__(self) -> dict[str, Any]:
        return {
            "region": self._region,
            "endpoint": self._endpoint,
            "user_agent_prefix": self._user_agent_prefix,
            "s3client_config": self._s3client_config,
            "cache": self._cache,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._region = state["region"]
        self._endpoint = state["endpoint"]
        self._user_agent_prefix = state["user_agent_prefix"]
        self._s3client_config = state["s3client_config"]
        self._cache = state.get("cache")
        self._client = self._make_native()

    def __repr__(self) -> str:
        return f"S3Client(region={self._region!r}, endpoint={self._endpoint!r}, {self._s3client_config})"

    # -- the native client --------------------------------------------------

    def _make_native(self) -> _NativeClient:
        # The first native client of a spawned process: see _worker_exit.
        release_start_arguments_at_exit()
        # Cheap: the CRT stack behind it is built at the first request, in
        # each process that makes one (a fork() child builds its own).
        return _NativeClient(self._s3client_config.to_native(self._region, self._endpoint, self._user_agent_prefix))

    # -- operations ---------------------------------------------------------

    def get_object(
        self,
        bucket: str,
        key: str,
        *,
        object_info: ObjectInfo | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
    ) -> S3Reader:
        """A reader for s3://bucket/key. With ``object_info`` (from a listing) no
        HeadObject is ever needed for the size."""
        log.debug("GetObject s3://%s/%s", bucket, key)
        constructor = reader_constructor or _default_reader_constructor()

        def from_s3() -> S3Reader:
            streams = ObjectStreams(self, bucket, key, object_info)
            return constructor(bucket=bucket, key=key, get_object_info=streams.object_info, get_stream=streams)

        if self._cache is not None and object_info is not None and object_info.etag:
            return open_cached(self._cache, bucket, key, object_info.etag, object_info.size, from_s3)
        return from_s3()

    def get_objects(
        self,
        objects: Sequence[tuple[str, str, ObjectInfo | None]],
        *,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
    ) -> list[S3Reader]:
        """Readers for many objects at once, each already downloading (when its
        reader can prefetch): the batched form of ``get_object``."""
        readers = [
            self.get_object(bucket, key, object_info=info, reader_constructor=reader_constructor)
            for bucket, key, info in objects
        ]
        for reader in readers:
            prefetch = getattr(reader, "prefetch", None)
            if prefetch is not None:
                prefetch()
        return readers

    def put_object(self, bucket: str, key: str, storage_class: str | None = None) -> S3Writer:
        """A writer that uploads to s3://bucket/key: one PutObject up to a part,
        a multipart upload beyond. The object appears whole when the writer
        closes, and never when it is aborted or dropped unclosed."""
        from ..s3writer import S3Writer

        log.debug("PutObject s3://%s/%s", bucket, key)
        return S3Writer(self._client.put_object(bucket, key, storage_class))

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        """Size, ETag, storage class and last-modified time of s3://bucket/key."""
        log.debug("HeadObject s3://%s/%s", bucket, key)
        return self._client.head_object(bucket, key)

    def list_objects(self, bucket: str, prefix: str = "", delimiter: str = "", max_keys: int = 1000) -> ListObjectPages:
        """The pages of a ListObjectsV2 listing, fetched one at a time as iterated."""
        log.debug("ListObjectsV2 s3://%s/%s", bucket, prefix)
        return ListObjectPages(self, bucket, prefix, delimiter, max_keys)

    def list_all_objects(self, bucket: str, prefix: str = "", max_requests_in_flight: int = 16) -> ListedObjects:
        """Every object under the prefix, sorted by key, in one call: after the
        first page, ranges of the key space are listed at once, so a large
        prefix costs a few round trips in a row rather than one per 1,000 keys.
        A server that ignores start-after or S3's key order is listed page by
        page instead, in its own order. A sequence of ObjectInfo (``len``,
        indexing, iteration) held in native memory: its items are made as
        they are read."""
        log.debug("ListObjectsV2 s3://%s/%s (all pages)", bucket, prefix)
        return self._client.list_all_objects(bucket, prefix, max_requests_in_flight)

    def delete_object(self, bucket: str, key: str) -> None:
        """Deletes s3://bucket/key (no error if it does not exist, as S3)."""
        log.debug("DeleteObject s3://%s/%s", bucket, key)
        self._client.delete_object(bucket, key)

    def metrics(self) -> dict[str, Any]:
        """This process's counters for this client: requests by operation, bytes
        moved, retries, throttles, errors, first-byte latency (see the
        observability guide), and with a cache its hits, misses and bytes."""
        metrics: dict[str, Any] = self._client.metrics()
        if self._cache is not None:
            metrics["cache"] = self._cache.metrics()
        return metrics

    def reset_metrics(self) -> None:
        """Sets this process's counters for this client back to zero."""
        self._client.reset_metrics()

    def copy_object(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> None:
        """Server-side copy of s3://src_bucket/src_key to s3://dst_bucket/dst_key
        (multipart beyond 5 GiB); a missing source is named in the error."""
        log.debug("CopyObject s3://%s/%s to s3://%s/%s", src_bucket, src_key, dst_bucket, dst_key)
        self._client.copy_object(src_bucket, src_key, dst_bucket, dst_key)


def _default_reader_constructor() -> S3ReaderConstructorProtocol:
    from ..s3reader import S3ReaderConstructor  # the readers import this module

    return S3ReaderConstructor.default()


class ObjectStreams:
    """The ``get_stream`` callable handed to readers: ``streams(start, end)``
    opens a GET of bytes [start, end). Readers of this package also use
    ``read_into`` (a ranged GET straight into their memory) and ``size_hint``.

    Every request made through one ObjectStreams reads the same version of the
    object: the first response's ETag (or the listing's) is pinned, later
    requests send If-Match with it and check each response, and a change
    raises S3Exception with code ``ObjectChanged`` instead of mixing versions.
    """

    __slots__ = ("_client", "bucket", "key", "_info", "_version")

    def __init__(self, client: S3Client, bucket: str, key: str, info: ObjectInfo | None) -> None:
        self._client = client
        self.bucket = bucket
        self.key = key
        self._info = info
        self._version = VersionPin(info.etag) if info is not None and info.etag else VersionPin()

    @property
    def size_hint(self) -> int | None:
        return self._info.size if self._info is not None else None

    def object_info(self) -> ObjectInfo:
        """The listed ObjectInfo, or a HeadObject the first time it is needed."""
        if self._info is None:
            self._info = self._client._client.head_object(self.bucket, self.key, version=self._version)
        return self._info

    def __call__(self, start: int | None = None, end: int | None = None) -> GetObjectStream:
        return self._client._client.get_object(
            self.bucket, self.key, start=start, end=end, size_hint=self.size_hint, version=self._version
        )

    def read_into(self, offset: int, buffer: bytearray | memoryview | Any) -> int:
        """Bytes [offset, offset + len(buffer)) straight into ``buffer``; returns how
        many arrived (fewer at the end of the object)."""
        return self._client._client.get_object_into(self.bucket, self.key, offset, buffer, version=self._version)


class ListObjectPages:
    """Iterator over ListObjectsV2 pages. Picklable mid-listing: the copy
    resumes from the same continuation token. A server whose pagination
    never ends (a repeated token, a truncated page without one) raises
    S3Exception with code ``InvalidResponse``."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str,
        delimiter: str,
        max_keys: int,
        continuation_token: str | None = None,
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix
        self.delimiter = delimiter
        self.max_keys = max_keys
        self._start_token = continuation_token
        self._pages: ListObjectsPaginator | None = None
        self.complete = False

    @property
    def continuation_token(self) -> str | None:
        return self._pages.continuation_token if self._pages is not None else self._start_token

    def __iter__(self) -> Iterator[ListObjectsPage]:
        return self

    def __next__(self) -> ListObjectsPage:
        if self.complete:
            raise StopIteration
        if self._pages is None:
            self._pages = self._client._client.list_pages(
                self.bucket, self.prefix, self.delimiter, self.max_keys, self._start_token
            )
        try:
            page = next(self._pages)
        except StopIteration:
            self.complete = True
            raise
        self.complete = self._pages.done
        return page

    def __getstate__(self) -> dict[str, Any]:
        return {
            "client": self._client,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "delimiter": self.delimiter,
            "max_keys": self.max_keys,
            "continuation_token": self.continuation_token,
            "complete": self.complete,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._client = state["client"]
        self.bucket = state["bucket"]
        self.prefix = state["prefix"]
        self.delimiter = state["delimiter"]
        self.max_keys = state["max_keys"]
        self._start_token = state["continuation_token"]
        self._pages = None
        self.complete = state["complete"]
