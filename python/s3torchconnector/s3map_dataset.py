"""S3MapDataset: random access to the objects of a prefix or a list of URIs."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch.utils.data

from ._dataset_base import S3DatasetBase, manifest_source, objects_source, prefix_source
from ._manifest import Manifest
from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import identity
from .s3reader import S3Reader, S3ReaderConstructorProtocol

log = logging.getLogger(__name__)


class S3MapDataset(S3DatasetBase, torch.utils.data.Dataset[Any]):
    """A Map-Style dataset created from S3 objects.

    To create an instance of S3MapDataset, you need to use
    `from_prefix`, `from_objects` or `from_manifest` methods.

    The objects are listed once, on first use (``len()`` or an index), and the
    listing travels with the dataset when it is pickled to DataLoader workers.
    A DataLoader with a batch size fetches each batch with all its downloads
    in flight at once (``__getitems__``).

    Args:
        region: AWS region of the bucket; "" takes ``AWS_REGION`` / ``AWS_DEFAULT_REGION``.
        get_dataset_objects: given the dataset's client, yields the objects
            (``S3BucketKeyData``) to read; what the ``from_*`` methods build.
        endpoint: endpoint URL of an S3-compatible store (``http://host:port``);
            None takes ``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL``, then AWS.
        transform: turns each object's ``S3Reader`` into a sample; must be
            picklable (a module-level function, not a lambda) for ``spawn`` workers.
        s3client_config: client tuning (part size, retries, timeouts, memory).
        reader_constructor: the reader type (``S3ReaderConstructor.sequential()``
            by default).
        cache_dir: a local folder that keeps the objects read, for the next
            epochs (keyed by bucket, key and ETag; shared by all the node's
            workers and ranks). None: no cache. See the epochs guide.
        cache_bytes: the most bytes the cache keeps (None: half the free
            space of its file system).
    """

    _KIND = "map"

    def __init__(
        self,
        region: str,
        get_dataset_objects: Callable[[S3Client], Iterable[S3BucketKeyData]],
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_bytes: int | None = None,
    ) -> None:
        super().__init__(
            region,
            get_dataset_objects,
            endpoint,
            transform,
            s3client_config,
            reader_constructor,
            cache_dir,
            cache_bytes,
        )

    @property
    def _dataset_bucket_key_pairs(self) -> Sequence[S3BucketKeyData]:
        return self._listing()

    @classmethod
    def from_objects(
        cls,
        object_uris: str | Iterable[str],
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3MapDataset:
        """Returns an instance of S3MapDataset using the S3 URI(s) provided.

        Args:
          object_uris(str | Iterable[str]): S3 URI of the object(s) desired.
          The other arguments are the class's (above).

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_objects", cls.__name__)
        return cls(
            region, objects_source(object_uris), endpoint, transform, s3client_config, reader_constructor, **options
        )

    @classmethod
    def from_prefix(
        cls,
        s3_uri: str,
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3MapDataset:
        """Returns an instance of S3MapDataset using the S3 URI provided.

        Args:
          s3_uri(str): An S3 URI (prefix) of the object(s) desired. Objects matching the prefix will be
            included in the returned dataset.
          The other arguments are the class's (above).

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_prefix %s", cls.__name__, s3_uri)
        return cls(region, prefix_source(s3_uri), endpoint, transform, s3client_config, reader_constructor, **options)

    @classmethod
    def from_manifest(
        cls,
        manifest: Manifest,
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3MapDataset:
        """A dataset of the objects a manifest names with their sizes: no listing,
        no HeadObject.

        Args:
          manifest: a JSON Lines file (local path or s3:// URI) with one
            ``{"uri": "s3://bucket/key", "size": <bytes>}`` per line, or an
            iterable of ``(uri, size)`` pairs.
          The other arguments are the class's (above).
        """
        return cls(
            region, manifest_source(manifest), endpoint, transform, s3client_config, reader_constructor, **options
        )

    def _get_object(self, i: int) -> S3Reader:
        return self._open_reader(self._dataset_bucket_key_pairs[i])

    def __getitem__(self, i: int) -> Any:
        return self._transform(self._get_object(i))

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The transformed objects at ``indices``, all downloads started at once.
        DataLoader uses this for every batch."""
        pairs = self._dataset_bucket_key_pairs
        readers = self._get_client().get_objects(
            [(pairs[i].bucket, pairs[i].key, pairs[i].object_info) for i in indices],
            reader_constructor=self._reader_constructor,
        )
        return [self._transform(reader) for reader in readers]

    def __len__(self) -> int:
        return len(self._dataset_bucket_key_pairs)
