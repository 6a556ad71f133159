"""ListObjectsV2 through the native client: paging, delimiters, tokens."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import pytest

from s3torchconnector._s3conn import Client

MANY = 1_050


def _upload_one_byte_objects(client: Client, bucket: str, keys: list[str]) -> None:
    def upload(key: str) -> None:
        stream = client.put_object(bucket, key)
        stream.write(b"x")
        stream.close()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(upload, keys))


@pytest.fixture(scope="module")
def many_keys(native_client, s3):
    """1,050 one-byte objects, every fifth under sub/."""
    prefix = "py-tests/listing-module/"
    keys = [f"{prefix}{'sub/' if i % 5 == 0 else ''}{i:05d}" for i in range(MANY)]
    _upload_one_byte_objects(native_client, s3.bucket, keys)
    return prefix, keys


def test_pages_through_more_than_a_thousand_keys(native_client, s3, many_keys):
    prefix, keys = many_keys
    seen, pages, token = [], 0, None
    while True:
        page = native_client.list_objects(s3.bucket, prefix=prefix, continuation_token=token)
        pages += 1
        seen += [o.key for o in page.objects]
        assert all(o.size == 1 for o in page.objects)
        token = page.next_continuation_token
        if token is None:
            assert not page.is_truncated
            break
        assert page.is_truncated
    assert pages >= 2
    assert sorted(seen) == sorted(keys)
    assert len(set(seen)) == MANY


def test_delimiter_groups_common_prefixes(native_client, s3, many_keys):
    prefix, keys = many_keys
    objects, prefixes, token = 0, [], None
    while True:
        page = native_client.list_objects(s3.bucket, prefix=prefix, delimiter="/", continuation_token=token)
        objects += len(page.objects)
        prefixes += page.common_prefixes
        token = page.next_continuation_token
        if token is None:
            break
    assert objects == sum(1 for k in keys if "/sub/" not in k)
    assert prefixes == [prefix + "sub/"]


def test_resume_from_a_token_in_another_client(native_client, s3, many_keys):
    prefix, _ = many_keys
    first = native_client.list_objects(s3.bucket, prefix=prefix, max_keys=100)
    assert len(first.objects) == 100 and first.is_truncated
    other = Client(**native_client.config)
    second = other.list_objects(
        s3.bucket, prefix=prefix, max_keys=100, continuation_token=first.next_continuation_token
    )
    assert len(second.objects) == 100
    assert second.objects[0].key > first.objects[-1].key
    after = native_client.list_objects(s3.bucket, prefix=prefix, max_keys=3, start_after=first.objects[49].key)
    assert [o.key for o in after.objects] == [o.key for o in first.objects[50:53]]


def test_empty_listing(native_client, s3, prefix):
    page = native_client.list_objects(s3.bucket, prefix=prefix + "nothing/")
    assert page.objects == [] and page.common_prefixes == []
    assert page.next_continuation_token is None and not page.is_truncated


def test_max_keys_is_validated(native_client, s3):
    for bad in (0, 1001):
        with pytest.raises(ValueError, match="max_keys"):
            native_client.list_objects(s3.bucket, max_keys=bad)


@pytest.mark.parametrize("in_flight, page_size", [(1, 1000), (8, 25), (16, 1000)])
def test_listing_everything_over_key_ranges(native_client, s3, many_keys, in_flight, page_size):
    prefix, keys = many_keys
    client = Client(**native_client.config)
    listed = client.list_all_objects(s3.bucket, prefix, max_requests_in_flight=in_flight, page_size=page_size)
    assert [o.key for o in listed] == sorted(keys)  # each once, in S3's order
    assert all(o.size == 1 and o.etag for o in listed)
    pages = -(-MANY // page_size)
    requests = client.metrics()["requests"]["ListObjectsV2"]
    assert requests == pages if in_flight == 1 else pages <= requests <= 3 * pages + in_flight


def test_everything_listed_is_a_sequence_of_views_that_outlive_it(native_client, s3, many_keys):
    prefix, keys = many_keys
    listed = native_client.list_all_objects(s3.bucket, prefix)
    assert len(listed) == MANY
    assert listed[0].key == min(keys) and listed[-1].key == max(keys) and listed[-MANY].key == min(keys)
    for bad in (MANY, -MANY - 1):
        with pytest.raises(IndexError):
            listed[bad]
    first, rest = listed[0], iter(listed)
    del listed
    gc.collect()
    assert first.key == min(keys) and first.size == 1  # the items keep the list alive
    assert [o.key for o in rest] == sorted(keys)


def test_listing_everything_checks_its_arguments(native_client, s3):
    for bad in (0, 129):
        with pytest.raises(ValueError, match="max_requests_in_flight"):
            native_client.list_all_objects(s3.bucket, max_requests_in_flight=bad)
    with pytest.raises(ValueError, match="max_keys"):
        native_client.list_all_objects(s3.bucket, page_size=0)


def test_keys_beyond_ascii_are_cut_only_between_characters(native_client, s3, prefix):
    # Two- and three-byte characters where the keys vary: a cut inside a
    # character would send S3 a start-after that is not UTF-8.
    keys = sorted(
        f"{prefix}{'αβγδ'[i % 4]}{'日本語'[i % 3]}-{i:04d}" for i in range(480)
    )  # Python orders str by code point, which is S3's UTF-8 byte order
    _upload_one_byte_objects(native_client, s3.bucket, keys)
    client = Client(**native_client.config)
    listed = client.list_all_objects(s3.bucket, prefix, max_requests_in_flight=8, page_size=20)
    assert [o.key for o in listed] == keys
    assert client.metrics()["requests"]["ListObjectsV2"] >= 480 // 20
