"""Argument checks the readers share, with the messages io.* would give."""

from __future__ import annotations

from io import SEEK_CUR, SEEK_END, SEEK_SET
from typing import Any


def check_location(bucket: object, key: object) -> None:
    if not isinstance(bucket, str) or not bucket:
        raise ValueError("Bucket should be specified")
    if not isinstance(key, str) or not key:
        raise ValueError("Key should be specified")


def check_read_size(size: int | None) -> None:
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise TypeError(f"argument should be integer or None, not {type(size)!r}")


def check_seek(offset: object, whence: object) -> None:
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"integer argument expected, got {type(offset)!r}")
    if not isinstance(whence, int) or isinstance(whence, bool):
        raise TypeError(f"integer argument expected, got {type(whence)!r}")
    if whence not in (SEEK_SET, SEEK_CUR, SEEK_END):
        raise ValueError(
            f"invalid whence ({whence}, should be {SEEK_SET}, {SEEK_CUR} or {SEEK_END}): "
            "Seek must be passed SEEK_CUR, SEEK_SET, or SEEK_END"
        )


def writable_view(buf: Any) -> memoryview:
    """A writable, flat byte view of ``buf``; TypeError for anything else."""
    try:
        view = memoryview(buf)
    except TypeError:
        raise TypeError(f"argument must be a writable bytes-like object, not {type(buf).__name__}") from None
    if view.readonly:
        raise TypeError(f"argument must be a writable bytes-like object, not read-only {type(buf).__name__}")
    if not view.c_contiguous:
        raise TypeError("argument must be a contiguous buffer")
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def raise_if_closed(closed: bool) -> None:
    if closed:
        raise ValueError("I/O operation on closed file.")
