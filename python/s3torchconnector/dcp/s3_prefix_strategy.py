"""Where each rank's checkpoint files go under the checkpoint path.

S3 scales request rates per key prefix; spreading ranks over prefixes that
differ in their first characters avoids throttling when many ranks write at
once. Every strategy maps a rank to a prefix ending in ``__<rank>_``, to which
DCP appends ``<n>.distcp``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch.distributed as dist


class S3PrefixStrategyBase(ABC):
    """Base class for S3 prefix generation strategies."""

    def __call__(self, rank: int) -> str:
        """Generate prefix for given rank."""
        return self.generate_prefix(rank)

    @abstractmethod
    def generate_prefix(self, rank: int) -> str:
        """Generate storage prefix for the given rank."""


def _epoch_part(epoch_num: int | None) -> str:
    return f"epoch_{epoch_num}/" if epoch_num is not None else ""


def _check_epoch(epoch_num: int | None) -> None:
    if epoch_num is not None and (not isinstance(epoch_num, int) or isinstance(epoch_num, bool)):
        raise ValueError(f"Epoch number must be None or an integer, got {epoch_num!r}")


class DefaultPrefixStrategy(S3PrefixStrategyBase):
    """``__<rank>_``: all files directly under the checkpoint path."""

    def generate_prefix(self, rank: int) -> str:
        return f"__{rank}_"


_DIGIT_FORMATS = {2: "b", 16: "x"}  # format() codes of the bases a prefix is written in


class NumericPrefixStrategy(S3PrefixStrategyBase):
    """``<digits>/[epoch_<n>/]__<rank>_``, where ``<digits>`` is a rank's slot in
    ``base``, written least significant digit first so that consecutive slots
    differ in their first character.

    Args:
        base: 2 for binary digits, 16 for hexadecimal.
        epoch_num: adds an ``epoch_<n>/`` level when given.
        min_prefix_length: digits in every prefix, at least; padded with zeros.
        prefix_count: number of distinct prefixes; defaults to the world size
            when torch.distributed is initialized, else 1.

    Raises:
        ValueError: If epoch_num, min_prefix_length, or prefix_count are invalid.
    """

    def __init__(
        self,
        base: int,
        epoch_num: int | None = None,
        min_prefix_length: int = 10,
        prefix_count: int | None = None,
    ) -> None:
        if base not in _DIGIT_FORMATS:
            raise ValueError(f"base must be one of {sorted(_DIGIT_FORMATS)}, got {base!r}")
        if not isinstance(min_prefix_length, int) or min_prefix_length < 1:
            raise ValueError(f"Minimum prefix length must be positive, got {min_prefix_length!r}")
        _check_epoch(epoch_num)
        if prefix_count is not None and (
            not isinstance(prefix_count, int) or isinstance(prefix_count, bool) or prefix_count < 1
        ):
            raise ValueError(f"Prefix count must be a positive integer, got {prefix_count!r}")
        self.base = base
        self.epoch_num = epoch_num
        self.min_prefix_len = min_prefix_length
        if prefix_count is None:
            prefix_count = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
        self.prefix_count = prefix_count
        length = max(self._digits_needed(), min_prefix_length)
        self.prefix_map: list[str] = [self._format_number(i, length)[::-1] for i in range(prefix_count)]

    def _digits_needed(self) -> int:
        digits, capacity = 1, self.base
        while capacity < self.prefix_count:
            digits += 1
            capacity *= self.base
        return digits

    def generate_prefix(self, rank: int) -> str:
        return f"{self.prefix_map[rank % len(self.prefix_map)]}/{_epoch_part(self.epoch_num)}__{rank}_"

    def _format_number(self, number: int, length: int) -> str:
        """``number`` in this strategy's base, zero-padded to ``length`` digits."""
        return format(number, f"0{length}{_DIGIT_FORMATS[self.base]}")


class BinaryPrefixStrategy(NumericPrefixStrategy):
    """Binary (Base2) prefix generation strategy using only 0 and 1. Arguments
    as for ``NumericPrefixStrategy``, less ``base``."""

    def __init__(
        self, epoch_num: int | None = None, min_prefix_length: int = 10, prefix_count: int | None = None
    ) -> None:
        super().__init__(2, epoch_num, min_prefix_length, prefix_count)


class HexPrefixStrategy(NumericPrefixStrategy):
    """Hexadecimal-based prefix generation strategy. Arguments as for
    ``NumericPrefixStrategy``, less ``base``."""

    def __init__(
        self, epoch_num: int | None = None, min_prefix_length: int = 10, prefix_count: int | None = None
    ) -> None:
        super().__init__(16, epoch_num, min_prefix_length, prefix_count)


class RoundRobinPrefixStrategy(S3PrefixStrategyBase):
    """``<user_prefix>/[epoch_<n>/]__<rank>_``, ranks dealt over the given prefixes in turn.

    Args:
        user_prefixes: the prefixes, non-empty strings; rank ``r`` gets
            ``user_prefixes[r % len(user_prefixes)]``.
        epoch_num: adds an ``epoch_<n>/`` level when given.
    """

    def __init__(self, user_prefixes: list[str], epoch_num: int | None = None) -> None:
        if not user_prefixes:
            raise ValueError("user_prefixes must not be empty")
        if not all(isinstance(p, str) and p for p in user_prefixes):
            raise ValueError("user_prefixes must be non-empty strings")
        _check_epoch(epoch_num)
        self.user_prefixes = list(user_prefixes)
        self.epoch_num = epoch_num

    def generate_prefix(self, rank: int) -> str:
        return f"{self.user_prefixes[rank % len(self.user_prefixes)]}/{_epoch_part(self.epoch_num)}__{rank}_"
