"""Fixtures shared by every Python test: one S3 endpoint per session (a local
SeaweedFS server unless S3CONN_BUCKET names another store), a key prefix per
test, and clients configured for that endpoint."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest

from s3torchconnector.localserver import SUITE_ROOM, S3Target, s3_target

# Tests must never wait for an instance metadata service that is not there.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from .support import PART_SIZE

RUN_ID = uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Target]:
    # Exports the endpoint and its credentials to os.environ for the session.
    with s3_target(room=SUITE_ROOM) as target:
        yield target


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """A key prefix no other test (or run) shares."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:80]
    return f"py-tests/{RUN_ID}/{name}/"


@pytest.fixture(scope="session")
def native_client(s3: S3Target):  # type: ignore[no-untyped-def]
    from s3torchconnector._s3conn import Client

    return Client(
        s3.region,
        endpoint=s3.endpoint or None,
        force_path_style=s3.force_path_style,
        part_size=PART_SIZE,
        user_agent_prefix="s3conn-python-tests",
    )


@pytest.fixture(scope="session")
def client_config():  # type: ignore[no-untyped-def]
    """S3ClientConfig for the session's endpoint, with the smallest part size."""
    from s3torchconnector import S3ClientConfig

    return S3ClientConfig(part_size=PART_SIZE, force_path_style=True)


@pytest.fixture(scope="session")
def s3_client(s3: S3Target, client_config):  # type: ignore[no-untyped-def]
    from s3torchconnector._s3client import S3Client

    return S3Client(s3.region, endpoint=s3.endpoint or None, s3client_config=client_config)


@pytest.fixture
def upload(s3_client, s3: S3Target):  # type: ignore[no-untyped-def]
    """upload(key, data) puts an object through the library's own writer."""

    def put(key: str, data: bytes) -> str:
        with s3_client.put_object(s3.bucket, key) as writer:
            writer.write(data)
        return f"s3://{s3.bucket}/{key}"

    return put
