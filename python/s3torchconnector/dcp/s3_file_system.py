"""S3FileSystem: torch.distributed.checkpoint's FileSystemBase on S3."""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Generator
from contextlib import contextmanager

import torch
from torch.distributed.checkpoint.filesystem import FileSystemBase

from .._s3client import S3Client, S3ClientConfig
from .._s3conn import S3Exception, S3NotFoundError
from .._s3dataset_common import parse_s3_uri
from .._user_agent import UserAgent
from ..s3reader import S3ReaderConstructor, S3ReaderConstructorProtocol

logger = logging.getLogger(__name__)

_DELETE_ATTEMPTS = 3


def to_s3_uri(path: str | os.PathLike[str]) -> str:
    """The S3 URI in ``path``. A pathlib.Path collapses ``s3://`` into ``s3:/``;
    that form is accepted too."""
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"path must be a str or os.PathLike[str] of str, not {type(text).__name__}")
    if text.startswith("s3:/") and not text.startswith("s3://"):
        text = "s3://" + text[len("s3:/") :]
    return text


def _bucket_and_key(path: str | os.PathLike[str]) -> tuple[str, str]:
    bucket, key = parse_s3_uri(to_s3_uri(path))
    if not key:
        raise ValueError(f"{to_s3_uri(path)!r} names a bucket, not an object")
    return bucket, key


class S3FileSystem(FileSystemBase):
    """S3-based implementation of PyTorch's FileSystemBase for distributed checkpointing.

    Args:
        region: The AWS region for S3.
        s3_client: An S3Client to use instead of creating one.
        s3client_config: Optional S3ClientConfig with parameters for the S3 client.
        reader_constructor: How objects are read (S3ReaderConstructor.*()).
        endpoint: S3 endpoint URL, for S3-compatible stores.
    """

    def __init__(
        self,
        region: str,
        s3_client: S3Client | None = None,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
        endpoint: str | None = None,
    ) -> None:
        if s3_client is not None and not isinstance(s3_client, S3Client):
            raise TypeError(f"s3_client must be an S3Client, not {type(s3_client).__name__}")
        self._path: str | os.PathLike[str] = ""
        self._reader_constructor = reader_constructor or S3ReaderConstructor.default()
        reader_type = S3ReaderConstructor.get_reader_type_string(self._reader_constructor)
        self._client = s3_client or S3Client(
            region,
            endpoint=endpoint,
            user_agent=UserAgent(["md/dcp", f"md/torch#{torch.__version__}", f"md/reader_type#{reader_type}"]),
            s3client_config=s3client_config,
        )

    @contextmanager
    def create_stream(self, path: str | os.PathLike[str], mode: str) -> Generator[io.IOBase, None, None]:
        """A writer ("wb") or reader ("rb") of the object at ``path``. A writer
        left by an exception uploads nothing.

        Raises:
            ValueError: If the mode is not 'rb' or 'wb'.
        """
        if mode not in ("rb", "wb"):
            raise ValueError(
                f"Invalid mode={mode!r} mode argument: create_stream only supports rb (read mode) & wb (write mode)"
            )
        bucket, key = _bucket_and_key(path)
        if mode == "wb":
            logger.debug("create_stream writable for s3://%s/%s", bucket, key)
            with self._client.put_object(bucket, key) as writer:
                yield writer
        else:
            logger.debug("create_stream readable for s3://%s/%s", bucket, key)
            with self._client.get_object(bucket, key, reader_constructor=self._reader_constructor) as reader:
                yield reader

    def concat_path(self, path: str | os.PathLike[str], suffix: str) -> str:
        return os.path.join(to_s3_uri(path), suffix)

    def init_path(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        self._path = path
        return path

    def rename(self, old_path: str | os.PathLike[str], new_path: str | os.PathLike[str]) -> None:
        """Copies the object to ``new_path``, then deletes ``old_path`` (the delete is
        retried). S3 has no rename; the copy replaces ``new_path`` atomically.

        Raises:
            ValueError: If the paths are in different buckets.
            S3Exception: If S3 refuses the copy or, after retries, the delete.
        """
        old_bucket, old_key = _bucket_and_key(old_path)
        new_bucket, new_key = _bucket_and_key(new_path)
        if old_bucket != new_bucket:
            raise ValueError(
                f"Source and destination buckets cannot be different (rename does not support "
                f"cross-buckets operations): {old_bucket!r} vs {new_bucket!r}"
            )
        logger.debug("rename s3://%s/%s to %s", old_bucket, old_key, new_key)
        self._client.copy_object(old_bucket, old_key, new_bucket, new_key)
        self._delete_with_retry(old_bucket, old_key)

    def _delete_with_retry(self, bucket: str, key: str) -> None:
        for attempt in range(1, _DELETE_ATTEMPTS + 1):
            try:
                self._client.delete_object(bucket, key)
                return
            except S3Exception:
                if attempt == _DELETE_ATTEMPTS:
                    logger.error("giving up deleting s3://%s/%s after %d attempts", bucket, key, attempt)
                    raise
                logger.warning("deleting s3://%s/%s failed (attempt %d), retrying", bucket, key, attempt)
                time.sleep(0.2 * 2**attempt)

    def mkdir(self, path: str | os.PathLike[str]) -> None:
        """No-op: S3 has no directories."""

    def exists(self, path: str | os.PathLike[str]) -> bool:
        bucket, key = _bucket_and_key(path)
        try:
            self._client.head_object(bucket, key)
        except S3NotFoundError:
            return False
        return True

    def rm_file(self, path: str | os.PathLike[str]) -> None:
        bucket, key = _bucket_and_key(path)
        logger.debug("remove s3://%s/%s", bucket, key)
        self._client.delete_object(bucket, key)

    @classmethod
    def validate_checkpoint_id(cls, checkpoint_id: str | os.PathLike[str]) -> bool:
        try:
            parse_s3_uri(to_s3_uri(checkpoint_id))
        except (TypeError, ValueError):
            return False
        return True
