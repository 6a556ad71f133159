from typing import NamedTuple

from ._s3conn import ObjectInfo


class S3BucketKeyData(NamedTuple):
    """Read-only information about object stored in S3."""

    bucket: str
    key: str
    object_info: ObjectInfo | None = None
