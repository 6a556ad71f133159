"""A fault-injecting proxy in front of the session's server, and clients that
retry quickly enough for hundreds of faults to fit in a test run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from s3torchconnector._s3conn import Client

from ..faultproxy import FaultProxy


@pytest.fixture(scope="session")
def proxy(s3) -> Iterator[FaultProxy]:  # type: ignore[no-untyped-def]
    if not s3.endpoint.startswith("http://"):
        pytest.skip("fault injection needs a plain-http endpoint to sit in front of")
    with FaultProxy(s3.endpoint) as p:
        yield p


@pytest.fixture(autouse=True)
def _clean_proxy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "proxy" in request.fixturenames:
        request.getfixturevalue("proxy").clear()


def fast_client(endpoint: str, region: str, **overrides: Any) -> Client:
    """A native client for faults: 10 ms backoff, stalls detected after 2 s."""
    options: dict = dict(
        endpoint=endpoint,
        force_path_style=True,
        part_size=5 * 1024 * 1024,
        max_attempts=10,
        retry_backoff_ms=10,
        stall_timeout_seconds=2,
    )
    options.update(overrides)
    return Client(region, **options)
