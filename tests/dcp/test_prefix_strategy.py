"""Prefix strategies: the names they produce, and the key layout of a real save."""

from __future__ import annotations

import re

import pytest
import torch
import torch.distributed.checkpoint as dcp

from s3torchconnector.dcp import (
    BinaryPrefixStrategy,
    DefaultPrefixStrategy,
    HexPrefixStrategy,
    RoundRobinPrefixStrategy,
    S3StorageWriter,
)


def test_default():
    assert [DefaultPrefixStrategy()(r) for r in range(3)] == ["__0_", "__1_", "__2_"]


def test_binary_and_hex():
    binary = BinaryPrefixStrategy(prefix_count=4, min_prefix_length=3)
    assert [binary(r) for r in range(5)] == ["000/__0_", "100/__1_", "010/__2_", "110/__3_", "000/__4_"]
    hexa = HexPrefixStrategy(epoch_num=7, prefix_count=20, min_prefix_length=1)
    assert hexa(0) == "00/epoch_7/__0_"  # 20 prefixes need two hex digits
    assert hexa(17) == "11/epoch_7/__17_"
    assert hexa(18) == "21/epoch_7/__18_"  # 0x12, least significant digit first
    assert BinaryPrefixStrategy()(0) == "0000000000/__0_"  # default: 10 digits, one prefix


def test_round_robin():
    strategy = RoundRobinPrefixStrategy(["fast", "slow"], epoch_num=2)
    assert [strategy(r) for r in range(3)] == ["fast/epoch_2/__0_", "slow/epoch_2/__1_", "fast/epoch_2/__2_"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: BinaryPrefixStrategy(min_prefix_length=0), "Minimum prefix length must be positive"),
        (lambda: HexPrefixStrategy(prefix_count=0), "Prefix count must be a positive integer"),
        (lambda: HexPrefixStrategy(epoch_num="1"), "Epoch number must be None or an integer"),
        (lambda: RoundRobinPrefixStrategy([]), "user_prefixes must not be empty"),
        (lambda: RoundRobinPrefixStrategy([""]), "non-empty strings"),
    ],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "strategy, pattern",
    [
        (DefaultPrefixStrategy(), r"__0_\d+\.distcp"),
        (BinaryPrefixStrategy(epoch_num=3, min_prefix_length=4), r"0000/epoch_3/__0_\d+\.distcp"),
        (HexPrefixStrategy(min_prefix_length=2), r"00/__0_\d+\.distcp"),
        (RoundRobinPrefixStrategy(["p1", "p2"], epoch_num=1), r"p1/epoch_1/__0_\d+\.distcp"),
    ],
)
def test_layout_of_a_save(s3, s3_client, client_config, prefix, strategy, pattern):
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    writer = S3StorageWriter(s3.region, uri, client_config, prefix_strategy=strategy, endpoint=s3.endpoint)
    dcp.save({"w": torch.arange(10.0), "b": torch.ones(3)}, storage_writer=writer)
    keys = [
        o.key[len(prefix) + len("ckpt/") :]
        for page in s3_client.list_objects(s3.bucket, prefix + "ckpt/")
        for o in page.objects
    ]
    assert ".metadata" in keys
    shards = [k for k in keys if k != ".metadata"]
    assert shards and all(re.fullmatch(pattern, k) for k in shards), keys
