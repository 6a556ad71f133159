"""Constants and helpers the test modules share."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections.abc import Iterator

PART_SIZE = 5 * 1024 * 1024  # S3's minimum part size keeps test data small


def pattern(size: int, seed: int = 1) -> bytes:
    """Deterministic bytes that differ at every offset and for every seed."""
    return random.Random(seed * 7919 + size).randbytes(size)


@contextlib.contextmanager
def ctrl_c_after(seconds: float) -> Iterator[float]:
    """Sends this process SIGINT `seconds` into the block, as Ctrl-C would,
    to Python's own handler, whatever an earlier test left (Lightning's
    teardown, for one, sets SIGINT to be ignored for a while). Yields the
    monotonic time the block started."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        yield start
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
