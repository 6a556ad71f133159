"""S3IterableDataset: stream the objects of a prefix, a list of URIs, or a manifest."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import torch
import torch.utils.data

from ._dataset_base import S3DatasetBase, is_one_shot, manifest_source, objects_source, prefix_source
from ._manifest import Manifest
from ._prefetch import DEFAULT_PREFETCH_BYTES, DEFAULT_PREFETCH_OBJECTS, InFlightWindow, PrefetchingReaders
from ._resume import (
    Layout,
    check_int,
    check_state,
    global_state,
    global_state_after,
    is_global_state,
    stream_layout,
    take_stream,
)
from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import identity
from ._shuffle import buffer_shuffle, rng_for
from .s3reader import S3Reader, S3ReaderConstructorProtocol

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    * **Global shuffle**: ``global_shuffle=True`` reads the epoch in a random
      permutation of the whole listing (it is held in memory as names and
      sizes), by ``seed`` and epoch.
    * **Exact resume**: ``state_dict()`` / ``load_state_dict()`` restart an epoch
      right after the last object handed out, none twice, none lost. Both this
      dataset and its iterators implement torchdata's ``Stateful``, so
      ``StatefulDataLoader`` checkpoints and restores every worker.
    * **Resume with another layout**: with sharding, ranks and workers take the
      epoch's order in blocks of ``batch_size`` (the DataLoader's), so what a
      job has consumed is always the first N samples of the order.
      ``S3IterableDataset.global_state(loader.state_dict())`` (StatefulDataLoader)
      or ``dataset.global_state_after(batches)`` (plain DataLoader) gives that
      position; loaded into the dataset of a job with any number of ranks and
      workers, it yields exactly the samples not yet seen, each once.

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
        global_shuffle: a random permutation of the whole listing per epoch
            instead (not with a shuffle buffer).
        seed: seed of the shuffle, with the epoch (``set_epoch``).
        batch_size: the DataLoader's batch size: with sharding, each rank and
            worker takes whole blocks of this many samples in turn, which makes
            the position of a job one number (see ``global_state``).
        prefetch_objects: most downloads in flight per process (a ceiling for
            the adaptive window; 1 reads one object at a time).
        prefetch_bytes: about the most bytes of downloads held per process.
        cache_dir: a local folder that keeps the objects read, for the next
            epochs (keyed by bucket, key and ETag; shared by all the node's
            workers and ranks). None: no cache. See the epochs guide.
        cache_bytes: the most bytes the cache keeps (None: half the free
            space of its file system).
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
        global_shuffle: bool = False,
        seed: int = 0,
        batch_size: int = 1,
        prefetch_objects: int = DEFAULT_PREFETCH_OBJECTS,
        prefetch_bytes: int = DEFAULT_PREFETCH_BYTES,
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
        if not isinstance(enable_sharding, bool):
            raise TypeError(f"enable_sharding must be a bool, not {type(enable_sharding).__name__}")
        check_int("shuffle_buffer_size", shuffle_buffer_size)
        if not isinstance(global_shuffle, bool):
            raise TypeError(f"global_shuffle must be a bool, not {type(global_shuffle).__name__}")
        if global_shuffle and shuffle_buffer_size:
            raise ValueError("global_shuffle and shuffle_buffer_size are two ways to shuffle: choose one")
        check_int("seed", seed)
        check_int("batch_size", batch_size, 1)
        check_int("prefetch_objects", prefetch_objects, 1)
        check_int("prefetch_bytes", prefetch_bytes)
        self._enable_sharding = enable_sharding
        self._shuffle_buffer_size = shuffle_buffer_size
        self._global_shuffle = global_shuffle
        self._seed = seed
        self._batch_size = batch_size
        self._prefetch_objects = prefetch_objects
        self._prefetch_bytes = prefetch_bytes
        self._epoch = 0
        # What load_state_dict asks of the next pass: samples of the epoch's
        # order to skip (a global state), then objects of this process's
        # stream to skip (a stream state, valid only in the stream it names).
        self._skip = 0
        self._resume_at = 0
        self._resume_layout: Layout | None = None
        # The current pass, in this process: what its state_dict() reports.
        self._pass_skip = 0
        self._handed_out = 0
        self._exhausted = False
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
        # Pickled for spawned DataLoader workers: they get the listing with it.
        if not is_one_shot(self._get_dataset_objects):
            self._listing()
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
        check_int("epoch", epoch)
        self._epoch = epoch
        self._skip = self._resume_at = 0
        self._resume_layout = None

    def _layout(self) -> Layout:
        """This process's place among the readers of an epoch."""
        if not self._enable_sharding:
            return Layout(batch_size=self._batch_size)
        rank, world_size = self._rank_and_world()
        worker = torch.utils.data.get_worker_info()
        worker_id, num_workers = (worker.id, worker.num_workers) if worker is not None else (0, 1)
        return Layout(world_size, rank, num_workers, worker_id, self._batch_size)

    def _stream_state(self, handed_out: int, skipped: int, exhausted: bool) -> dict[str, Any]:
        return {
            "epoch": self._epoch,
            "seed": self._seed,
            "handed_out": handed_out,
            "skipped": skipped,
            **self._layout().as_state(),
            "exhausted": exhausted,
        }

    def state_dict(self) -> dict[str, Any]:
        """Where this process is in the current pass: epoch, seed, objects of
        its stream handed out, samples of the order skipped before them, and
        the layout (rank, worker, batch size) it reads under."""
        return self._stream_state(self._handed_out, self._pass_skip, self._exhausted)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Makes the next pass continue where a state left off. A stream state
        (``state_dict()``) continues the same stream: the same rank and worker
        of the same layout. A global state (``global_state``) continues the
        job in any layout: the first ``samples_consumed`` of the order are
        skipped, and the rest is shared out anew."""
        check_state(state_dict)
        self._epoch = state_dict["epoch"]
        self._seed = state_dict["seed"]
        if is_global_state(state_dict):
            self._skip, self._resume_at, self._resume_layout = state_dict["samples_consumed"], 0, None
        else:
            self._skip = state_dict.get("skipped", 0)
            self._resume_at = state_dict["handed_out"]
            self._resume_layout = stream_layout(state_dict)

    @staticmethod
    def global_state(state_dict: Any) -> dict[str, int]:
        """The position of a job in its epoch, as ``{"epoch", "seed",
        "samples_consumed"}``, from one rank's state: a StatefulDataLoader's
        ``state_dict()`` (it holds every worker's), or a dataset's without
        workers. Ranks are taken to be in lockstep (each took as many
        batches), as data-parallel training keeps them. Load the result into
        the dataset of the resumed job, before making its DataLoader."""
        return global_state(state_dict)

    def global_state_after(self, batches: int) -> dict[str, int]:
        """The position of the job once every rank has taken ``batches``
        batches of this epoch from a plain DataLoader (of ``batch_size``)."""
        ranks = self._rank_and_world()[1] if self._enable_sharding else 1
        skipped = self._skip or self._pass_skip
        return global_state_after(self._epoch, self._seed, skipped, batches, ranks, self._batch_size)

    def _record_progress(self, handed_out: int, skipped: int, exhausted: bool, seed: int | None = None) -> None:
        """What the current pass's iterator reports, so that the dataset's own
        ``state_dict()`` tells where that pass is."""
        self._handed_out, self._pass_skip, self._exhausted = handed_out, skipped, exhausted
        if seed is not None:
            self._seed = seed

    # -- iteration ----------------------------------------------------------

    def _objects_for_this_worker(self, epoch: int, skip: int) -> Iterator[S3BucketKeyData]:
        """The objects of one pass, for this process: the epoch's order (shuffled,
        when asked, the same way everywhere), less its first ``skip``, then with
        sharding this process's blocks of it (see ``_resume``)."""
        if is_one_shot(self._get_dataset_objects) and not self._global_shuffle:
            # Read as it is consumed: there is no index to work on.
            objects: Iterator[S3BucketKeyData] = iter(self._get_dataset_objects(self._get_client()))
            if self._shuffle_buffer_size > 0:
                objects = buffer_shuffle(objects, self._shuffle_buffer_size, rng_for(self._seed, epoch))
            return self._share_of(objects, skip)
        # Orders, skips and shares out positions in the index, and makes
        # objects only for this process's share.
        index = self._listing()
        positions: Iterator[int] = iter(range(len(index)))
        if self._global_shuffle:
            generator = torch.Generator().manual_seed(rng_for(self._seed, epoch).getrandbits(63))
            positions = (int(p) for p in torch.randperm(len(index), generator=generator))
        elif self._shuffle_buffer_size > 0:
            positions = buffer_shuffle(positions, self._shuffle_buffer_size, rng_for(self._seed, epoch))
        return (index[p] for p in self._share_of(positions, skip))

    def _share_of(self, order: Iterator[T], skip: int) -> Iterator[T]:
        if skip:
            order = islice(order, skip, None)
        return take_stream(order, self._layout()) if self._enable_sharding else order

    def _get_transformed_object(self, bucket_key: S3BucketKeyData) -> Any:
        return self._transform(self._open_reader(bucket_key))

    def _check_resumes_this_stream(self, saved: Layout | None) -> None:
        here = self._layout()
        if saved is not None and saved != here:
            raise ValueError(
                f"this state was saved by {saved.describe()}; this process is {here.describe()}. A state "
                "resumes only the stream it was saved by: to resume with another number of ranks or workers, "
                "load S3IterableDataset.global_state(<the DataLoader's state_dict()>) into the dataset "
                "before making the DataLoader"
            )

    def __iter__(self) -> S3IterableDatasetIterator:
        skip, start, saved = self._skip, self._resume_at, self._resume_layout
        self._skip, self._resume_at, self._resume_layout = 0, 0, None
        self._record_progress(start, skip, False)
        return S3IterableDatasetIterator(self, self._epoch, skip, start, saved)


class S3IterableDatasetIterator:
    """One pass over an S3IterableDataset in one process. Nothing is listed or
    downloaded before the first ``next()``, so that a restored state costs no
    wasted requests. Implements torchdata's ``Stateful``."""

    def __init__(
        self, dataset: S3IterableDataset, epoch: int, skip: int, start: int, saved_layout: Layout | None
    ) -> None:
        self._dataset = dataset
        self._epoch = epoch
        self._skip = skip
        self._handed_out = start
        self._saved_layout = saved_layout
        self._exhausted = False
        self._readers: PrefetchingReaders | None = None

    def __iter__(self) -> S3IterableDatasetIterator:
        return self

    def __next__(self) -> Any:
        if self._readers is None:
            dataset = self._dataset
            dataset._check_resumes_this_stream(self._saved_layout)
            objects = islice(dataset._objects_for_this_worker(self._epoch, self._skip), self._handed_out, None)
            client = dataset._client.get()
            self._readers = PrefetchingReaders(
                objects,
                dataset._open_reader,
                dataset._prefetch_objects,
                dataset._prefetch_bytes,
                per_object_cap=client.read_ahead_bytes,  # what one download buffers ahead
                window=InFlightWindow(dataset._prefetch_objects, lambda: int(client.metrics()["throttles"])),
            )
        try:
            reader = next(self._readers)
        except StopIteration:
            self._exhausted = True
            self._dataset._record_progress(self._handed_out, self._skip, True)
            raise
        item = self._dataset._transform(reader)
        self._handed_out += 1
        self._dataset._record_progress(self._handed_out, self._skip, False)
        return item

    def state_dict(self) -> dict[str, Any]:
        return self._dataset._stream_state(self._handed_out, self._skip, self._exhausted)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        check_state(state_dict)
        if is_global_state(state_dict):
            raise ValueError(
                "a global state is loaded into the dataset (before making the DataLoader), not an iterator"
            )
        if self._readers is not None:
            self._readers.close()
            self._readers = None
        self._epoch = state_dict["epoch"]
        self._skip = state_dict.get("skipped", 0)
        self._handed_out = state_dict["handed_out"]
        self._saved_layout = stream_layout(state_dict)
        self._exhausted = False
        self._dataset._record_progress(self._handed_out, self._skip, False, seed=state_dict["seed"])
