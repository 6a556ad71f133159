"""SeaweedFS, the project's own test server (the `server` extra)."""

from __future__ import annotations

from s3torchconnector.localserver import S3Target, SeaweedFS, weed_binary
from s3torchconnector.localserver.seaweedfs import SEAWEEDFS_REQUIREMENT

from ._process import BUCKET
from .base import Server


class SeaweedFSServer(Server):
    name = "seaweedfs"
    source = f"pip `{SEAWEEDFS_REQUIREMENT.split('==')[0]}`"

    def install(self) -> None:
        weed_binary()  # in the project's virtualenv already; says how if not

    def start(self) -> S3Target:
        self._server = SeaweedFS(bucket=BUCKET, data_dir=str(self.workdir))
        return self._server.start()

    def stop(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.stop()

    def version(self) -> str:
        return SEAWEEDFS_REQUIREMENT.split("==")[1]
