"""W3, W6, W7: one large object read start to end.

Both libraries: S3Checkpoint(...).reader(uri) (the sequential reader) read
with readinto into an 8 MiB buffer, as torch.load or a streaming parser
would. ``streaming=True`` selects this library's streaming mode (bounded
memory; the reference has none). boto3: GetObject's body read in 8 MiB
pieces. Reported: throughput (W3), peak RSS growth (W6), CPU seconds per GiB
(W7)."""

from __future__ import annotations

from typing import Any

from .common import Endpoint, GiB, MiB, PeakRss, boto3_client, client_config, result, timed


def run(impl: str, params: dict[str, Any]) -> dict[str, float]:
    endpoint = Endpoint.from_env()
    key = params["key"]
    buffer = bytearray(8 * MiB)
    if impl == "boto3":
        s3 = boto3_client()
        s3.head_object(Bucket=endpoint.bucket, Key=key)  # connection up

        def read_all() -> int:
            body = s3.get_object(Bucket=endpoint.bucket, Key=key)["Body"]
            total = 0
            while chunk := body.read(8 * MiB):
                total += len(chunk)
            return total

    else:
        from s3torchconnector import S3Checkpoint

        kwargs: dict[str, Any] = {}
        if params.get("streaming"):
            from s3torchconnector import S3ReaderConstructor

            kwargs["reader_constructor"] = S3ReaderConstructor.sequential(streaming=True)
        checkpoint = S3Checkpoint(endpoint.region, endpoint.url, client_config(), **kwargs)
        checkpoint.reader(f"s3://{endpoint.bucket}/{key}").read(1)  # connection up

        def read_all() -> int:
            reader = checkpoint.reader(f"s3://{endpoint.bucket}/{key}")
            total = 0
            while n := reader.readinto(buffer):
                total += n
            return total

    with PeakRss() as rss:
        total, seconds, cpu = timed(read_all)
    return result(
        mib_per_s=total / seconds / MiB,
        seconds=seconds,
        cpu_seconds_per_gib=cpu / (total / GiB),
        rss_growth_mib=rss.growth / MiB,
        bytes=total,
    )
