"""Reads a prefix through a DataLoader for a few epochs and prints what the
S3 client did each epoch: requests, bytes, retries, latency.

    python examples/dataloader_metrics.py s3://bucket/prefix/ --region us-east-1 [--endpoint URL]

With workers, each worker process has its own client; this example reads
their counters inside the workers and sums them.
"""

from __future__ import annotations

import argparse
from typing import Any

from torch.utils.data import DataLoader, get_worker_info

from s3torchconnector import S3ClientConfig, S3IterableDataset


def size_and_metrics(reader: Any) -> dict[str, Any]:
    return {"bytes": len(reader.read())}


def summarize(metrics: dict[str, Any]) -> str:
    latency = metrics["first_byte_latency"]
    requests = ", ".join(f"{op} {n}" for op, n in sorted(metrics["requests"].items()))
    return (
        f"{requests}; {metrics['bytes_downloaded'] / 2**20:.1f} MiB down, retries {metrics['retries']}, "
        f"throttles {metrics['throttles']}, errors {metrics['errors']}, "
        f"first byte {latency['mean_seconds'] * 1000:.1f} ms mean over {latency['count']}"
    )


class CountingDataset(S3IterableDataset):
    """Hands out, after its last object, this worker's counters."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from super().__iter__()
        yield {"metrics": self.metrics(), "worker": get_worker_info().id if get_worker_info() else 0}
        self.reset_metrics()


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {
        "requests": {},
        "bytes_downloaded": 0,
        "retries": 0,
        "throttles": 0,
        "errors": 0,
        "first_byte_latency": {"count": 0, "mean_seconds": 0.0},
    }
    weighted = 0.0
    for m in parts:
        for op, n in m["requests"].items():
            total["requests"][op] = total["requests"].get(op, 0) + n
        for key in ("bytes_downloaded", "retries", "throttles", "errors"):
            total[key] += m[key]
        total["first_byte_latency"]["count"] += m["first_byte_latency"]["count"]
        weighted += m["first_byte_latency"]["mean_seconds"] * m["first_byte_latency"]["count"]
    if total["first_byte_latency"]["count"]:
        total["first_byte_latency"]["mean_seconds"] = weighted / total["first_byte_latency"]["count"]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("uri")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    dataset = CountingDataset.from_prefix(
        args.uri,
        region=args.region,
        endpoint=args.endpoint,
        enable_sharding=True,
        transform=size_and_metrics,
        s3client_config=S3ClientConfig(force_path_style=bool(args.endpoint)),
    )
    for epoch in range(args.epochs):
        objects, per_worker = 0, []
        for item in DataLoader(dataset, batch_size=None, num_workers=args.workers):
            if "metrics" in item:
                per_worker.append(item["metrics"])
            else:
                objects += 1
        print(f"epoch {epoch}: {objects} objects; {summarize(merge(per_worker))}")


if __name__ == "__main__":
    main()
