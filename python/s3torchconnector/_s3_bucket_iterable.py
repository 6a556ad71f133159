"""The objects under a prefix, listed page by page as they are consumed."""

from __future__ import annotations

from collections.abc import Iterator

from ._s3bucket_key_data import S3BucketKeyData
from ._s3client import ListObjectPages, S3Client


class S3BucketIterable:
    """Re-iterable: each ``iter()`` starts a fresh listing."""

    def __init__(self, client: S3Client, bucket: str, prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def __iter__(self) -> S3BucketIterator:
        return S3BucketIterator(self._client, self._bucket, self._prefix)


class S3BucketIterator:
    """Yields one S3BucketKeyData per listed object, carrying its listed size
    so that readers never need a HeadObject. Picklable mid-listing: a copy
    continues with the same remaining objects."""

    def __init__(self, client: S3Client, bucket: str, prefix: str) -> None:
        self._bucket = bucket
        self._pages: ListObjectPages = client.list_objects(bucket, prefix)
        self._page: list[S3BucketKeyData] = []
        self._index = 0

    def __iter__(self) -> Iterator[S3BucketKeyData]:
        return self

    def __next__(self) -> S3BucketKeyData:
        while self._index >= len(self._page):
            page = next(self._pages)  # StopIteration ends the listing
            self._page = [S3BucketKeyData(self._bucket, info.key, info) for info in page.objects]
            self._index = 0
        item = self._page[self._index]
        self._index += 1
        return item
