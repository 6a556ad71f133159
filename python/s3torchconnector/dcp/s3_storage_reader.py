"""S3StorageReader: DCP's FileSystemReader, reading from S3."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor

from torch.distributed.checkpoint.filesystem import FileSystemReader
from torch.distributed.checkpoint.planner import LoadPlan, LoadPlanner, ReadItem
from torch.futures import Future

from .._s3client import S3ClientConfig
from ..s3reader import DCPS3ReaderConstructorProtocol, S3ReaderConstructor, S3ReaderConstructorProtocol
from .s3_file_system import S3FileSystem


class S3StorageReader(FileSystemReader):
    """S3 implementation of PyTorch's FileSystemReader with configurable reader strategies.

    By default uses the DCP-optimized reader: each rank fetches only the byte
    ranges its load plan needs, nearby ranges coalesced into one request. For
    unsupported or non-DCP access patterns, use the generic reader::

        S3StorageReader(region, path, reader_constructor=S3ReaderConstructor.default())

    Args:
        region: The AWS region for S3.
        path: The S3 URI to read checkpoints from.
        s3client_config: Optional S3ClientConfig with parameters for S3 client.
        reader_constructor: Defaults to ``S3ReaderConstructor.dcp_optimized()``.
        endpoint: S3 endpoint URL, for S3-compatible stores.
        thread_count: files of this rank's plan read at the same time (each file's
            ranges are already fetched in parallel parts). 8 by default; 1 reads
            one file after the other, as PyTorch's FileSystemReader does.
    """

    def __init__(
        self,
        region: str,
        path: str | os.PathLike[str],
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | DCPS3ReaderConstructorProtocol | None = None,
        endpoint: str | None = None,
        thread_count: int = 8,
    ) -> None:
        if not S3FileSystem.validate_checkpoint_id(path):
            raise ValueError(f"path must be an s3:// URI, not {path!r}")
        if not isinstance(thread_count, int) or isinstance(thread_count, bool) or thread_count < 1:
            raise ValueError(f"thread_count must be a positive integer, not {thread_count!r}")
        super().__init__(path)
        self._thread_count = thread_count
        self._reader_constructor = reader_constructor or S3ReaderConstructor.dcp_optimized()
        self.fs = S3FileSystem(  # type: ignore[assignment]
            region,
            s3client_config=s3client_config,
            reader_constructor=self._reader_constructor,
            endpoint=endpoint,
        )
        self.path = self.fs.init_path(path)
        self.sync_files = False

    @classmethod
    def validate_checkpoint_id(cls, checkpoint_id: str | os.PathLike[str]) -> bool:
        return S3FileSystem.validate_checkpoint_id(checkpoint_id)

    def prepare_local_plan(self, plan: LoadPlan) -> LoadPlan:
        """Orders the plan's items by file and offset, so that every file is read
        front to back, and hands their byte ranges to a DCP-optimized reader."""
        storage = self.storage_data
        plan.items.sort(
            key=lambda item: (storage[item.storage_index].relative_path, storage[item.storage_index].offset)
        )
        if isinstance(self._reader_constructor, DCPS3ReaderConstructorProtocol):
            self._reader_constructor.set_item_ranges_by_file(plan.items, storage, self.path)
        return plan

    def read_data(self, plan: LoadPlan, planner: LoadPlanner) -> Future[None]:
        """Reads the plan's files ``thread_count`` at a time, each file as
        FileSystemReader reads it (the same bytes, in the plan's order within a
        file); a latency per file is paid once per batch of files, not per file."""
        per_file: dict[str, list[ReadItem]] = {}
        for item in plan.items:
            per_file.setdefault(self.storage_data[item.storage_index].relative_path, []).append(item)
        if self._thread_count == 1 or len(per_file) <= 1:
            return super().read_data(plan, planner)
        with ThreadPoolExecutor(min(self._thread_count, len(per_file)), thread_name_prefix="s3-dcp-read") as pool:
            loads = [
                pool.submit(super(S3StorageReader, self).read_data, dataclasses.replace(plan, items=items), planner)
                for items in per_file.values()
            ]
            for load in loads:
                load.result().wait()
        done: Future[None] = Future()
        done.set_result(None)
        return done
