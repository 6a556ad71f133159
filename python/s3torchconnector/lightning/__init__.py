"""Lightning checkpoints on S3 (this package's ``lightning`` extra: Lightning and s3fs)."""

try:
    import lightning  # noqa: F401
except ModuleNotFoundError as error:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        "s3torchconnector.lightning needs Lightning: pip install 'lightning>=2.0' s3fs "
        "(what this package's [lightning] extra installs)",
        name=error.name,
    ) from error

from .s3_lightning_checkpoint import S3LightningCheckpoint

__all__ = ["S3LightningCheckpoint"]
