"""S3StorageWriter: DCP's FileSystemWriter, writing to S3."""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any

from torch.distributed.checkpoint.filesystem import FileSystemWriter
from torch.distributed.checkpoint.planner import SavePlan

from .._s3client import S3ClientConfig
from .s3_file_system import S3FileSystem
from .s3_prefix_strategy import DefaultPrefixStrategy, S3PrefixStrategyBase

logger = logging.getLogger(__name__)

try:  # what FileSystemWriter.write_data reads the prefix from
    from torch.distributed.checkpoint.filesystem import _StoragePrefix as StorageMetadata
except ImportError:  # pragma: no cover - older torch

    @dataclasses.dataclass
    class StorageMetadata:  # type: ignore[no-redef]
        """Metadata for S3 storage prefix."""

        prefix: str


class S3StorageWriter(FileSystemWriter):
    """S3 implementation of PyTorch's FileSystemWriter for distributed checkpoints.

    Args:
        region: The AWS region for S3.
        path: The S3 URI to write checkpoints to.
        s3client_config: Optional S3ClientConfig with parameters for S3 client.
        prefix_strategy: Where each rank's files go (see s3_prefix_strategy);
            ``__<rank>_`` directly under ``path`` by default.
        thread_count: Number of IO threads to use to write. Defaults to 1 (PyTorch's default).
        endpoint: S3 endpoint URL, for S3-compatible stores.
        kwargs: Passed to :class:`FileSystemWriter`.

    Overwriting a checkpoint first removes its ``.metadata``, before any rank
    writes a shard: a save that dies half-way leaves a checkpoint that refuses
    to load, never one whose old metadata points into new shards.
    """

    def __init__(
        self,
        region: str,
        path: str,
        s3client_config: S3ClientConfig | None = None,
        prefix_strategy: S3PrefixStrategyBase | None = None,
        thread_count: int = 1,
        endpoint: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(thread_count, int) or isinstance(thread_count, bool) or thread_count < 1:
            raise ValueError(f"thread_count must be a positive integer, not {thread_count!r}")
        if prefix_strategy is not None and not isinstance(prefix_strategy, S3PrefixStrategyBase):
            raise TypeError(f"prefix_strategy must be an S3PrefixStrategyBase, not {type(prefix_strategy).__name__}")
        if not S3FileSystem.validate_checkpoint_id(path):
            raise ValueError(f"path must be an s3:// URI, not {path!r}")
        # S3 objects are durable once written; there is no file to fsync.
        kwargs["sync_files"] = False
        super().__init__(path=path, thread_count=thread_count, **kwargs)
        self.fs = S3FileSystem(region, s3client_config=s3client_config, endpoint=endpoint)  # type: ignore[assignment]
        self.path = self.fs.init_path(path)
        self.prefix_strategy = prefix_strategy or DefaultPrefixStrategy()

    def prepare_global_plan(self, plans: list[SavePlan]) -> list[SavePlan]:
        """Gives each rank its storage prefix; runs on the coordinator before any
        rank writes, which is when stale metadata is removed."""
        self._remove_stale_metadata()
        return [
            dataclasses.replace(plan, storage_data=StorageMetadata(self.prefix_strategy(rank)))
            for rank, plan in enumerate(plans)
        ]

    def _remove_stale_metadata(self) -> None:
        metadata = self.fs.concat_path(self.path, ".metadata")
        if self.fs.exists(metadata):
            logger.info("overwriting the checkpoint at %s: removing its metadata first", self.path)
            self.fs.rm_file(metadata)

    @classmethod
    def validate_checkpoint_id(cls, checkpoint_id: str | os.PathLike[str]) -> bool:
        return S3FileSystem.validate_checkpoint_id(checkpoint_id)
