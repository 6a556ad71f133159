"""torch.save / torch.load through S3Checkpoint, and DCP on one and two ranks
(the project's only two-rank DCP test: it runs against SeaweedFS in the main
test run too)."""

from __future__ import annotations

import pytest
import torch
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp

from s3torchconnector import S3Checkpoint
from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

from ..dcp import _ranks


def test_torch_save_and_load(s3, prefix, client_config):
    checkpoint = S3Checkpoint(s3.region, endpoint=s3.endpoint, s3client_config=client_config)
    state = {"weights": torch.randn(3_000_000), "step": 7}  # 12 MB: several parts
    uri = f"s3://{s3.bucket}/{prefix}model.pt"
    with checkpoint.writer(uri) as writer:
        torch.save(state, writer)
    with checkpoint.reader(uri) as reader:
        loaded = torch.load(reader, weights_only=True)
    assert loaded["step"] == 7 and torch.equal(loaded["weights"], state["weights"])


@pytest.mark.filterwarnings("ignore:torch.distributed is disabled")
def test_dcp_one_rank(s3, prefix, client_config):
    uri = f"s3://{s3.bucket}/{prefix}dcp"
    state = {"a": torch.arange(2_000_000, dtype=torch.float32), "b": {"c": torch.ones(3, 3)}}
    dcp.save(state, storage_writer=S3StorageWriter(s3.region, uri, client_config, endpoint=s3.endpoint))
    target = {"a": torch.zeros(2_000_000), "b": {"c": torch.zeros(3, 3)}}
    dcp.load(target, storage_reader=S3StorageReader(s3.region, uri, client_config, endpoint=s3.endpoint))
    assert torch.equal(target["a"], state["a"]) and torch.equal(target["b"]["c"], state["b"]["c"])


def test_dcp_two_ranks(s3, prefix, tmp_path):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    mp.spawn(
        _ranks.save_then_load,
        args=(2, str(tmp_path / "init"), uri, s3.region, s3.endpoint, str(tmp_path)),
        nprocs=2,
        join=True,
    )
    assert [(tmp_path / f"rank-{r}").read_text() for r in range(2)] == ["ok", "ok"]
