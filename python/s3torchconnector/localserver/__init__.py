"""The embedded local S3 server of ``python -m s3torchconnector demo`` and
``server``: SeaweedFS (the ``server`` extra; nothing is installed at run
time) on free loopback ports, and the small SigV4 client that creates its
bucket and checks it is ready. The project's tests and benchmarks start
their server through it too; their own tools (fault proxy, hostile and S3
Express servers, other stores' launchers) live in the source tree only.

`s3_target()` yields the endpoint to use: the one named by S3CONN_BUCKET /
S3CONN_ENDPOINT / S3CONN_REGION if set, otherwise a SeaweedFS server started
on free loopback ports for the duration of the block.
"""

from .seaweedfs import SUITE_ROOM, SeaweedFS, ServerError, weed_binary
from .sigv4 import SimpleS3
from .target import S3Target, s3_target

__all__ = ["SUITE_ROOM", "S3Target", "SeaweedFS", "ServerError", "SimpleS3", "s3_target", "weed_binary"]
