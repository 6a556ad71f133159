"""A local S3-compatible server for tests, demos and benchmarks.

`s3_target()` yields the endpoint to use: the one named by S3CONN_BUCKET /
S3CONN_ENDPOINT / S3CONN_REGION if set, otherwise a SeaweedFS server started
on free loopback ports for the duration of the block.
"""

from .seaweedfs import SUITE_ROOM, SeaweedFS, ServerError, weed_binary
from .sigv4 import SimpleS3
from .target import S3Target, s3_target

__all__ = ["SUITE_ROOM", "S3Target", "SeaweedFS", "ServerError", "SimpleS3", "s3_target", "weed_binary"]
