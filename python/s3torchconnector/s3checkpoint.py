"""S3Checkpoint: torch.save and torch.load to and from S3 URIs."""

from __future__ import annotations

from typing import Any

from ._s3client import S3Client, S3ClientConfig
from ._s3dataset_common import parse_object_uri
from ._user_agent import UserAgent
from .s3reader import S3Reader, S3ReaderConstructor, S3ReaderConstructorProtocol
from .s3writer import S3Writer


class S3Checkpoint:
    """A checkpoint manager for S3.

    To read a checkpoint from S3, users need to create an S3Reader
    by providing s3_uri of the checkpoint stored in S3. Similarly, to save a
    checkpoint to S3, users need to create an S3Writer by providing s3_uri.
    S3Reader and S3Writer implements io.BufferedIOBase therefore, they can be passed to
    torch.load, and torch.save.

    Readers default to the sequential reader with ``streaming=None``: a
    checkpoint up to 1 GiB is requested whole, every part at once, as soon as
    ``torch.load`` asks for its size; a larger one is streamed (a few parts in
    memory) with its tail (the zip's directory) fetched beside the stream.
    Either way ``torch.load`` costs two serial round trips, whatever the size,
    and nothing is downloaded twice.

    Example::

        checkpoint = S3Checkpoint(region="us-east-1")
        with checkpoint.writer("s3://bucket/epoch-3.ckpt") as writer:
            torch.save(model.state_dict(), writer)
        with checkpoint.reader("s3://bucket/epoch-3.ckpt") as reader:
            state = torch.load(reader)

    Args:
        region: AWS region of the bucket; "" takes ``AWS_REGION`` / ``AWS_DEFAULT_REGION``.
        endpoint: endpoint URL of an S3-compatible store (``http://host:port``);
            None takes ``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL``, then AWS.
        s3client_config: client tuning (part size, retries, timeouts, memory).
        reader_constructor: the readers' type; by default the sequential
            reader described above.
    """

    def __init__(
        self,
        region: str,
        endpoint: str | None = None,
        s3client_config: S3ClientConfig | None = None,
        reader_constructor: S3ReaderConstructorProtocol | None = None,
    ) -> None:
        self.region = region
        self.endpoint = endpoint
        self._reader_constructor = reader_constructor or S3ReaderConstructor.sequential(streaming=None)
        self._client = S3Client(
            region,
            endpoint=endpoint,
            user_agent=UserAgent(["md/checkpoint"]),
            s3client_config=s3client_config,
        )

    def metrics(self) -> dict[str, Any]:
        """Counters of this checkpoint manager's client (see the observability guide)."""
        return self._client.metrics()

    def reset_metrics(self) -> None:
        self._client.reset_metrics()

    def reader(self, s3_uri: str) -> S3Reader:
        """Creates an S3Reader from a given s3_uri.

        Args:
            s3_uri (str): A valid s3_uri. (i.e. s3://<BUCKET>/<KEY>)

        Returns:
            S3Reader: a read-only binary stream of the S3 object's contents, specified by the s3_uri.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        bucket, key = parse_object_uri(s3_uri)
        return self._client.get_object(bucket, key, reader_constructor=self._reader_constructor)

    def writer(self, s3_uri: str) -> S3Writer:
        """Creates an S3Writer from a given s3_uri.

        Args:
            s3_uri (str): A valid s3_uri. (i.e. s3://<BUCKET>/<KEY>)

        Returns:
            S3Writer: a write-only binary stream. The content is saved to S3 using the specified s3_uri.

        Raises:
            S3Exception: An error occurred accessing S3.
        """
        bucket, key = parse_object_uri(s3_uri)
        return self._client.put_object(bucket, key)
