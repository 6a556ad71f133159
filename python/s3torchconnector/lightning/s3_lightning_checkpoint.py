"""S3LightningCheckpoint: Lightning's CheckpointIO on S3."""

from __future__ import annotations

import threading
from typing import Any

import lightning
import torch
from lightning.pytorch.plugins.io import CheckpointIO

from .._s3client import S3Client, S3ClientConfig
from .._s3dataset_common import parse_object_uri
from .._user_agent import UserAgent
from ..s3reader import S3ReaderConstructor

_STREAMING = S3ReaderConstructor.sequential(streaming=True)


class S3LightningCheckpoint(CheckpointIO):  # type: ignore[misc]  # Lightning is not type-checked here
    """A checkpoint manager for S3 using the :class:`CheckpointIO` interface.

    Example::

        trainer = Trainer(
            plugins=[S3LightningCheckpoint(region="us-east-1")],
            default_root_dir="s3://bucket/lightning/",
        )

    Saving is all-or-nothing: a save interrupted by an error creates no object.
    It works inside ``AsyncCheckpointIO`` (saves on a background thread).

    Args:
        region: AWS region of the bucket; "" takes ``AWS_REGION`` / ``AWS_DEFAULT_REGION``.
        endpoint: endpoint URL of an S3-compatible store (``http://host:port``);
            None takes ``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL``, then AWS.
        s3client_config: client tuning (part size, retries, timeouts, memory).
    """

    def __init__(
        self,
        region: str,
        s3client_config: S3ClientConfig | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.region = region
        self._client = S3Client(
            region,
            endpoint=endpoint,
            user_agent=UserAgent([f"md/lightning#{lightning.__version__}"]),
            s3client_config=s3client_config,
        )
        # Saves in progress, by key: Lightning's AsyncCheckpointIO saves on a
        # thread of its own but removes on the caller's, so a removal can come
        # while the save it removes is still uploading.
        self._saving: dict[tuple[str, str], threading.Event] = {}
        self._saving_lock = threading.Lock()

    def save_checkpoint(
        self,
        checkpoint: dict[str, Any],
        path: str,  # an S3 URI, never a local Path
        storage_options: Any | None = None,
    ) -> None:
        """Save model/training states as a checkpoint file through state-dump and upload to S3.

        Args:
            checkpoint: Containing model and trainer state
            path: Write-target S3 uri
            storage_options: Not used.
        """
        bucket, key = self._location(path)
        done = threading.Event()
        with self._saving_lock:
            self._saving[(bucket, key)] = done
        try:
            with self._client.put_object(bucket, key) as writer:
                torch.save(checkpoint, writer)  # type: ignore[arg-type]  # an io.BufferedIOBase is an IO[bytes]
        finally:
            with self._saving_lock:
                if self._saving.get((bucket, key)) is done:
                    del self._saving[(bucket, key)]
            done.set()

    def load_checkpoint(
        self,
        path: str,
        map_location: Any | None = None,
        weights_only: bool | None = None,
    ) -> dict[str, Any]:
        """Load checkpoint from an S3 location when resuming or loading ckpt for test/validate/predict stages.

        Args:
            path: S3 uri to checkpoint
            map_location: A function, :class:`torch.device`, string or a dict specifying how to remap storage locations.
            weights_only: If True, only loads tensors and primitive types (safer). If False, allows loading
                arbitrary Python objects. If None, PyTorch's default applies.

        Returns:
            Dict[str, Any]: The loaded checkpoint

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        bucket, key = self._location(path)
        # Streaming: a checkpoint is read once, front to back (see S3Checkpoint).
        with self._client.get_object(bucket, key, reader_constructor=_STREAMING) as reader:
            loaded: dict[str, Any] = torch.load(reader, map_location, weights_only=weights_only)  # type: ignore[arg-type]
        return loaded

    def remove_checkpoint(self, path: str) -> None:
        """Remove checkpoint file from the S3 uri.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        bucket, key = self._location(path)
        with self._saving_lock:
            saving = self._saving.get((bucket, key))
        if saving is not None:
            saving.wait()  # removed once it exists, not before (which would leave it behind)
        self._client.delete_object(bucket, key)

    def teardown(self) -> None:
        """This method is called to teardown the process."""

    @staticmethod
    def _location(path: str) -> tuple[str, str]:
        if not isinstance(path, str):
            raise TypeError(
                f"{type(path).__name__!r} is not a supported type for 'path'. Must be a string formatted as an S3 uri."
            )
        return parse_object_uri(path)
