"""S3DatasetBase: what both dataset kinds share (arguments, client,
metrics, the sources the ``from_*`` factories read), written once."""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Iterable as IterableABC
from functools import partial
from typing import Any, ClassVar

import torch

from ._index import DatasetIndex, index_of
from ._manifest import Manifest, check_manifest, get_objects_from_manifest
from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import get_objects_from_prefix, get_objects_from_uris, parse_object_uri, parse_s3_uri
from ._user_agent import UserAgent
from .s3reader import S3Reader, S3ReaderConstructor, S3ReaderConstructorProtocol

ObjectSource = Callable[[S3Client], Iterable[S3BucketKeyData]]

log = logging.getLogger(__name__)


def check_dataset_arguments(
    region: object,
    endpoint: object,
    transform: object,
    s3client_config: object,
    reader_constructor: object,
) -> None:
    if not isinstance(region, str):
        raise TypeError(f"region must be a str, not {type(region).__name__}")
    if endpoint is not None and not isinstance(endpoint, str):
        raise TypeError(f"endpoint must be a str or None, not {type(endpoint).__name__}")
    if not callable(transform):
        raise TypeError(f"transform must be callable, not {type(transform).__name__}")
    if s3client_config is not None and not isinstance(s3client_config, S3ClientConfig):
        raise TypeError(f"s3client_config must be an S3ClientConfig, not {type(s3client_config).__name__}")
    if reader_constructor is not None and not callable(reader_constructor):
        raise TypeError(
            "reader_constructor must be made by S3ReaderConstructor (e.g. S3ReaderConstructor.sequential()), "
            f"not {type(reader_constructor).__name__}"
        )


def check_cache_arguments(cache_dir: object, cache_bytes: object) -> None:
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a path or None, not {type(cache_dir).__name__}")
    if cache_bytes is not None:
        if not isinstance(cache_bytes, int) or isinstance(cache_bytes, bool):
            raise TypeError(f"cache_bytes must be an int or None, not {type(cache_bytes).__name__}")
        if cache_bytes < 0:
            raise ValueError(f"cache_bytes must be at least 0, not {cache_bytes}")
        if cache_dir is None:
            raise ValueError("cache_bytes needs a cache_dir")


def check_object_uris(object_uris: str | Iterable[str]) -> None:
    """Validates URIs up front when that costs nothing (a string, a list);
    an iterator is validated as it is consumed."""
    if isinstance(object_uris, str):
        parse_object_uri(object_uris)
    elif isinstance(object_uris, (list, tuple)):
        for uri in object_uris:
            parse_object_uri(uri)
    elif not isinstance(object_uris, IterableABC):
        raise TypeError(f"object_uris must be a str or an iterable of str, not {type(object_uris).__name__}")


class DatasetClient:
    """The lazily created S3Client of a dataset, tagged with the dataset kind
    and reader type in its User-Agent."""

    def __init__(
        self,
        kind: str,
        region: str,
        endpoint: str | None,
        s3client_config: S3ClientConfig | None,
        reader_constructor: S3ReaderConstructorProtocol,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_bytes: int | None = None,
    ) -> None:
        self._kind = kind
        self.cache_dir, self.cache_bytes = cache_dir, cache_bytes
        self.region = region
        self.endpoint = endpoint
        self.s3client_config = s3client_config
        self.reader_constructor = reader_constructor
        self._client: S3Client | None = None

    def get(self) -> S3Client:
        if self._client is None:
            reader_type = S3ReaderConstructor.get_reader_type_string(self.reader_constructor)
            self._client = S3Client(
                self.region,
                endpoint=self.endpoint,
                user_agent=UserAgent([f"md/dataset#{self._kind} md/reader_type#{reader_type}"]),
                s3client_config=self.s3client_config,
                cache_dir=self.cache_dir,
                cache_bytes=self.cache_bytes,
            )
        return self._client

    def reader(self, bucket: str, key: str, object_info: Any) -> S3Reader:
        return self.get().get_object(bucket, key, object_info=object_info, reader_constructor=self.reader_constructor)


# The sources of the from_* factories: each checks its argument now, and
# lists or reads it only when the dataset is first used.


class _OneShotSource(partial[Iterable[S3BucketKeyData]]):
    """A source that can be read once (a generator of URIs): streamed as the
    dataset is iterated, never listed ahead."""


def objects_source(object_uris: str | Iterable[str]) -> ObjectSource:
    check_object_uris(object_uris)
    if isinstance(object_uris, Iterator):
        return _OneShotSource(get_objects_from_uris, object_uris)
    return partial(get_objects_from_uris, object_uris)


def is_one_shot(source: ObjectSource) -> bool:
    return isinstance(source, _OneShotSource)


def prefix_source(s3_uri: str) -> ObjectSource:
    parse_s3_uri(s3_uri)
    return partial(get_objects_from_prefix, s3_uri)


def manifest_source(manifest: Manifest) -> ObjectSource:
    check_manifest(manifest)
    return partial(get_objects_from_manifest, manifest)


class S3DatasetBase:
    """The state and methods the map and iterable datasets share. A dataset
    kind adds how it hands out objects, and its factories' signatures (those
    of Amazon's package)."""

    _KIND: ClassVar[str]  # in the User-Agent: md/dataset#<kind>

    def __init__(
        self,
        region: str,
        get_dataset_objects: ObjectSource,
        endpoint: str | None,
        transform: Callable[[S3Reader], Any],
        s3client_config: S3ClientConfig | None,
        reader_constructor: S3ReaderConstructorProtocol | None,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_bytes: int | None = None,
    ) -> None:
        check_dataset_arguments(region, endpoint, transform, s3client_config, reader_constructor)
        check_cache_arguments(cache_dir, cache_bytes)
        self._get_dataset_objects = get_dataset_objects
        self._transform = transform
        self._region = region
        self._endpoint = endpoint
        self._s3client_config = s3client_config
        self._reader_constructor = reader_constructor or S3ReaderConstructor.default()
        self._client = DatasetClient(
            self._KIND, region, endpoint, s3client_config, self._reader_constructor, cache_dir, cache_bytes
        )
        self._index: DatasetIndex | None = None  # listed once, on first need
        if not is_one_shot(get_dataset_objects):
            _unlisted.add(self)

    @property
    def region(self) -> str:
        return self._region

    @property
    def endpoint(self) -> str | None:
        return self._endpoint

    def _get_client(self) -> S3Client:
        return self._client.get()

    # -- the index: the dataset's objects, listed once ------------------------

    def _listing(self) -> DatasetIndex:
        """The dataset's objects: listed (or read) the first time they are
        needed in this process, then kept; DataLoader workers get them from
        their parent (see ``_list_before_fork``)."""
        if self._index is None:
            self._index = index_of(self._get_dataset_objects(self._get_client()))
            _unlisted.discard(self)
        return self._index

    def build_index(self, *, process_group: Any = None) -> DatasetIndex:
        """Lists the dataset now, again if it was listed before (to pick up
        objects added since), and keeps the result for every later epoch.

        With ``torch.distributed`` initialized (or a ``process_group``), this
        is a collective: call it on every rank. Rank 0 lists; the others
        receive its index, so a job lists once, whatever its ranks and
        DataLoader workers."""
        group = process_group
        distributed = group is not None or (torch.distributed.is_available() and torch.distributed.is_initialized())
        if not distributed or torch.distributed.get_world_size(group) == 1:
            self._index = None
            return self._listing()
        shared: list[Any] = [None]
        failure: BaseException | None = None
        if torch.distributed.get_rank(group) == 0:
            self._index = None
            try:
                shared[0] = self._listing()
            except Exception as error:  # the other ranks wait for an answer: send them this one
                failure, shared[0] = error, f"{type(error).__name__}: {error}"
        source = torch.distributed.get_global_rank(group, 0) if group is not None else 0
        torch.distributed.broadcast_object_list(shared, src=source, group=group)
        if failure is not None:
            raise failure
        if isinstance(shared[0], str):
            raise RuntimeError(f"rank 0 could not list the dataset: {shared[0]}")
        self._index = shared[0]
        _unlisted.discard(self)
        return self._index

    def save_index(self, location: str | os.PathLike[str]) -> None:
        """Saves the dataset's objects (key, size, ETag) to a local file or an
        s3:// URI, for ``from_index``: the next job starts without listing."""
        self._listing().save(location, self._get_client())

    @classmethod
    def from_index(cls, index: str | os.PathLike[str], **kwargs: Any) -> Any:
        """A dataset of the objects an index (``save_index``) records, with
        their sizes and ETags: no listing. Takes the arguments of ``from_manifest``."""
        return cls.from_manifest(index, **kwargs)  # type: ignore[attr-defined]

    def _open_reader(self, bucket_key: S3BucketKeyData) -> S3Reader:
        return self._client.reader(bucket_key.bucket, bucket_key.key, bucket_key.object_info)

    def metrics(self) -> dict[str, Any]:
        """Counters of this dataset's client in this process (each DataLoader
        worker has its own): requests, bytes, retries, throttles, errors and
        first-byte latency."""
        return self._get_client().metrics()

    def reset_metrics(self) -> None:
        self._get_client().reset_metrics()


# Datasets not listed yet. A DataLoader starts its workers with fork() (on
# Linux) without a word to the dataset; listing here, in the parent, just
# before, means every worker inherits one listing instead of making its own.
_unlisted: weakref.WeakSet[S3DatasetBase] = weakref.WeakSet()


def _list_before_fork() -> None:
    for dataset in list(_unlisted):
        try:
            dataset._listing()
        except Exception as error:  # the child lists, and reports it, itself
            log.debug("listing %r before fork failed: %s", dataset, error)


os.register_at_fork(before=_list_before_fork)
