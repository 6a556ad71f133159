"""Datasets from manifests: no listing, no HeadObject; generators consumed lazily."""

from __future__ import annotations

import json
from io import SEEK_END

import pytest

from s3torchconnector import S3IterableDataset, S3MapDataset
from s3torchconnector._s3client import S3Client

from ..support import pattern

N = 10


@pytest.fixture(scope="module")
def manifest_objects(s3_client, s3):
    prefix = "py-tests/manifest-module/"
    entries = []
    for i in range(N):
        key = f"{prefix}{i:03d}"
        with s3_client.put_object(s3.bucket, key) as writer:
            writer.write(pattern(50 + i, i))
        entries.append((f"s3://{s3.bucket}/{key}", 50 + i))
    return entries


def size_and_data(reader):
    return reader.seek(0, SEEK_END), reader.seek(0) or reader.read()


@pytest.fixture
def no_listing_no_head(monkeypatch):
    monkeypatch.setattr(S3Client, "list_objects", lambda *a, **k: pytest.fail("listed"))
    monkeypatch.setattr(S3Client, "head_object", lambda *a, **k: pytest.fail("HeadObject sent"))


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
@pytest.mark.parametrize("form", ["pairs", "local", "s3"])
def test_manifest_sources(s3, s3_client, client_config, manifest_objects, tmp_path, dataset_class, form, monkeypatch):
    lines = "\n".join(json.dumps({"uri": uri, "size": size}) for uri, size in manifest_objects) + "\n"
    if form == "pairs":
        manifest = list(manifest_objects)
    elif form == "local":
        manifest = tmp_path / "manifest.jsonl"
        manifest.write_text(lines)
    else:
        with s3_client.put_object(s3.bucket, "py-tests/manifest-module/manifest.jsonl") as writer:
            writer.write(lines.encode())
        manifest = f"s3://{s3.bucket}/py-tests/manifest-module/manifest.jsonl"
    monkeypatch.setattr(S3Client, "head_object", lambda *a, **k: pytest.fail("HeadObject sent"))
    monkeypatch.setattr(S3Client, "list_objects", lambda *a, **k: pytest.fail("listed"))
    dataset = dataset_class.from_manifest(
        manifest, region=s3.region, endpoint=s3.endpoint, s3client_config=client_config, transform=size_and_data
    )
    items = list(dataset) if dataset_class is S3IterableDataset else [dataset[i] for i in range(len(dataset))]
    assert items == [(50 + i, pattern(50 + i, i)) for i in range(N)]


def test_bad_manifests(s3, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        S3MapDataset.from_manifest(str(tmp_path / "missing.jsonl"), region=s3.region)
    with pytest.raises(TypeError, match="manifest must be a path"):
        S3MapDataset.from_manifest(42, region=s3.region)  # type: ignore[arg-type]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"uri": "s3://b/k", "size": 1}\nnot json\n')
    dataset = S3MapDataset.from_manifest(bad, region=s3.region)
    with pytest.raises(ValueError, match="bad.jsonl, line 2: not JSON"):
        len(dataset)
    bad.write_text('{"uri": "s3://b/k", "size": -1}\n')
    with pytest.raises(ValueError, match="size must be a non-negative integer"):
        len(S3MapDataset.from_manifest(bad, region=s3.region))
    bad.write_text('{"key": "k"}\n')
    with pytest.raises(ValueError, match='expected {"uri"'):
        len(S3MapDataset.from_manifest(bad, region=s3.region))


def test_from_objects_consumes_a_generator_lazily(s3, client_config, manifest_objects):
    consumed = []

    def uris():
        for uri, _ in manifest_objects:
            consumed.append(uri)
            yield uri

    dataset = S3IterableDataset.from_objects(
        uris(), region=s3.region, endpoint=s3.endpoint, s3client_config=client_config, prefetch_objects=1
    )
    assert consumed == []  # nothing read at construction
    iterator = iter(dataset)
    next(iterator)
    assert len(consumed) <= 2  # the one handed out, and the next one started
    assert len(list(iterator)) == N - 1


def test_map_dataset_length_is_lazy(s3, client_config, manifest_objects, monkeypatch):
    dataset = S3MapDataset.from_objects(
        [u for u, _ in manifest_objects], region=s3.region, endpoint=s3.endpoint, s3client_config=client_config
    )
    assert dataset._index is None
    assert len(dataset) == N
