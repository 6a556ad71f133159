"""s3torchconnector: PyTorch datasets and checkpoints on Amazon S3."""

from ._s3conn import S3AccessDeniedError, S3Exception, S3NotFoundError

# The order of these imports is the order of the API docs.
from .s3reader import S3Reader, S3ReaderConstructor  # isort: skip
from ._s3client import S3Client, S3ClientConfig
from ._version import __reference_version__, __version__
from .s3checkpoint import S3Checkpoint
from .s3iterable_dataset import S3IterableDataset
from .s3map_dataset import S3MapDataset
from .s3writer import S3Writer

__all__ = [
    "S3IterableDataset",
    "S3MapDataset",
    "S3Checkpoint",
    "S3Reader",
    "S3ReaderConstructor",
    "S3Writer",
    "S3Exception",
    "S3NotFoundError",
    "S3AccessDeniedError",
    "S3ClientConfig",
    "S3Client",
    "__version__",
    "__reference_version__",
]
