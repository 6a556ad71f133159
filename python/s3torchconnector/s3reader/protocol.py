"""The callables that connect readers to a client."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .._s3conn import GetObjectStream
from .s3reader import S3Reader

if TYPE_CHECKING:
    from torch.distributed.checkpoint.filesystem import _StorageInfo
    from torch.distributed.checkpoint.metadata import MetadataIndex
    from torch.distributed.checkpoint.planner import ReadItem

    from .dcp_optimized import ItemRange


class ObjectInfoLike(Protocol):
    """What readers need to know about an object: its size."""

    @property
    def size(self) -> int: ...


class GetStreamCallable(Protocol):
    def __call__(self, start: int | None = None, end: int | None = None) -> GetObjectStream: ...


@runtime_checkable
class S3ReaderConstructorProtocol(Protocol):
    def __call__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
    ) -> S3Reader: ...


@runtime_checkable
class DCPS3ReaderConstructorProtocol(Protocol):
    _item_ranges_by_file: dict[str, list[ItemRange]]

    def __call__(
        self,
        bucket: str,
        key: str,
        get_object_info: Callable[[], ObjectInfoLike],
        get_stream: GetStreamCallable,
    ) -> S3Reader: ...

    def set_item_ranges_by_file(
        self,
        plan_items: list[ReadItem],
        storage_data: dict[MetadataIndex, _StorageInfo],
        base_path: str | os.PathLike[str],
    ) -> None: ...
