"""S3IterableDataset: stream the objects of a prefix or a list of URIs."""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple, Union

import torch
import torch.utils.data

from ._dataset_base import DatasetClient, check_dataset_arguments, check_object_uris
from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import get_objects_from_prefix, get_objects_from_uris, identity, parse_s3_uri, shard
from .s3reader import S3Reader, S3ReaderConstructor, S3ReaderConstructorProtocol

log = logging.getLogger(__name__)


def _live_rank_and_world_size() -> Optional[Tuple[int, int]]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return None


def _env_rank_and_world_size() -> Optional[Tuple[int, int]]:
    """RANK / WORLD_SIZE as torchrun sets them (inherited by DataLoader workers)."""
    try:
        return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    except (KeyError, ValueError):
        return None


class S3IterableDataset(torch.utils.data.IterableDataset):
    """An IterableStyle dataset created from S3 objects.

    To create an instance of S3IterableDataset, you need to use
    `from_prefix` or `from_objects` methods.
    """

    def __init__(
        self,
        region: str,
        get_dataset_objects: Callable[[S3Client], Iterable[S3BucketKeyData]],
        endpoint: Optional[str] = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: Optional[S3ClientConfig] = None,
        enable_sharding: bool = False,
        reader_constructor: Optional[S3ReaderConstructorProtocol] = None,
    ) -> None:
        check_dataset_arguments(region, endpoint, transform, s3client_config, reader_constructor)
        if not isinstance(enable_sharding, bool):
            raise TypeError(f"enable_sharding must be a bool, not {type(enable_sharding).__name__}")
        self._get_dataset_objects = get_dataset_objects
        self._transform = transform
        self._region = region
        self._endpoint = endpoint
        self._s3client_config = s3client_config
        self._enable_sharding = enable_sharding
        self._reader_constructor = reader_constructor or S3ReaderConstructor.default()
        self._client = DatasetClient("iterable", region, endpoint, s3client_config, self._reader_constructor)
        # DataLoader workers do not see the process group of their rank, so
        # the rank is captured here and again when pickled for workers.
        self._rank_and_world_size = _live_rank_and_world_size()

    @property
    def region(self) -> str:
        return self._region

    @property
    def endpoint(self) -> Optional[str]:
        return self._endpoint

    @classmethod
    def from_objects(
        cls,
        object_uris: Union[str, Iterable[str]],
        *,
        region: str,
        endpoint: Optional[str] = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: Optional[S3ClientConfig] = None,
        enable_sharding: bool = False,
        reader_constructor: Optional[S3ReaderConstructorProtocol] = None,
    ) -> "S3IterableDataset":
        """Returns an instance of S3IterableDataset using the S3 URI(s) provided.

        Args:
          object_uris(str | Iterable[str]): S3 URI of the object(s) desired.
          region(str): AWS region of the S3 bucket where the objects are stored.
          endpoint(str): AWS endpoint of the S3 bucket where the objects are stored.
          transform: Optional callable which is used to transform an S3Reader into the desired type.
          s3client_config: Optional S3ClientConfig with parameters for S3 client.
          enable_sharding: If True, shard the dataset across multiple workers for parallel data loading. If False (default), each worker loads the entire dataset independently.
          reader_constructor (Optional[S3ReaderConstructorProtocol]): Optional partial(S3Reader) created using S3ReaderConstructor
            e.g. S3ReaderConstructor.sequential() or S3ReaderConstructor.range_based()

        Returns:
            S3IterableDataset: An IterableStyle dataset created from S3 objects.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_objects", cls.__name__)
        check_object_uris(object_uris)
        return cls(
            region,
            partial(get_objects_from_uris, object_uris),
            endpoint,
            transform=transform,
            s3client_config=s3client_config,
            enable_sharding=enable_sharding,
            reader_constructor=reader_constructor,
        )

    @classmethod
    def from_prefix(
        cls,
        s3_uri: str,
        *,
        region: str,
        endpoint: Optional[str] = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: Optional[S3ClientConfig] = None,
        enable_sharding: bool = False,
        reader_constructor: Optional[S3ReaderConstructorProtocol] = None,
    ) -> "S3IterableDataset":
        """Returns an instance of S3IterableDataset using the S3 URI provided.

        Args:
          s3_uri(str): An S3 URI (prefix) of the object(s) desired. Objects matching the prefix will be included in the returned dataset.
          region(str): AWS region of the S3 bucket where the objects are stored.
          endpoint(str): AWS endpoint of the S3 bucket where the objects are stored.
          transform: Optional callable which is used to transform an S3Reader into the desired type.
          s3client_config: Optional S3ClientConfig with parameters for S3 client.
          enable_sharding: If True, shard the dataset across multiple workers for parallel data loading. If False (default), each worker loads the entire dataset independently.
          reader_constructor (Optional[S3ReaderConstructorProtocol]): Optional partial(S3Reader) created using S3ReaderConstructor
            e.g. S3ReaderConstructor.sequential() or S3ReaderConstructor.range_based()

        Returns:
            S3IterableDataset: An IterableStyle dataset created from S3 objects.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_prefix %s", cls.__name__, s3_uri)
        parse_s3_uri(s3_uri)
        return cls(
            region,
            partial(get_objects_from_prefix, s3_uri),
            endpoint,
            transform=transform,
            s3client_config=s3client_config,
            enable_sharding=enable_sharding,
            reader_constructor=reader_constructor,
        )

    def _get_client(self) -> S3Client:
        return self._client.get()

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        state["_rank_and_world_size"] = _live_rank_and_world_size() or self._rank_and_world_size
        return state

    def _rank_and_world(self) -> Tuple[int, int]:
        """This process's rank: from torch.distributed when initialized here,
        else as captured in the rank's process, else from torchrun's variables."""
        return _live_rank_and_world_size() or self._rank_and_world_size or _env_rank_and_world_size() or (0, 1)

    def _get_transformed_object(self, bucket_key: S3BucketKeyData) -> Any:
        return self._transform(self._client.reader(bucket_key.bucket, bucket_key.key, bucket_key.object_info))

    def _objects_for_this_worker(self) -> Iterator[S3BucketKeyData]:
        """All objects, or with sharding every object exactly once across ranks and
        their DataLoader workers: first by rank, then by worker within a rank."""
        objects = iter(self._get_dataset_objects(self._get_client()))
        if not self._enable_sharding:
            return objects
        rank, world_size = self._rank_and_world()
        worker = torch.utils.data.get_worker_info()
        worker_id, num_workers = (worker.id, worker.num_workers) if worker is not None else (0, 1)
        return shard(shard(objects, rank, world_size), worker_id, num_workers)

    def __iter__(self) -> Iterator[Any]:
        return map(self._get_transformed_object, self._objects_for_this_worker())
