"""Listing: delimiters, keys that need escaping, and more than one page."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from s3torchconnector import S3IterableDataset

# Characters that S3 keys may hold and URLs and XML treat specially.
SPECIAL_KEYS = ["a b", "p+q", "100%", "x?y", "h#t", "a&b=c", "~t", "é ü ß", "日本", "semi;colon", "quote'd"]


def _keys(s3_client, bucket, prefix, delimiter=""):  # type: ignore[no-untyped-def]
    keys, prefixes = [], []
    for page in s3_client.list_objects(bucket, prefix, delimiter=delimiter):
        keys += [o.key for o in page.objects]
        prefixes += page.common_prefixes
    return keys, prefixes


def test_delimiter(s3, s3_client, upload, prefix):
    for key in ("top", "d1/a", "d1/b", "d2/x/y"):
        upload(prefix + key, b"x")
    keys, prefixes = _keys(s3_client, s3.bucket, prefix, delimiter="/")
    assert keys == [prefix + "top"]
    assert prefixes == [prefix + "d1/", prefix + "d2/"]
    keys, _ = _keys(s3_client, s3.bucket, prefix + "d1/", delimiter="/")
    assert keys == [prefix + "d1/a", prefix + "d1/b"]


def test_special_keys(s3, s3_client, upload, prefix):
    for i, key in enumerate(SPECIAL_KEYS):
        upload(prefix + key, bytes([i]) * (i + 1))
    keys, _ = _keys(s3_client, s3.bucket, prefix)
    assert sorted(keys) == sorted(prefix + key for key in SPECIAL_KEYS)
    for i, key in enumerate(SPECIAL_KEYS):
        assert s3_client.get_object(s3.bucket, prefix + key).read() == bytes([i]) * (i + 1)


def test_more_than_a_thousand_keys(s3, s3_client, upload, prefix, client_config):
    names = [f"k{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda name: upload(prefix + name, name.encode()), names))
    keys, _ = _keys(s3_client, s3.bucket, prefix)
    assert keys == [prefix + name for name in names]
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}", region=s3.region, endpoint=s3.endpoint, s3client_config=client_config
    )
    assert [(item.key, item.read()) for item in dataset] == [(prefix + n, n.encode()) for n in names]
