"""Downloads in flight: the iterable dataset's pipeline, batched map fetches."""

from __future__ import annotations

import pytest
from torch.utils.data import DataLoader

from s3torchconnector import S3IterableDataset, S3MapDataset, S3ReaderConstructor
from s3torchconnector._prefetch import PrefetchingReaders

from ..support import pattern

N = 40


@pytest.fixture(scope="module")
def objects_prefix(s3_client, s3):
    prefix = "py-tests/prefetch-module/"
    for i in range(N):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:03d}") as writer:
            writer.write(pattern(1000 + i, i))
    return prefix


def started(reader) -> bool:
    return reader._stream is not None


def key_and_data_after_checking_prefetch(reader):
    assert started(reader), "the download had not started before the transform"
    return reader.key, reader.read()


def test_pipeline_keeps_objects_in_flight_in_order(s3_client, s3, objects_prefix):
    listing = list(s3_client.list_objects(s3.bucket, objects_prefix))
    items = [(s3.bucket, o.key, o) for page in listing for o in page.objects]
    from s3torchconnector._s3bucket_key_data import S3BucketKeyData

    def open_reader(item):
        return s3_client.get_object(item.bucket, item.key, object_info=item.object_info)

    readers = PrefetchingReaders(iter(S3BucketKeyData(*i) for i in items), open_reader, 8, 1 << 30, 1 << 30)
    first = next(readers)
    assert first.key == items[0][1] and started(first)
    assert len(readers._pending) == 8 and all(started(r) for r, _ in readers._pending)
    rest = list(readers)
    assert [r.key for r in [first] + rest] == [i[1] for i in items]

    # The byte budget holds back starts: about 3 objects of ~1 KB fit in 3 KB.
    budget = PrefetchingReaders(iter(S3BucketKeyData(*i) for i in items), open_reader, 16, 3000, 1 << 30)
    next(budget)
    assert 2 <= len(budget._pending) <= 3
    budget.close()
    assert list(budget) == []


@pytest.mark.parametrize("in_flight", [1, 4, 16])
def test_iterable_dataset_yields_everything_in_order(s3, client_config, objects_prefix, in_flight):
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{objects_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=key_and_data_after_checking_prefetch,
        prefetch_objects=in_flight,
    )
    items = list(dataset)
    assert [k for k, _ in items] == [f"{objects_prefix}{i:03d}" for i in range(N)]
    assert [d for _, d in items] == [pattern(1000 + i, i) for i in range(N)]


def test_prefetch_options_are_validated():
    with pytest.raises(ValueError, match="prefetch_objects must be at least 1"):
        S3IterableDataset.from_prefix("s3://b/p", region="r", prefetch_objects=0)
    with pytest.raises(TypeError, match="prefetch_bytes must be an int"):
        S3IterableDataset.from_prefix("s3://b/p", region="r", prefetch_bytes=1.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'prefetch'"):
        S3IterableDataset.from_prefix("s3://b/p", region="r", prefetch=3)


def test_map_dataset_fetches_a_batch_at_once(s3, client_config, objects_prefix):
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{objects_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=key_and_data_after_checking_prefetch,
    )
    batch = dataset.__getitems__([7, 3, 3, 30])
    assert [k for k, _ in batch] == [f"{objects_prefix}{i:03d}" for i in (7, 3, 3, 30)]
    loader = DataLoader(dataset, batch_size=8, collate_fn=list)  # uses __getitems__
    keys = [key for batch in loader for key, _ in batch]
    assert keys == [f"{objects_prefix}{i:03d}" for i in range(N)]


def test_client_batch_call(s3_client, s3, objects_prefix):
    readers = s3_client.get_objects(
        [(s3.bucket, f"{objects_prefix}{i:03d}", None) for i in range(5)],
        reader_constructor=S3ReaderConstructor.sequential(),
    )
    assert all(started(r) for r in readers)
    assert [r.read() for r in readers] == [pattern(1000 + i, i) for i in range(5)]
