"""Constants and helpers the test modules share."""

from __future__ import annotations

import random

PART_SIZE = 5 * 1024 * 1024  # S3's minimum part size keeps test data small


def pattern(size: int, seed: int = 1) -> bytes:
    """Deterministic bytes that differ at every offset and for every seed."""
    return random.Random(seed * 7919 + size).randbytes(size)
