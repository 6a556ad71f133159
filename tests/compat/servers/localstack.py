"""LocalStack's S3 (pip `localstack-core[runtime]`), run on the host without
Docker, in a virtualenv of its own on CPython 3.13 (which it needs)."""

from __future__ import annotations

import os

from s3torchconnector.localserver import S3Target

from ._process import BUCKET, REGION, ServerError, find_python, free_port, pip_venv, wait_ready
from .base import Server

VERSION = "2026.3.0"
# Its requirements are open-ended, and today's releases of these break it
# (cbor2 6 dropped cbor2._decoder; pyOpenSSL 25 dropped X509.add_extensions):
# the versions of its own time.
REQUIREMENTS = [
    f"localstack-core[runtime]=={VERSION}",
    "cbor2==5.6.5",
    "cryptography==43.0.3",
    "pyopenssl==24.2.1",
    "service_identity==24.2.0",
    "joserfc<1.3",
]
# LocalStack takes any keys; this pair is the one its docs use.
ACCESS_KEY, SECRET_KEY = "test", "test"


class LocalStackServer(Server):
    name = "localstack"
    source = "pip `localstack-core[runtime]` (host mode)"

    def install(self) -> None:
        python = find_python("3.13")
        if python is None:
            raise ServerError("LocalStack needs CPython 3.13 (it imports warnings.deprecated)")
        self.bin = pip_venv(self.cache / "venv", REQUIREMENTS, self.log, python=python)

    def start(self) -> S3Target:
        port = free_port()
        env = dict(
            os.environ,
            GATEWAY_LISTEN=f"127.0.0.1:{port}",
            SERVICES="s3",
            EAGER_SERVICE_LOADING="1",
            LOCALSTACK_VOLUME_DIR=str(self.workdir / "volume"),
            SKIP_SSL_CERT_DOWNLOAD="1",
            DISABLE_EVENTS="1",
            DNS_ADDRESS="0",
        )
        self.daemons.start([str(self.bin / "python"), "-m", "localstack.runtime.main"], env=env, cwd=self.workdir)
        target = S3Target(f"http://127.0.0.1:{port}", REGION, BUCKET, ACCESS_KEY, SECRET_KEY)
        wait_ready(target, self.daemons, timeout=120)
        return target

    def version(self) -> str:
        return VERSION
