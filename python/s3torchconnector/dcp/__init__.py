"""torch.distributed.checkpoint (DCP) on S3 (torch >= 2.3; this package's ``dcp`` extra).

import torch.distributed.checkpoint as dcp
from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

dcp.save(state_dict, storage_writer=S3StorageWriter(region, "s3://bucket/ckpt/step-100"))
dcp.load(state_dict, storage_reader=S3StorageReader(region, "s3://bucket/ckpt/step-100"))
"""

from .s3_file_system import S3FileSystem
from .s3_prefix_strategy import (
    BinaryPrefixStrategy,
    DefaultPrefixStrategy,
    HexPrefixStrategy,
    NumericPrefixStrategy,
    RoundRobinPrefixStrategy,
    S3PrefixStrategyBase,
)
from .s3_storage_reader import S3StorageReader
from .s3_storage_writer import S3StorageWriter

__all__ = [
    "S3FileSystem",
    "S3StorageReader",
    "S3StorageWriter",
    "S3PrefixStrategyBase",
    "DefaultPrefixStrategy",
    "NumericPrefixStrategy",
    "BinaryPrefixStrategy",
    "HexPrefixStrategy",
    "RoundRobinPrefixStrategy",
]
