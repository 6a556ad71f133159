from ._s3client import ListObjectPages, ObjectStreams, S3Client
from .s3client_config import S3ClientConfig

__all__ = ["S3Client", "S3ClientConfig", "ObjectStreams", "ListObjectPages"]
