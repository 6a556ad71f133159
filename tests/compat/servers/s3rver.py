"""s3rver (npm `s3rver`), a Node.js server on the file system."""

from __future__ import annotations

import os
import shutil

from s3torchconnector.localserver import S3Target

from ._process import BUCKET, REGION, ServerError, free_port, run, wait_ready
from .base import Server

VERSION = "3.7.1"
# s3rver accepts one fixed key pair, and checks signatures made with it.
ACCESS_KEY = SECRET_KEY = "S3RVER"


class S3rverServer(Server):
    name = "s3rver"
    source = "npm `s3rver`"

    def install(self) -> None:
        self.script = self.cache / "node_modules" / ".bin" / "s3rver"
        if self.script.exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise ServerError("s3rver needs Node.js and npm")
        (self.cache / "package.json").write_text('{"private": true}\n')
        run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(self.cache), f"s3rver@{VERSION}"], self.log)

    def start(self) -> S3Target:
        port = free_port()
        data = self.workdir / "data"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        # s3rver makes continuation tokens with DES, which OpenSSL 3 keeps in
        # its legacy provider: without it every truncated listing is a 500.
        env = dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider")
        self.daemons.start(
            [str(self.script), "--address", "127.0.0.1", "--port", str(port), "--directory", str(data), "--silent"],
            env=env,
        )
        target = S3Target(f"http://127.0.0.1:{port}", REGION, BUCKET, ACCESS_KEY, SECRET_KEY)
        wait_ready(target, self.daemons, timeout=60)
        return target

    def version(self) -> str:
        return VERSION
