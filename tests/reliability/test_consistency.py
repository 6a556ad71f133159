"""A read never mixes two versions of an object: an object replaced while it
is read raises S3Exception "ObjectChanged", through every reader, and against
a server that ignores If-Match too."""

from __future__ import annotations

import io

import pytest
import torch

from s3torchconnector import S3Checkpoint, S3Exception, S3IterableDataset, S3ReaderConstructor
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import Client, VersionPin

from ..support import PART_SIZE, pattern
from .hostile import HostileServer, MiB


def put(client, bucket, key, data):
    stream = client.put_object(bucket, key)
    stream.write(data)
    return stream.close()


def test_a_server_that_ignores_if_match_cannot_mix_versions(s3):
    # The first request gets version A ("AAAA..."), every later one version B
    # with another ETag, whatever If-Match says.
    with HostileServer("changing", size=20 * MiB) as server:
        client = Client("us-east-1", endpoint=server.endpoint, part_size=PART_SIZE)
        received = bytearray()
        with pytest.raises(S3Exception) as raised:
            for chunk in client.get_object("bucket", "key"):
                received += chunk
        assert raised.value.code == "ObjectChanged"
        assert "was replaced while it was read" in str(raised.value)
        assert set(received) <= {ord("A")}, "bytes of the second version were handed out"
        # Every request after the first asked for the first version.
        first_etag = server._etags[0]
        for _, _, headers in server.requests[1:]:
            assert headers.get("if-match") == f'"{first_etag}"'


def test_ranged_reads_of_one_reader_are_pinned_to_its_first_version(s3):
    with HostileServer("changing", size=2 * MiB) as server:
        client = Client("us-east-1", endpoint=server.endpoint, part_size=PART_SIZE)
        pin = VersionPin()
        first = bytearray(1000)
        assert client.get_object_into("bucket", "key", 0, first, version=pin) == 1000
        assert pin.etag == server._etags[0] and set(first) == {ord("A")}
        with pytest.raises(S3Exception) as raised:
            client.get_object_into("bucket", "key", 5000, bytearray(1000), version=pin)
        assert raised.value.code == "ObjectChanged"
        with pytest.raises(S3Exception) as raised:
            client.head_object("bucket", "key", version=pin)
        assert raised.value.code == "ObjectChanged"


def test_an_object_overwritten_during_one_get_fails_it(s3, native_client, prefix):
    # A small read window keeps most parts unrequested while the object is
    # replaced; the CRT asks for them with If-Match, and the server refuses.
    client = Client(s3.region, endpoint=s3.endpoint, part_size=PART_SIZE, read_ahead_bytes=PART_SIZE)
    key = prefix + "big"
    put(native_client, s3.bucket, key, pattern(12 * PART_SIZE, 1))
    stream = client.get_object(s3.bucket, key)
    first = next(stream)
    put(native_client, s3.bucket, key, pattern(12 * PART_SIZE, 2))
    received = bytearray(first)
    with pytest.raises(S3Exception) as raised:
        for chunk in stream:
            received += chunk
    assert raised.value.code == "ObjectChanged"
    assert bytes(received) == pattern(12 * PART_SIZE, 1)[: len(received)], "bytes of the new version were returned"


@pytest.mark.parametrize("reader", ["streaming", "range_based", "sequential"])
def test_a_reader_that_requests_again_after_an_overwrite_fails(s3, prefix, reader, client_config):
    constructors = {
        "streaming": S3ReaderConstructor.sequential(streaming=True),
        "range_based": S3ReaderConstructor.range_based(buffer_size=0),
        "sequential": S3ReaderConstructor.sequential(),
    }
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config, reader_constructor=constructors[reader])
    uri = f"s3://{s3.bucket}/{prefix}ckpt"
    # Much larger than the read window (which grows to 6 parts), so that
    # parts are still to be requested after the overwrite.
    old, new = pattern(16 * PART_SIZE, 1), pattern(16 * PART_SIZE + 7, 2)
    with checkpoint.writer(uri) as writer:
        writer.write(old)
    reader_ = checkpoint.reader(uri)
    # Past the first part: the streaming reader keeps only what it reads now.
    assert reader_.read(2 * PART_SIZE + 10) == old[: 2 * PART_SIZE + 10]
    with checkpoint.writer(uri) as writer:
        writer.write(new)
    with pytest.raises(S3Exception) as raised:
        # A backward seek re-requests (streaming); a ranged read always does;
        # SEEK_END asks for the rest of the object (sequential).
        reader_.seek(0, io.SEEK_END if reader == "sequential" else io.SEEK_SET)
        reader_.read()
    assert raised.value.code == "ObjectChanged"


class OverwrittenMidway(io.RawIOBase):
    """A reader that has the object replaced after its first read."""

    def __init__(self, reader, overwrite):
        self._reader, self._overwrite = reader, overwrite

    def _after_read(self, result):
        if self._overwrite is not None:
            self._overwrite()
            self._overwrite = None
        return result

    def read(self, size=-1):
        return self._after_read(self._reader.read(size))

    def readinto(self, buffer):
        return self._after_read(self._reader.readinto(buffer))

    def seek(self, offset, whence=io.SEEK_SET):
        return self._reader.seek(offset, whence)

    def tell(self):
        return self._reader.tell()

    def readable(self):
        return True

    def seekable(self):
        return True


def test_torch_load_of_a_checkpoint_overwritten_midway_fails(s3, prefix, client_config):
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config)
    uri = f"s3://{s3.bucket}/{prefix}model.pt"

    def save(tensor):
        with checkpoint.writer(uri) as writer:
            torch.save({"w": tensor}, writer)

    save(torch.arange(2 * PART_SIZE, dtype=torch.float32))  # 8 parts: more than the read window
    reader = OverwrittenMidway(checkpoint.reader(uri), lambda: save(torch.zeros(2 * PART_SIZE)))
    with pytest.raises(S3Exception) as raised:
        torch.load(reader, weights_only=True)
    assert raised.value.code == "ObjectChanged"


def test_a_listing_older_than_the_object_is_detected(s3, prefix, client_config, upload):
    upload(prefix + "data/a", b"x" * 1000)
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}data/", region=s3.region, endpoint=s3.endpoint, s3client_config=client_config
    )
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=client_config)
    (listed,) = list(client.list_objects(s3.bucket, prefix + "data/"))[0].objects
    upload(prefix + "data/a", b"y" * 3000)
    reader = client.get_object(s3.bucket, listed.key, object_info=listed)
    with pytest.raises(S3Exception) as raised:
        reader.read()
    assert raised.value.code == "ObjectChanged"
    # A dataset that lists again reads the new version whole.
    assert [r.read() for r in dataset] == [b"y" * 3000]


def test_a_listed_size_that_disagrees_with_the_object_is_detected(s3):
    # No ETag to pin (a manifest gives sizes only): the size tells.
    with HostileServer("changing", size=2 * MiB) as server:
        client = Client("us-east-1", endpoint=server.endpoint, part_size=PART_SIZE)
        with pytest.raises(S3Exception) as raised:
            b"".join(client.get_object("bucket", "key", size_hint=PART_SIZE + 1))
        assert raised.value.code == "ObjectChanged" and "listing gave a size" in str(raised.value)
