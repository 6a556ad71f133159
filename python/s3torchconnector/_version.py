"""The package version, as built into the native module, and the version of
Amazon's s3torchconnector whose public API this one implements (see the
migration guide: code that compares versions should compare that one)."""

from ._s3conn import __version__

__reference_version__ = "1.5.0"

__all__ = ["__version__", "__reference_version__"]
