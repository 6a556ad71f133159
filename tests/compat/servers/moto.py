"""moto's standalone server (pip `moto[server]`), in a virtualenv of its own."""

from __future__ import annotations

from s3torchconnector.localserver import S3Target

from ._process import BUCKET, REGION, free_port, new_keys, pip_venv, wait_ready
from .base import Server

VERSION = "5.2.5"


class MotoServer(Server):
    name = "moto"
    source = "pip `moto[server]`"

    def install(self) -> None:
        self.bin = pip_venv(self.cache / "venv", [f"moto[server]=={VERSION}"], self.log)

    def start(self) -> S3Target:
        port = free_port()
        self.daemons.start([str(self.bin / "moto_server"), "-H", "127.0.0.1", "-p", str(port)])
        access, secret = new_keys()  # moto takes any keys, and checks signatures of none
        target = S3Target(f"http://127.0.0.1:{port}", REGION, BUCKET, access, secret)
        wait_ready(target, self.daemons, timeout=60)
        return target

    def version(self) -> str:
        return VERSION
