"""Readers: one file-like view per S3 object, in three strategies."""

from .constructor import DCPOptimizedConstructor, S3ReaderConstructor
from .dcp_optimized import DCPOptimizedS3Reader, ItemRange, RangeGroup
from .protocol import DCPS3ReaderConstructorProtocol, GetStreamCallable, S3ReaderConstructorProtocol
from .ranged import RangedS3Reader
from .s3reader import S3Reader
from .sequential import SequentialS3Reader

__all__ = [
    "S3Reader",
    "S3ReaderConstructor",
    "SequentialS3Reader",
    "RangedS3Reader",
    "DCPOptimizedS3Reader",
    "DCPOptimizedConstructor",
    "ItemRange",
    "RangeGroup",
    "GetStreamCallable",
    "S3ReaderConstructorProtocol",
    "DCPS3ReaderConstructorProtocol",
]
