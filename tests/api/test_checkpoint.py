"""S3Checkpoint with torch.save and torch.load, through every reader."""

from __future__ import annotations

import pytest
import torch

from s3torchconnector import S3Checkpoint, S3Exception, S3ReaderConstructor

READERS = {
    "sequential": S3ReaderConstructor.sequential(),
    "range_based": S3ReaderConstructor.range_based(),
    "range_based_unbuffered": S3ReaderConstructor.range_based(buffer_size=0),
}


def small_state():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    return {"model": model.state_dict(), "epoch": 3, "note": "résumé", "ids": list(range(10))}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            assert_same(a[key], b[key])
        elif isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key])
        else:
            assert a[key] == b[key]


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("zipfile", [True, False])
def test_round_trip(s3, client_config, prefix, reader, zipfile):
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config, reader_constructor=READERS[reader])
    uri = f"s3://{s3.bucket}/{prefix}ckpt.pt"
    state = small_state()
    with checkpoint.writer(uri) as writer:
        torch.save(state, writer, _use_new_zipfile_serialization=zipfile)
    with checkpoint.reader(uri) as f:
        assert_same(torch.load(f, weights_only=True), state)


@pytest.mark.slow
def test_256_mib_state_dict_through_every_reader(s3, client_config, prefix):
    torch.manual_seed(1)
    state = {f"layer{i}.weight": torch.randn(1024, 8192) for i in range(8)}  # 8 x 32 MiB
    assert sum(t.numel() * t.element_size() for t in state.values()) == 256 * 1024 * 1024
    uri = f"s3://{s3.bucket}/{prefix}big.pt"
    with S3Checkpoint(s3.region, s3.endpoint, client_config).writer(uri) as writer:
        torch.save(state, writer)
    for constructor in READERS.values():
        checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config, reader_constructor=constructor)
        with checkpoint.reader(uri) as f:
            loaded = torch.load(f, weights_only=True)
        assert_same(loaded, state)
        del loaded


def test_bad_uris_and_missing_checkpoint(s3, client_config, prefix):
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config)
    with pytest.raises(ValueError, match="Only s3:// URIs"):
        checkpoint.writer("/local/path.pt")
    with pytest.raises(ValueError, match="names a bucket, not an object"):
        checkpoint.reader(f"s3://{s3.bucket}")
    with pytest.raises(S3Exception) as error:
        torch.load(checkpoint.reader(f"s3://{s3.bucket}/{prefix}nothing.pt"))
    assert isinstance(error.value, FileNotFoundError)
