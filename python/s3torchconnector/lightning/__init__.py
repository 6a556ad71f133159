"""Lightning checkpoints on S3: ``pip install s3torchconnector[lightning]``."""

try:
    import lightning  # noqa: F401
except ModuleNotFoundError as error:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        "s3torchconnector.lightning needs Lightning: pip install 's3torchconnector[lightning]'",
        name=error.name,
    ) from error

from .s3_lightning_checkpoint import S3LightningCheckpoint

__all__ = ["S3LightningCheckpoint"]
