"""A DataLoader job run in its own interpreter by test_concurrency (so that a
hang is caught by a timeout, not by the test process hanging)."""

from __future__ import annotations

import collections
import sys

from torch.utils.data import DataLoader

from s3torchconnector import S3ClientConfig, S3IterableDataset, S3MapDataset


def key_of(reader):  # type: ignore[no-untyped-def]
    return reader.key, len(reader.read())


def main() -> int:
    endpoint, region, uri, method = sys.argv[1:5]
    expected, epochs = int(sys.argv[5]), int(sys.argv[6])
    config = S3ClientConfig(force_path_style=True)
    iterable = S3IterableDataset.from_prefix(
        uri,
        region=region,
        endpoint=endpoint,
        s3client_config=config,
        enable_sharding=True,
        transform=key_of,
        shuffle_buffer_size=16,
    )
    mapped = S3MapDataset.from_prefix(uri, region=region, endpoint=endpoint, s3client_config=config, transform=key_of)
    for epoch in range(epochs):
        iterable.set_epoch(epoch)
        for dataset, kwargs in ((iterable, {"batch_size": None}), (mapped, {"batch_size": 8, "shuffle": True})):
            loader = DataLoader(
                dataset,
                num_workers=8,
                multiprocessing_context=method,
                timeout=120,
                collate_fn=None if kwargs["batch_size"] is None else list,
                **kwargs,
            )
            seen = collections.Counter()
            for item in loader:
                pairs = [item] if kwargs["batch_size"] is None else item  # one (key, size), or a batch of them
                for key, _ in pairs:
                    seen[key] += 1
            if len(seen) != expected or set(seen.values()) != {1}:
                print(f"epoch {epoch} {type(dataset).__name__}: {len(seen)} keys, counts {set(seen.values())}")
                return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
