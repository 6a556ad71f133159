"""Small helpers for the native-module tests."""

from __future__ import annotations

from s3torchconnector._s3conn import Client


def put(client: Client, bucket: str, key: str, data: bytes, write_size: int = 1 << 20) -> str:
    stream = client.put_object(bucket, key)
    view = memoryview(data)
    for at in range(0, len(data), write_size):
        stream.write(view[at : at + write_size])
    return stream.close()


def get(
    client: Client,
    bucket: str,
    key: str,
    start: int | None = None,
    end: int | None = None,
    size_hint: int | None = None,
) -> bytes:
    return b"".join(bytes(chunk) for chunk in client.get_object(bucket, key, start=start, end=end, size_hint=size_hint))
