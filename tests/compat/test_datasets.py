"""The datasets, from a prefix and from objects, directly and through a
DataLoader with workers."""

from __future__ import annotations

import torch.utils.data

from s3torchconnector import S3IterableDataset, S3MapDataset

from ..support import PART_SIZE, pattern

# Listed sizes reach the reader as hints: those around one part are where
# stores differ (a hint of exactly a part once made the CRT ask for
# ?partNumber=1).
SIZES = [0, 1, 1000, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1]


def _fill(upload, prefix):  # type: ignore[no-untyped-def]
    return {upload(f"{prefix}{i:02d}", pattern(size, i)): pattern(size, i) for i, size in enumerate(SIZES)}


def _read(item):  # type: ignore[no-untyped-def]
    return item.bucket, item.key, item.read()


def test_map_dataset(s3, upload, prefix, client_config):
    expected = _fill(upload, prefix)
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}", region=s3.region, endpoint=s3.endpoint, s3client_config=client_config
    )
    assert len(dataset) == len(expected)
    assert {f"s3://{b}/{k}": d for b, k, d in map(_read, (dataset[i] for i in range(len(dataset))))} == expected
    assert dataset[len(dataset) - 1].read() == pattern(SIZES[-1], len(SIZES) - 1)


def test_iterable_dataset_from_objects(s3, upload, prefix, client_config):
    expected = _fill(upload, prefix)
    dataset = S3IterableDataset.from_objects(
        list(expected), region=s3.region, endpoint=s3.endpoint, s3client_config=client_config
    )
    assert [d for _, _, d in map(_read, dataset)] == list(expected.values())


def test_dataloader_with_workers(s3, upload, prefix, client_config):
    expected = _fill(upload, prefix)
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=_read,
        enable_sharding=True,
    )
    loader = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2)
    assert sorted(f"s3://{b}/{k}" for b, k, _ in loader) == sorted(expected)
