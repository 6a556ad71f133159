"""The configuration both dataset kinds share, validated in one place."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterable as IterableABC
from typing import Any

from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import parse_object_uri
from ._user_agent import UserAgent
from .s3reader import S3Reader, S3ReaderConstructor, S3ReaderConstructorProtocol


def check_dataset_arguments(
    region: object,
    endpoint: object,
    transform: object,
    s3client_config: object,
    reader_constructor: object,
) -> None:
    if not isinstance(region, str):
        raise TypeError(f"region must be a str, not {type(region).__name__}")
    if endpoint is not None and not isinstance(endpoint, str):
        raise TypeError(f"endpoint must be a str or None, not {type(endpoint).__name__}")
    if not callable(transform):
        raise TypeError(f"transform must be callable, not {type(transform).__name__}")
    if s3client_config is not None and not isinstance(s3client_config, S3ClientConfig):
        raise TypeError(f"s3client_config must be an S3ClientConfig, not {type(s3client_config).__name__}")
    if reader_constructor is not None and not callable(reader_constructor):
        raise TypeError(
            "reader_constructor must be made by S3ReaderConstructor (e.g. S3ReaderConstructor.sequential()), "
            f"not {type(reader_constructor).__name__}"
        )


def check_object_uris(object_uris: str | Iterable[str]) -> None:
    """Validates URIs up front when that costs nothing (a string, a list);
    an iterator is validated as it is consumed."""
    if isinstance(object_uris, str):
        parse_object_uri(object_uris)
    elif isinstance(object_uris, (list, tuple)):
        for uri in object_uris:
            parse_object_uri(uri)
    elif not isinstance(object_uris, IterableABC):
        raise TypeError(f"object_uris must be a str or an iterable of str, not {type(object_uris).__name__}")


class DatasetClient:
    """The lazily created S3Client of a dataset, tagged with the dataset kind
    and reader type in its User-Agent."""

    def __init__(
        self,
        kind: str,
        region: str,
        endpoint: str | None,
        s3client_config: S3ClientConfig | None,
        reader_constructor: S3ReaderConstructorProtocol,
    ) -> None:
        self._kind = kind
        self.region = region
        self.endpoint = endpoint
        self.s3client_config = s3client_config
        self.reader_constructor = reader_constructor
        self._client: S3Client | None = None

    def get(self) -> S3Client:
        if self._client is None:
            reader_type = S3ReaderConstructor.get_reader_type_string(self.reader_constructor)
            self._client = S3Client(
                self.region,
                endpoint=self.endpoint,
                user_agent=UserAgent([f"md/dataset#{self._kind} md/reader_type#{reader_type}"]),
                s3client_config=self.s3client_config,
            )
        return self._client

    def reader(self, bucket: str, key: str, object_info: Any) -> S3Reader:
        return self.get().get_object(bucket, key, object_info=object_info, reader_constructor=self.reader_constructor)
