"""torch.load from S3Checkpoint in two serial round trips: no HeadObject,
every part of a checkpoint requested once (the streaming mode adds only the
tail it keeps), whatever the size; the proxy counts the rounds."""

from __future__ import annotations

import pytest
import torch

from s3torchconnector import S3Checkpoint, S3ReaderConstructor

from ..faultproxy import Fault, FaultProxy
from ..support import PART_SIZE

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def checkpoint_uri(s3, client_config):
    torch.manual_seed(0)
    state = {f"layer{i}": torch.rand(PART_SIZE // 4) for i in range(12)}  # 12 parts and a bit
    uri = f"s3://{s3.bucket}/py-tests/checkpoint-requests/model.pt"
    with S3Checkpoint(s3.region, s3.endpoint, client_config).writer(uri) as writer:
        torch.save(state, writer)
    return uri, state


@pytest.mark.parametrize("mode", ["default", "streaming", "whole"])
def test_torch_load_requests_each_part_once_and_never_heads(s3, client_config, checkpoint_uri, mode):
    uri, state = checkpoint_uri
    constructor = {
        "default": None,
        "streaming": S3ReaderConstructor.sequential(streaming=True),
        "whole": S3ReaderConstructor.sequential(),
    }[mode]
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config, reader_constructor=constructor)
    with checkpoint.reader(uri) as reader:
        loaded = torch.load(reader, weights_only=True)
    assert all(torch.equal(loaded[k], state[k]) for k in state)
    metrics = checkpoint.metrics()
    size = checkpoint._client.head_object(*uri[len("s3://") :].split("/", 1)).size
    parts = -(-size // PART_SIZE)
    assert "HeadObject" not in metrics["requests"]
    tail = MiB if mode == "streaming" else 0  # the zip's directory, fetched beside the stream
    assert metrics["bytes_downloaded"] == size + tail
    assert metrics["requests"]["GetObject"] <= parts + (1 if tail else 0)


def test_torch_load_takes_two_rounds_under_latency(s3, client_config, checkpoint_uri):
    # A slow first byte on every GET: a serial request would show as a third
    # gap in which nothing is in flight. The proxy logs what it forwards.
    uri, state = checkpoint_uri
    with FaultProxy(s3.endpoint) as proxy:
        proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"GET"}, delay=0.2)
        checkpoint = S3Checkpoint(s3.region, proxy.endpoint, client_config)
        with checkpoint.reader(uri) as reader:
            loaded = torch.load(reader, weights_only=True)
        assert all(torch.equal(loaded[k], state[k]) for k in state)
        assert proxy.stats.rounds <= 2, f"{proxy.stats.rounds} serial rounds"
