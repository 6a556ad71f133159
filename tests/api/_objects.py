"""Numbered test objects under a prefix, for module-scoped fixtures."""

from __future__ import annotations

from collections.abc import Callable


def put_numbered(s3_client, bucket: str, prefix: str, count: int, payload: Callable[[int], bytes]) -> str:  # type: ignore[no-untyped-def]
    """Uploads ``prefix`` + ``000`` .. ``count - 1`` with ``payload(i)``; returns the prefix."""
    for i in range(count):
        with s3_client.put_object(bucket, f"{prefix}{i:03d}") as writer:
            writer.write(payload(i))
    return prefix
