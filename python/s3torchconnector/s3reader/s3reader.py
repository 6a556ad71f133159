"""S3Reader: the abstract, read-only, file-like view of one S3 object."""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from io import SEEK_SET
from typing import Any


class S3Reader(ABC, io.BufferedIOBase):
    """An abstract base class for read-only, file-like representation of a single object stored in S3.

    This class defines the interface for S3 readers. Concrete implementations (SequentialS3Reader,
    RangedS3Reader, DCPOptimizedS3Reader) extend this class. S3ReaderConstructor creates partial
    functions of these implementations, which are then completed by S3Client with the remaining
    required parameters.
    """

    @property
    @abstractmethod
    def bucket(self) -> str: ...

    @property
    @abstractmethod
    def key(self) -> str: ...

    @abstractmethod
    def read(self, size: int | None = None) -> bytes: ...

    @abstractmethod
    def seek(self, offset: int, whence: int = SEEK_SET, /) -> int: ...

    @abstractmethod
    def tell(self) -> int: ...

    @abstractmethod
    def readinto(self, buf: Any) -> int: ...

    def read1(self, size: int = -1) -> bytes:
        """Like ``read``; lets io.TextIOWrapper and friends wrap a reader."""
        return self.read(None if size < 0 else size)

    def readinto1(self, buf: Any) -> int:
        """Like ``readinto``."""
        return self.readinto(buf)

    def seekable(self) -> bool:
        """
        Returns:
            bool: Return whether object supports seek operations.
        """
        return True

    def readable(self) -> bool:
        """
        Returns:
            bool: Return whether object was opened for reading.
        """
        return True

    def writable(self) -> bool:
        """
        Returns:
            bool: Return whether object was opened for writing.
        """
        return False
