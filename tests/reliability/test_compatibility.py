"""What some S3 servers do differently, within what HTTP and S3 allow (or
just outside it): keys returned raw although encoding-type=url was asked for
(s3rver), no support for GET ?partNumber= (Ceph RGW, Swift, s3rver), answers
to a ranged GET that the CRT cannot read (s3rver's empty object; a store that
ignores Range)."""

from __future__ import annotations

import pytest

from s3torchconnector import S3ClientConfig, S3Exception, S3MapDataset
from s3torchconnector._s3conn import Client

from ..faultproxy import Fault
from ..support import PART_SIZE, pattern
from .hostile import HostileServer


def test_keys_of_a_server_that_ignores_the_encoding_are_taken_as_they_are():
    # Decoded only when the answer declares <EncodingType>url</EncodingType>,
    # as botocore does: "p+q" is a plus there.
    with HostileServer("raw_keys") as server:
        page = next(Client("us-east-1", endpoint=server.endpoint).list_pages("bucket", "", delimiter="/"))
        assert [info.key for info in page.objects] == ["p+q", "a%20b"]
        assert page.common_prefixes == ["d+/"]
        dataset = S3MapDataset.from_prefix(
            "s3://bucket/",
            region="us-east-1",
            endpoint=server.endpoint,
            s3client_config=S3ClientConfig(force_path_style=True),
        )
        assert [dataset._dataset_bucket_key_pairs[i].key for i in range(len(dataset))] == ["p+q", "a%20b"]


def test_no_get_asks_for_a_part_number(proxy, s3, prefix, s3_client):
    # Listed sizes of a part, less and more: none makes the CRT ask for
    # ?partNumber=1, which those servers refuse (here: a 500 it would retry
    # until it gave up).
    sizes = {"under": PART_SIZE - 1, "exact": PART_SIZE, "over": PART_SIZE + 1, "tiny": 1}
    for name, size in sizes.items():
        with s3_client.put_object(s3.bucket, prefix + name) as writer:
            writer.write(pattern(size, len(name)))
    refused_before = proxy.stats.injected.get(Fault.ERROR_500, 0)
    proxy.inject(Fault.ERROR_500, count=-1, methods={"GET"}, path_contains="partNumber=")
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}",
        region=s3.region,
        endpoint=proxy.endpoint,
        s3client_config=S3ClientConfig(force_path_style=True, part_size=PART_SIZE, max_attempts=1),
    )
    read = {reader.key.rsplit("/", 1)[1]: reader.read() for reader in (dataset[i] for i in range(len(dataset)))}
    assert read == {name: pattern(size, len(name)) for name, size in sizes.items()}
    assert proxy.stats.injected.get(Fault.ERROR_500, 0) == refused_before


def test_answers_to_a_ranged_get_that_the_crt_refuses_are_settled_by_one_plain_get():
    with HostileServer("range_quirks", size=8 * PART_SIZE) as server:
        # Retries allowed: an unreadable answer is given again, so none is made.
        client = Client("us-east-1", endpoint=server.endpoint, part_size=PART_SIZE)
        for key, expected in (("empty", b""), ("small", b"q" * 1000)):
            before = server.request_count
            stream = client.get_object("bucket", key)
            assert stream.object_size() == len(expected)
            assert b"".join(bytes(chunk) for chunk in stream) == expected
            assert server.request_count - before == 2  # the ranged GET, then one plain GET
            assert "range" not in server.requests[-1][2]


def test_a_store_that_ignores_range_on_a_large_object_gets_a_precise_error():
    # The plain GET would bring the whole object into memory: it stops at a part.
    with HostileServer("range_quirks", size=8 * PART_SIZE) as server:
        client = Client("us-east-1", endpoint=server.endpoint, part_size=PART_SIZE, max_attempts=1)
        with pytest.raises(S3Exception, match="does not support the ranged GETs") as error:
            client.get_object("bucket", "large").object_size()
        assert error.value.code == "InvalidResponse"
