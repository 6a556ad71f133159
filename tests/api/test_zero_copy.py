"""Copies out of network buffers, as counted by the native layer."""

from __future__ import annotations

import pytest
import torch

from s3torchconnector import S3Checkpoint, S3ReaderConstructor
from s3torchconnector._s3conn import bytes_copied

from ..support import PART_SIZE, pattern

SIZE = 3 * PART_SIZE + 1234


@pytest.fixture(scope="module")
def big_key(s3_client, s3):
    key = "py-tests/zero-copy-module/object"
    with s3_client.put_object(s3.bucket, key) as writer:
        writer.write(pattern(SIZE, 1))
    return key


def copies(action):
    before = bytes_copied()
    result = action()
    return result, bytes_copied() - before


@pytest.mark.parametrize("streaming", [False, True])
def test_sequential_reader_copies_each_byte_once(s3_client, s3, big_key, streaming):
    constructor = S3ReaderConstructor.sequential(streaming=streaming)
    reader = s3_client.get_object(s3.bucket, big_key, reader_constructor=constructor)
    buffer = bytearray(SIZE)
    n, copied = copies(lambda: reader.readinto(buffer))
    assert (n, copied) == (SIZE, SIZE)
    assert buffer == pattern(SIZE, 1)

    reader = s3_client.get_object(s3.bucket, big_key, reader_constructor=constructor)
    data, copied = copies(reader.read)
    assert (len(data), copied) == (SIZE, SIZE)  # into the bytes object, nowhere else


def test_iterating_a_stream_copies_nothing(s3_client, s3, big_key):
    stream = s3_client._client.get_object(s3.bucket, big_key)
    views, copied = copies(lambda: list(stream))
    assert sum(len(v) for v in views) == SIZE and copied == 0


def test_ranged_reader_receives_large_reads_in_place(s3_client, s3, big_key):
    reader = s3_client.get_object(s3.bucket, big_key, reader_constructor=S3ReaderConstructor.range_based(0))
    buffer = bytearray(SIZE)
    n, copied = copies(lambda: reader.readinto(buffer))
    assert n == SIZE and copied == 0  # the CRT wrote the parts into `buffer` itself
    assert buffer == pattern(SIZE, 1)


def test_torch_load_lands_in_tensor_storage_with_one_copy(s3, client_config, prefix):
    state = {f"t{i}": torch.randn(512, 1024) for i in range(4)}  # 8 MiB of tensors
    tensor_bytes = sum(t.numel() * t.element_size() for t in state.values())
    uri = f"s3://{s3.bucket}/{prefix}ckpt.pt"
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config)
    with checkpoint.writer(uri) as writer:
        torch.save(state, writer)
    with checkpoint.reader(uri) as reader:
        loaded, copied = copies(lambda: torch.load(reader, weights_only=True))
    assert all(torch.equal(loaded[k], state[k]) for k in state)
    # Each tensor byte is copied once, from a network buffer into the tensor;
    # the rest is the zip records' headers and pickled structure.
    assert tensor_bytes <= copied < tensor_bytes + 64 * 1024, copied
