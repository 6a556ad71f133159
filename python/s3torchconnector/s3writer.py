"""S3Writer: a write-only, file-like upload of one object."""

from __future__ import annotations

import io
import logging
import threading
from types import TracebackType
from typing import Any

from ._s3conn import PutObjectStream

logger = logging.getLogger(__name__)


class S3Writer(io.BufferedIOBase):
    """A write-only, file like representation of a single object stored in S3.

    Nothing is visible in the bucket until ``close()`` succeeds. An exception
    inside a ``with`` block aborts the upload, and so does dropping a writer
    that was never closed: no object, partial or otherwise, is created.
    (Amazon's s3torchconnector completes the upload in both cases, storing
    whatever was written so far.)

    Made by ``S3Checkpoint.writer`` and ``S3Client.put_object``.

    Args:
        stream: the native upload it writes to.
    """

    def __init__(self, stream: PutObjectStream) -> None:
        self.stream = stream
        self._position = 0
        self._closed = False
        self._aborted = False
        self._lock = threading.Lock()

    def __enter__(self) -> S3Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            logger.info(
                "aborting the upload of s3://%s/%s after %s: %s",
                self.stream.bucket,
                self.stream.key,
                exc_type.__name__,
                exc_val,
            )
            self.abort()

    def write(self, data: Any) -> int:
        """Write bytes to S3 Object specified by bucket and key

        Args:
            data: any bytes-like object (bytes, bytearray, memoryview, numpy array, ...);
                it is handed to the native client without a copy in Python.

        Returns:
            int: Number of bytes written

        Raises:
            S3Exception: An error occurred accessing S3.
            ValueError: If the writer is closed.
        """
        if self._closed:
            raise ValueError("I/O operation on closed file.")
        written: int = self.stream.write(data)
        self._position += written
        return written

    def close(self) -> None:
        """Close write-stream to S3. Ensures all bytes are written successfully.
        Closing twice is harmless.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.stream.close()

    def abort(self) -> None:
        """Cancels the upload: nothing is created, and a multipart upload is
        aborted on the server before this returns."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._aborted = True
            self.stream.abort()

    @property
    def closed(self) -> bool:
        """
        Returns:
            bool: Return whether the object is closed.
        """
        return self._closed

    def flush(self) -> None:
        """No-op"""

    def readable(self) -> bool:
        """
        Returns:
            bool: Return whether object was opened for reading.
        """
        return False

    def writable(self) -> bool:
        """
        Returns:
            bool: Return whether object is open for writing.
        """
        return not self._closed

    def tell(self) -> int:
        """
        Returns:
              int: Current stream position.
        """
        return self._position

    def __del__(self) -> None:
        # io.IOBase.__del__ would close(), completing an upload the caller
        # never finished. Dropping the stream instead aborts it.
        if not getattr(self, "_closed", True):
            self._closed = True
            self.stream = None  # type: ignore[assignment]
