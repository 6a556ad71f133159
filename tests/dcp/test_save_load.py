"""DCP save and load through S3StorageWriter / S3StorageReader."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.api import CheckpointException
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

from s3torchconnector import S3ReaderConstructor
from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

from . import _ranks

warnings.filterwarnings("ignore", message="torch.distributed is disabled")

READERS = {
    "dcp_optimized": S3ReaderConstructor.dcp_optimized(),
    "dcp_optimized_no_coalescing": S3ReaderConstructor.dcp_optimized(0),
    "dcp_optimized_coalesce_all": S3ReaderConstructor.dcp_optimized(float("inf")),
    "sequential": S3ReaderConstructor.sequential(),
    "range_based": S3ReaderConstructor.range_based(),
}


def writer(s3, client_config, uri, **kwargs):
    return S3StorageWriter(s3.region, uri, client_config, endpoint=s3.endpoint, **kwargs)


def reader(s3, client_config, uri, constructor=None):
    return S3StorageReader(s3.region, uri, client_config, reader_constructor=constructor, endpoint=s3.endpoint)


def big_state():
    torch.manual_seed(0)
    return {f"layer{i}": torch.randn(256, 1024 + i) for i in range(12)} | {"step": torch.tensor(7)}


def test_model_and_optimizer_round_trip(s3, client_config, prefix):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    model, optimizer = _ranks.make_model(0)
    msd, osd = get_state_dict(model, optimizer)
    dcp.save({"model": msd, "optim": osd}, storage_writer=writer(s3, client_config, uri, thread_count=2))

    model2, optimizer2 = _ranks.make_model(1)
    msd2, osd2 = get_state_dict(model2, optimizer2)
    target = {"model": msd2, "optim": osd2}
    dcp.load(target, storage_reader=reader(s3, client_config, uri))
    set_state_dict(model2, optimizer2, model_state_dict=target["model"], optim_state_dict=target["optim"])
    for a, b in zip(model.state_dict().values(), model2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    adam, adam2 = optimizer.state_dict()["state"], optimizer2.state_dict()["state"]
    assert all(torch.equal(adam[i]["exp_avg"], adam2[i]["exp_avg"]) for i in adam)


@pytest.mark.parametrize("name", list(READERS))
def test_every_reader_loads_identical_tensors(s3, client_config, prefix, name):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    state = big_state()
    dcp.save(state, storage_writer=writer(s3, client_config, uri, thread_count=3))
    target = {k: torch.zeros_like(v) for k, v in state.items()}
    dcp.load(target, storage_reader=reader(s3, client_config, uri, READERS[name]))
    assert all(torch.equal(state[k], target[k]) for k in state)


def test_partial_load(s3, client_config, prefix):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    state = big_state()
    dcp.save(state, storage_writer=writer(s3, client_config, uri))
    subset = {"layer3": torch.zeros_like(state["layer3"]), "layer9": torch.zeros_like(state["layer9"])}
    dcp.load(subset, storage_reader=reader(s3, client_config, uri))
    assert torch.equal(subset["layer3"], state["layer3"]) and torch.equal(subset["layer9"], state["layer9"])


def test_overwrite(s3, client_config, prefix):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    dcp.save({"x": torch.ones(100)}, storage_writer=writer(s3, client_config, uri))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DCP warns that it overwrites
        dcp.save({"x": torch.full((100,), 2.0)}, storage_writer=writer(s3, client_config, uri))
    target = {"x": torch.zeros(100)}
    dcp.load(target, storage_reader=reader(s3, client_config, uri))
    assert torch.equal(target["x"], torch.full((100,), 2.0))
    with pytest.raises(CheckpointException, match="Checkpoint already exists"):
        dcp.save({"x": torch.ones(100)}, storage_writer=writer(s3, client_config, uri, overwrite=False))


def test_async_save(s3, client_config, prefix):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    state = big_state()
    future = dcp.async_save(state, storage_writer=writer(s3, client_config, uri))
    future.result(timeout=120)
    target = {k: torch.zeros_like(v) for k, v in state.items()}
    dcp.load(target, storage_reader=reader(s3, client_config, uri))
    assert all(torch.equal(state[k], target[k]) for k in state)


def test_load_of_a_missing_checkpoint(s3, client_config, prefix):
    with pytest.raises(CheckpointException) as error:
        dcp.load({"x": torch.zeros(1)}, storage_reader=reader(s3, client_config, f"s3://{s3.bucket}/{prefix}none"))
    assert "NoSuchKey" in str(error.value) and ".metadata" in str(error.value)


def test_invalid_paths(s3, client_config):
    with pytest.raises(ValueError, match="must be an s3:// URI"):
        S3StorageWriter(s3.region, "/tmp/ckpt", client_config)
    with pytest.raises(ValueError, match="must be an s3:// URI"):
        S3StorageReader(s3.region, "/tmp/ckpt", client_config)
    with pytest.raises(ValueError, match="thread_count must be a positive integer"):
        S3StorageWriter(s3.region, "s3://b/c", client_config, thread_count=0)


def test_interrupted_overwrite_never_loads_mixed_data(s3, client_config, prefix):
    """Old metadata must never describe new shards: a save that dies between
    writing shards and writing metadata leaves a checkpoint that refuses to load."""
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    dcp.save({"x": torch.ones(100)}, storage_writer=writer(s3, client_config, uri))

    class DiesBeforeMetadata(S3StorageWriter):
        def finish(self, metadata, results):  # type: ignore[no-untyped-def]
            raise RuntimeError("killed before the metadata was written")

    dying = DiesBeforeMetadata(s3.region, uri, client_config, endpoint=s3.endpoint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BaseException, match="killed before the metadata"):
            dcp.save({"x": torch.full((100,), 2.0)}, storage_writer=dying)
    with pytest.raises(CheckpointException, match="metadata"):
        dcp.load({"x": torch.zeros(100)}, storage_reader=reader(s3, client_config, uri))
