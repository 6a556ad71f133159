"""s3torchconnector: PyTorch datasets and checkpoints on Amazon S3."""

from ._s3conn import S3Exception, __version__

__all__ = ["S3Exception", "__version__"]
