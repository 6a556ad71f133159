"""Which S3 endpoint the tests, demo and benchmarks talk to.

By default a SeaweedFS server started for the purpose (see seaweedfs.py). Set
S3CONN_BUCKET (and, for anything but AWS, S3CONN_ENDPOINT) to use another
store instead; credentials then come from the usual AWS variables or profile.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .sigv4 import SimpleS3

ENDPOINT_VAR = "S3CONN_ENDPOINT"
REGION_VAR = "S3CONN_REGION"
BUCKET_VAR = "S3CONN_BUCKET"


@dataclass(frozen=True)
class S3Target:
    endpoint: str  # empty for AWS S3
    region: str
    bucket: str
    access_key: str | None = None
    secret_key: str | None = None

    @property
    def force_path_style(self) -> bool:
        return bool(self.endpoint)

    def env(self) -> dict[str, str]:
        """Variables that make a child process use this target."""
        env = {ENDPOINT_VAR: self.endpoint, REGION_VAR: self.region, BUCKET_VAR: self.bucket}
        if self.access_key and self.secret_key:
            env["AWS_ACCESS_KEY_ID"] = self.access_key
            env["AWS_SECRET_ACCESS_KEY"] = self.secret_key
        return env

    def admin(self) -> SimpleS3:
        """An independent client for set-up and checks; needs static keys."""
        if not (self.access_key and self.secret_key and self.endpoint):
            raise RuntimeError("the admin client needs an endpoint and static credentials")
        return SimpleS3(self.endpoint, self.access_key, self.secret_key, self.region)

    def wait_ready(self, timeout: float, check_alive: Callable[[], None] = lambda: None) -> None:
        """Waits until a signed CreateBucket (of `bucket`), PutObject and
        GetObject work: what "started" means for any server. `check_alive`
        raises if the server died meanwhile. TimeoutError names the last
        failure."""
        admin = SimpleS3(self.endpoint, self.access_key or "", self.secret_key or "", self.region, timeout=5)
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            check_alive()
            try:
                admin.create_bucket(self.bucket)
                admin.put_object(self.bucket, ".ready", b"ok")
                if admin.get_object(self.bucket, ".ready") == b"ok":
                    admin.delete_object(self.bucket, ".ready")
                    return
            except (OSError, RuntimeError) as error:
                last = error
            time.sleep(0.2)
        raise TimeoutError(f"not ready after {timeout:.0f} s ({last})")

    @classmethod
    def from_env(cls) -> S3Target | None:
        bucket = os.environ.get(BUCKET_VAR)
        if not bucket:
            return None
        return cls(
            endpoint=os.environ.get(ENDPOINT_VAR, ""),
            region=os.environ.get(REGION_VAR) or os.environ.get("AWS_REGION") or "us-east-1",
            bucket=bucket,
            access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        )


@contextlib.contextmanager
def _exported(target: S3Target) -> Iterator[S3Target]:
    """Puts the target's variables in os.environ for the block, so that
    clients created without explicit credentials (the default chain) and
    child processes use them."""
    saved = {name: os.environ.get(name) for name in target.env()}
    os.environ.update(target.env())
    try:
        yield target
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def s3_target(room: int | None = None) -> Iterator[S3Target]:
    """The target named by the environment, or a local server for the block,
    with `room` bytes to write (SeaweedFS's default: what the demo needs).
    Either way its variables are exported to os.environ for the block."""
    target = S3Target.from_env()
    if target is not None:
        with _exported(target):
            yield target
        return
    from .seaweedfs import SeaweedFS

    server = SeaweedFS() if room is None else SeaweedFS(room=room)
    with server, _exported(server.target):
        yield server.target
