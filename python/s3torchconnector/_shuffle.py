"""Deterministic shuffling of an object stream."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def rng_for(seed: int, epoch: int) -> random.Random:
    """The same generator for the same (seed, epoch), in every process and run
    (string seeds are hashed with SHA-512, not Python's salted hash)."""
    return random.Random(f"s3torchconnector/{seed}/{epoch}")


def buffer_shuffle(items: Iterable[T], buffer_size: int, rng: random.Random) -> Iterator[T]:
    """Streams ``items`` in a random order, holding at most ``buffer_size`` of
    them: each item is swapped into a random slot of the buffer, and the one it
    displaces is yielded."""
    buffer: list[T] = []
    for item in items:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        slot = rng.randrange(buffer_size)
        yield buffer[slot]
        buffer[slot] = item
    rng.shuffle(buffer)
    yield from buffer
