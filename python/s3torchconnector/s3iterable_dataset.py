"""S3IterableDataset: stream the objects of a prefix, a list of URIs, or a manifest."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import torch
import torch.utils.data

from ._dataset_base import S3DatasetBase, manifest_source, objects_source, prefix_source
from ._manifest import Manifest
from ._prefetch import DEFAULT_PREFETCH_BYTES, DEFAULT_PREFETCH_OBJECTS, InFlightWindow, PrefetchingReaders
from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import identity, shard
from ._shuffle import buffer_shuffle, rng_for
from .s3reader import S3Reader, S3ReaderConstructorProtocol

log = logging.getLogger(__name__)


def _live_rank_and_world_size() -> tuple[int, int] | None:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return None


def _env_rank_and_world_size() -> tuple[int, int] | None:
    """RANK / WORLD_SIZE as torchrun sets them (inherited by DataLoader workers)."""
    try:
        return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    except (KeyError, ValueError):
        return None


def _check_non_negative_int(name: str, value: object, minimum: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")


class S3IterableDataset(S3DatasetBase, torch.utils.data.IterableDataset[Any]):
    """An IterableStyle dataset created from S3 objects.

    To create an instance of S3IterableDataset, you need to use
    `from_prefix`, `from_objects` or `from_manifest` methods.

    Beyond Amazon's s3torchconnector:

    * **Downloads in flight**: each process (each DataLoader worker) keeps GETs
      running while the oldest object is used, and still yields objects in
      order. How many adapts to S3's latency: from 128, more while the consumer
      waits and more still pays, fewer when S3 throttles (503 SlowDown), never
      more than ``prefetch_objects`` (256) or about ``prefetch_bytes`` (128 MiB)
      of buffers. ``prefetch_objects=1`` gives the one-at-a-time behaviour of
      the reference.
    * **Shuffle**: ``shuffle_buffer_size`` > 0 streams objects in a random order
      through a buffer of that many entries (entries are names and sizes, not
      data). The order depends only on ``seed`` and the epoch (``set_epoch``);
      with sharding, each rank and worker then takes its share of it.
    * **Exact resume**: ``state_dict()`` / ``load_state_dict()`` restart an epoch
      right after the last object handed out, none twice, none lost. Both this
      dataset and its iterators implement torchdata's ``Stateful``, so
      ``StatefulDataLoader`` checkpoints and restores every worker.

    Args:
        region: AWS region of the bucket; "" takes ``AWS_REGION`` / ``AWS_DEFAULT_REGION``.
        get_dataset_objects: given the dataset's client, yields the objects
            (``S3BucketKeyData``) to read; what the ``from_*`` methods build.
        endpoint: endpoint URL of an S3-compatible store (``http://host:port``);
            None takes ``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL``, then AWS.
        transform: turns each object's ``S3Reader`` into a sample; must be
            picklable (a module-level function, not a lambda) for ``spawn`` workers.
        s3client_config: client tuning (part size, retries, timeouts, memory).
        enable_sharding: split the objects over ranks and DataLoader workers,
            each reading its own share once (else each worker reads them all).
        reader_constructor: the reader type (``S3ReaderConstructor.sequential()``
            by default).
        shuffle_buffer_size: entries of the shuffle buffer; 0 keeps listing order.
        seed: seed of the shuffle, with the epoch (``set_epoch``).
        prefetch_objects: most downloads in flight per process (a ceiling for
            the adaptive window; 1 reads one object at a time).
        prefetch_bytes: about the most bytes of downloads held per process.
    """

    _KIND = "iterable"

    def __init__(
        self,
        region: str,
        get_dataset_objects: Callable[[S3Client], Iterable[S3BucketKeyData]],
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        enable_sharding: bool = False,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        *,
        shuffle_buffer_size: int = 0,
        seed: int = 0,
        prefetch_objects: int = DEFAULT_PREFETCH_OBJECTS,
        prefetch_bytes: int = DEFAULT_PREFETCH_BYTES,
    ) -> None:
        super().__init__(region, get_dataset_objects, endpoint, transform, s3client_config, reader_constructor)
        if not isinstance(enable_sharding, bool):
            raise TypeError(f"enable_sharding must be a bool, not {type(enable_sharding).__name__}")
        _check_non_negative_int("shuffle_buffer_size", shuffle_buffer_size)
        _check_non_negative_int("seed", seed)
        _check_non_negative_int("prefetch_objects", prefetch_objects, 1)
        _check_non_negative_int("prefetch_bytes", prefetch_bytes)
        self._enable_sharding = enable_sharding
        self._shuffle_buffer_size = shuffle_buffer_size
        self._seed = seed
        self._prefetch_objects = prefetch_objects
        self._prefetch_bytes = prefetch_bytes
        self._epoch = 0
        self._resume_at = 0  # objects to skip on the next pass (load_state_dict)
        self._handed_out = 0  # objects handed out by the current pass, in this process
        # DataLoader workers do not see the process group of their rank, so
        # the rank is captured here and again when pickled for workers.
        self._rank_and_world_size = _live_rank_and_world_size()

    @classmethod
    def from_objects(
        cls,
        object_uris: str | Iterable[str],
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        enable_sharding: bool = False,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3IterableDataset:
        """Returns an instance of S3IterableDataset using the S3 URI(s) provided.

        Args:
          object_uris(str | Iterable[str]): S3 URI of the object(s) desired. A generator is
            consumed lazily, as the dataset is iterated (it can then be iterated once).
          The other arguments are the class's (above).

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_objects", cls.__name__)
        source = objects_source(object_uris)
        return cls(region, source, endpoint, transform, s3client_config, enable_sharding, reader_constructor, **options)

    @classmethod
    def from_prefix(
        cls,
        s3_uri: str,
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        enable_sharding: bool = False,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3IterableDataset:
        """Returns an instance of S3IterableDataset using the S3 URI provided.

        Args:
          s3_uri(str): An S3 URI (prefix) of the object(s) desired. Objects matching the prefix will be
            included in the returned dataset.
          The other arguments are the class's (above).

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        log.info("Building %s from_prefix %s", cls.__name__, s3_uri)
        source = prefix_source(s3_uri)
        return cls(region, source, endpoint, transform, s3client_config, enable_sharding, reader_constructor, **options)

    @classmethod
    def from_manifest(
        cls,
        manifest: Manifest,
        *,
        region: str,
        endpoint: str | None = None,
        transform: Callable[[S3Reader], Any] = identity,
        s3client_config: S3ClientConfig | None = None,
        enable_sharding: bool = False,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        **options: Any,
    ) -> S3IterableDataset:
        """A dataset of the objects a manifest names with their sizes: no listing,
        no HeadObject.

        Args:
          manifest: a JSON Lines file (local path or s3:// URI) with one
            ``{"uri": "s3://bucket/key", "size": <bytes>}`` per line, or an
            iterable of ``(uri, size)`` pairs.
          The other arguments are the class's (above).
        """
        source = manifest_source(manifest)
        return cls(region, source, endpoint, transform, s3client_config, enable_sharding, reader_constructor, **options)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_rank_and_world_size"] = _live_rank_and_world_size() or self._rank_and_world_size
        return state

    def _rank_and_world(self) -> tuple[int, int]:
        """This process's rank: from torch.distributed when initialized here,
        else as captured in the rank's process, else from torchrun's variables."""
        return _live_rank_and_world_size() or self._rank_and_world_size or _env_rank_and_world_size() or (0, 1)

    # -- epochs and resumption ----------------------------------------------

    def set_epoch(self, epoch: int) -> None:
        """Selects the shuffle order of ``epoch``; call before each epoch."""
        _check_non_negative_int("epoch", epoch)
        self._epoch = epoch
        self._resume_at = 0

    def state_dict(self) -> dict[str, Any]:
        """Where this process is in the current pass: epoch, seed, objects handed out."""
        return {"epoch": self._epoch, "seed": self._seed, "handed_out": self._handed_out}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Makes the next pass continue right after the objects a ``state_dict()``
        said were handed out, in the same order."""
        _check_state(state_dict)
        self._epoch = state_dict["epoch"]
        self._seed = state_dict["seed"]
        self._resume_at = state_dict["handed_out"]

    def _record_progress(self, handed_out: int, seed: int | None = None) -> None:
        """What the current pass's iterator reports, so that the dataset's own
        ``state_dict()`` tells where that pass is."""
        self._handed_out = handed_out
        if seed is not None:
            self._seed = seed

    # -- iteration ----------------------------------------------------------

    def _objects_for_this_worker(self, epoch: int) -> Iterator[S3BucketKeyData]:
        """The objects of one pass, for this process: shuffled (when asked) the same
        way everywhere, then with sharding every object exactly once across ranks
        and their DataLoader workers: first by rank, then by worker within a rank."""
        objects: Iterator[S3BucketKeyData] = iter(self._get_dataset_objects(self._get_client()))
        if self._shuffle_buffer_size > 0:
            objects = buffer_shuffle(objects, self._shuffle_buffer_size, rng_for(self._seed, epoch))
        if not self._enable_sharding:
            return objects
        rank, world_size = self._rank_and_world()
        worker = torch.utils.data.get_worker_info()
        worker_id, num_workers = (worker.id, worker.num_workers) if worker is not None else (0, 1)
        return shard(shard(objects, rank, world_size), worker_id, num_workers)

    def _get_transformed_object(self, bucket_key: S3BucketKeyData) -> Any:
        return self._transform(self._open_reader(bucket_key))

    def __iter__(self) -> S3IterableDatasetIterator:
        start, self._resume_at = self._resume_at, 0
        self._handed_out = start
        return S3IterableDatasetIterator(self, self._epoch, start)


def _check_state(state: dict[str, Any]) -> None:
    if not isinstance(state, dict) or not {"epoch", "seed", "handed_out"} <= state.keys():
        raise ValueError(f"not a state_dict of S3IterableDataset: {state!r}")
    for name in ("epoch", "seed", "handed_out"):
        _check_non_negative_int(f"state_dict[{name!r}]", state[name])


class S3IterableDatasetIterator:
    """One pass over an S3IterableDataset in one process. Nothing is listed or
    downloaded before the first ``next()``, so that a restored state costs no
    wasted requests. Implements torchdata's ``Stateful``."""

    def __init__(self, dataset: S3IterableDataset, epoch: int, start: int) -> None:
        self._dataset = dataset
        self._epoch = epoch
        self._handed_out = start
        self._readers: PrefetchingReaders | None = None

    def __iter__(self) -> S3IterableDatasetIterator:
        return self

    def __next__(self) -> Any:
        if self._readers is None:
            dataset = self._dataset
            objects = islice(dataset._objects_for_this_worker(self._epoch), self._handed_out, None)
            client = dataset._client.get()
            self._readers = PrefetchingReaders(
                objects,
                dataset._open_reader,
                dataset._prefetch_objects,
                dataset._prefetch_bytes,
                per_object_cap=client.read_ahead_bytes,  # what one download buffers ahead
                window=InFlightWindow(dataset._prefetch_objects, lambda: int(client.metrics()["throttles"])),
            )
        item = self._dataset._transform(next(self._readers))
        self._handed_out += 1
        self._dataset._record_progress(self._handed_out)
        return item

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self._epoch, "seed": self._dataset._seed, "handed_out": self._handed_out}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _check_state(state_dict)
        if self._readers is not None:
            self._readers.close()
            self._readers = None
        self._epoch = state_dict["epoch"]
        self._handed_out = state_dict["handed_out"]
        self._dataset._record_progress(self._handed_out, seed=state_dict["seed"])
