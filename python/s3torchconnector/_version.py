"""The package version, as built into the native module."""

from ._s3conn import __version__

__all__ = ["__version__"]
