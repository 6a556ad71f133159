"""S3IterableDataset and S3MapDataset: sources, URIs, transforms, listing,
pickling."""

from __future__ import annotations

import pickle
from io import SEEK_END

import pytest

from s3torchconnector import S3Exception, S3IterableDataset, S3MapDataset, S3ReaderConstructor
from s3torchconnector._s3client import S3Client

from ..support import pattern

N = 12


@pytest.fixture(scope="module")
def dataset_prefix(s3_client, s3):
    prefix = "py-tests/datasets-module/"
    for i in range(N):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:03d}.bin") as writer:
            writer.write(pattern(100 + i, i))
    return prefix


def key_and_bytes(reader):
    return reader.key, reader.read()


def kwargs_for(s3, client_config, **extra):
    return dict(region=s3.region, endpoint=s3.endpoint, s3client_config=client_config, **extra)


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_from_prefix_yields_every_object(s3, client_config, dataset_prefix, dataset_class):
    dataset = dataset_class.from_prefix(
        f"s3://{s3.bucket}/{dataset_prefix}", transform=key_and_bytes, **kwargs_for(s3, client_config)
    )
    assert dataset.region == s3.region and dataset.endpoint == s3.endpoint
    items = list(dataset) if dataset_class is S3IterableDataset else [dataset[i] for i in range(len(dataset))]
    assert [key for key, _ in items] == [f"{dataset_prefix}{i:03d}.bin" for i in range(N)]
    assert [data for _, data in items] == [pattern(100 + i, i) for i in range(N)]


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_from_objects_accepts_a_string_a_list_and_a_generator(s3, client_config, dataset_prefix, dataset_class):
    uris = [f"s3://{s3.bucket}/{dataset_prefix}{i:03d}.bin" for i in (3, 1, 4)]

    def items(ds):
        return list(ds) if dataset_class is S3IterableDataset else [ds[i] for i in range(len(ds))]

    kwargs = kwargs_for(s3, client_config, transform=key_and_bytes)
    assert items(dataset_class.from_objects(uris[0], **kwargs)) == [(f"{dataset_prefix}003.bin", pattern(103, 3))]
    assert [k for k, _ in items(dataset_class.from_objects(uris, **kwargs))] == [
        f"{dataset_prefix}{i:03d}.bin" for i in (3, 1, 4)
    ]
    generated = dataset_class.from_objects((u for u in uris), **kwargs)
    assert len(items(generated)) == 3


def test_listed_objects_carry_their_size(s3, client_config, dataset_prefix, monkeypatch):
    monkeypatch.setattr(S3Client, "head_object", lambda *a, **k: pytest.fail("HeadObject was sent"))
    dataset = S3IterableDataset.from_prefix(f"s3://{s3.bucket}/{dataset_prefix}", **kwargs_for(s3, client_config))
    for i, reader in enumerate(dataset):
        assert reader.seek(0, SEEK_END) == 100 + i


def test_iterable_dataset_lists_once_until_asked_again(s3, client_config, dataset_prefix, s3_client):
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{dataset_prefix}", transform=key_and_bytes, **kwargs_for(s3, client_config)
    )
    assert dataset.metrics()["requests"].get("ListObjectsV2", 0) == 0  # lazily
    first = list(dataset)
    extra = f"{dataset_prefix}zzz-late.bin"
    with s3_client.put_object(s3.bucket, extra) as writer:
        writer.write(b"late")
    try:
        assert list(dataset) == first  # the next epoch reads the same listing
        assert dataset.metrics()["requests"]["ListObjectsV2"] == 1
        dataset.build_index()  # lists again
        second = list(dataset)
        assert len(second) == len(first) + 1 and second[-1] == (extra, b"late")
    finally:
        s3_client.delete_object(s3.bucket, extra)


def test_map_dataset_lists_once(s3, client_config, dataset_prefix):
    dataset = S3MapDataset.from_prefix(f"s3://{s3.bucket}/{dataset_prefix}", **kwargs_for(s3, client_config))
    assert dataset.metrics()["requests"].get("ListObjectsV2", 0) == 0  # nothing listed yet
    assert len(dataset) == N
    assert dataset[N - 1].key == f"{dataset_prefix}{N - 1:03d}.bin"
    assert dataset[-1].key == dataset[N - 1].key
    assert len(dataset) == N
    assert dataset.metrics()["requests"]["ListObjectsV2"] == 1
    with pytest.raises(IndexError):
        dataset[N]


@pytest.mark.parametrize(
    "uri, error, message",
    [
        ("bucket/key", ValueError, "Only s3:// URIs are supported"),
        ("S3://bucket/key", ValueError, "the scheme is lower case"),
        ("https://bucket/key", ValueError, "Only s3:// URIs are supported"),
        ("s3://", ValueError, "Bucket name must be non-empty"),
        ("s3:///key", ValueError, "Bucket name must be non-empty"),
        ("", ValueError, "Only s3:// URIs are supported"),
        (None, TypeError, "S3 URI must be a str"),
        ("s3://bucket/" + "k" * 1025, ValueError, "S3 keys are at most 1024"),
    ],
)
@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_bad_uris(dataset_class, uri, error, message):
    with pytest.raises(error, match=message):
        dataset_class.from_prefix(uri, region="us-east-1")
    with pytest.raises(error, match=message):
        dataset_class.from_objects([uri], region="us-east-1")


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_object_uris_must_name_objects(dataset_class):
    with pytest.raises(ValueError, match="names a bucket, not an object"):
        dataset_class.from_objects("s3://bucket/", region="us-east-1")
    with pytest.raises(TypeError, match="object_uris must be a str or an iterable"):
        dataset_class.from_objects(42, region="us-east-1")  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_bad_arguments(dataset_class):
    uri = "s3://bucket/prefix"
    with pytest.raises(TypeError, match="region must be a str"):
        dataset_class.from_prefix(uri, region=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transform must be callable"):
        dataset_class.from_prefix(uri, region="r", transform="read")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="s3client_config must be an S3ClientConfig"):
        dataset_class.from_prefix(uri, region="r", s3client_config={})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reader_constructor must be made by S3ReaderConstructor"):
        dataset_class.from_prefix(uri, region="r", reader_constructor="sequential")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="endpoint must be a str"):
        dataset_class.from_prefix(uri, region="r", endpoint=9000)  # type: ignore[arg-type]


def test_enable_sharding_must_be_bool():
    with pytest.raises(TypeError, match="enable_sharding must be a bool"):
        S3IterableDataset.from_prefix("s3://b/p", region="r", enable_sharding="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_missing_bucket_surfaces_as_s3_exception(s3, client_config, dataset_class):
    dataset = dataset_class.from_prefix("s3://s3conn-missing-bucket-xyz/p", **kwargs_for(s3, client_config))
    with pytest.raises(S3Exception, match="NoSuchBucket"):
        list(dataset) if dataset_class is S3IterableDataset else len(dataset)


@pytest.mark.parametrize("name", ["sequential", "range_based"])
def test_reader_constructor_is_used(s3, client_config, dataset_prefix, name):
    constructor = getattr(S3ReaderConstructor, name)()
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{dataset_prefix}", reader_constructor=constructor, **kwargs_for(s3, client_config)
    )
    reader = dataset[0]
    assert type(reader).__name__ == {"sequential": "SequentialS3Reader", "range_based": "RangedS3Reader"}[name]
    assert f"md/reader_type#{name}" in dataset._get_client().user_agent_prefix
    assert "md/dataset#map" in dataset._get_client().user_agent_prefix


def test_datasets_pickle_before_and_after_listing(s3, client_config, dataset_prefix):
    uri = f"s3://{s3.bucket}/{dataset_prefix}"
    kwargs = kwargs_for(s3, client_config, transform=key_and_bytes)
    iterable = S3IterableDataset.from_prefix(uri, **kwargs)
    assert list(pickle.loads(pickle.dumps(iterable))) == list(iterable)

    mapped = S3MapDataset.from_prefix(uri, **kwargs)
    assert len(pickle.loads(pickle.dumps(mapped))) == N  # pickled unlisted: lists in the copy
    len(mapped)
    copy = pickle.loads(pickle.dumps(mapped))
    assert copy[5] == mapped[5]
    assert copy.metrics()["requests"].get("ListObjectsV2", 0) == 0  # the listing travelled along


def test_pickling_mid_iteration(s3, client_config, dataset_prefix):
    uri = f"s3://{s3.bucket}/{dataset_prefix}"
    dataset = S3IterableDataset.from_prefix(uri, transform=key_and_bytes, **kwargs_for(s3, client_config))
    iterator = iter(dataset)
    head = [next(iterator) for _ in range(4)]
    resumed = pickle.loads(pickle.dumps(dataset))  # the dataset pickles while being iterated
    assert list(resumed) == head + list(iterator)

    # A client's listing resumes where it stopped, page token and all.
    pages = dataset._get_client().list_objects(s3.bucket, dataset_prefix, max_keys=5)  # several pages
    first = [o.key for _ in range(2) for o in next(pages).objects]
    rest_in_copy = [o.key for page in pickle.loads(pickle.dumps(pages)) for o in page.objects]
    assert first + rest_in_copy == [f"{dataset_prefix}{i:03d}.bin" for i in range(N)]
    assert [o.key for page in pages for o in page.objects] == rest_in_copy
