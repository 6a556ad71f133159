"""S3FileSystem: the FileSystemBase operations DCP relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3torchconnector import S3Exception
from s3torchconnector.dcp import S3FileSystem


@pytest.fixture
def fs(s3, client_config):
    return S3FileSystem(s3.region, s3client_config=client_config, endpoint=s3.endpoint)


def test_streams(fs, s3, prefix):
    path = f"s3://{s3.bucket}/{prefix}file"
    with fs.create_stream(path, "wb") as writer:
        writer.write(b"hello dcp")
    with fs.create_stream(path, "rb") as reader:
        assert reader.read() == b"hello dcp"
    for mode in ("r", "w", "ab", "rb+"):
        with pytest.raises(ValueError, match="create_stream only supports rb"):
            with fs.create_stream(path, mode):
                pass


def test_failed_write_leaves_nothing(fs, s3, prefix):
    path = f"s3://{s3.bucket}/{prefix}broken"
    with pytest.raises(RuntimeError):
        with fs.create_stream(path, "wb") as writer:
            writer.write(b"partial")
            raise RuntimeError("serialization failed")
    assert not fs.exists(path)


def test_paths(fs, s3):
    assert fs.concat_path(f"s3://{s3.bucket}/a", "b.distcp") == f"s3://{s3.bucket}/a/b.distcp"
    assert fs.concat_path(Path(f"s3://{s3.bucket}/a"), ".metadata") == f"s3://{s3.bucket}/a/.metadata"
    assert fs.init_path("s3://x/y") == "s3://x/y"
    fs.mkdir("s3://x/y")  # no-op
    assert S3FileSystem.validate_checkpoint_id("s3://bucket/ckpt")
    assert S3FileSystem.validate_checkpoint_id(Path("s3://bucket/ckpt"))
    assert not S3FileSystem.validate_checkpoint_id("/local/ckpt")
    assert not S3FileSystem.validate_checkpoint_id("s3://")
    assert not S3FileSystem.validate_checkpoint_id(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["plain", "with space", "ü+%é=?#&", "a//b"])
def test_rename_exists_and_rm(fs, s3, prefix, name):
    old, new = f"s3://{s3.bucket}/{prefix}{name}.tmp", f"s3://{s3.bucket}/{prefix}{name}"
    with fs.create_stream(old, "wb") as writer:
        writer.write(b"metadata")
    assert fs.exists(old) and not fs.exists(new)
    fs.rename(old, new)
    assert not fs.exists(old) and fs.exists(new)
    with fs.create_stream(new, "rb") as reader:
        assert reader.read() == b"metadata"
    fs.rm_file(new)
    assert not fs.exists(new)


def test_rename_across_buckets_is_refused(fs, s3, prefix):
    with pytest.raises(ValueError, match="cross-buckets"):
        fs.rename(f"s3://{s3.bucket}/{prefix}a", f"s3://other-bucket/{prefix}a")


def test_rename_of_a_missing_object(fs, s3, prefix):
    with pytest.raises(S3Exception):
        fs.rename(f"s3://{s3.bucket}/{prefix}missing", f"s3://{s3.bucket}/{prefix}new")


def test_exists_raises_for_other_errors(s3, client_config):
    fs = S3FileSystem(s3.region, s3client_config=client_config, endpoint=s3.endpoint)
    with pytest.raises(ValueError, match="Only s3:// URIs"):
        fs.exists("/local/path")
    with pytest.raises(TypeError, match="s3_client must be an S3Client"):
        S3FileSystem(s3.region, s3_client="client")  # type: ignore[arg-type]
