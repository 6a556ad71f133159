"""Positions in an epoch of S3IterableDataset, and how they survive a change
of the number of ranks or DataLoader workers.

An epoch's *order* is the listing, shuffled (when asked) by seed and epoch:
the same in every process. With sharding, the order is cut into blocks of
``batch_size`` samples, and block ``k`` goes to *stream* ``k % streams``,
where a process (rank ``r`` of ``R``, DataLoader worker ``w`` of ``W``) is
stream ``r + R * w`` of ``R * W``. A DataLoader hands out its workers'
batches in turn, worker 0 first, so after every rank has taken ``n`` batches
the job has consumed exactly blocks ``0 .. n * R - 1``: the first
``n * R * batch_size`` samples of the order, whatever ``R`` and ``W`` are.
That number (with the epoch and seed) is the *global state*; a job with any
layout resumes from it by skipping those samples and sharding the rest.

A *stream state* is what one process reports: how many samples of its
stream it handed out, and the layout it ran under. It resumes only the same
stream; ``global_state`` turns the stream states of one rank (a DataLoader's
state, which holds every worker's) into the global state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")

# A stream that ran out has handed out all it had; the rank's share of the
# epoch is done, and with ranks in lockstep so is the epoch.
WHOLE_EPOCH = 2**63 - 1

_STREAM_KEYS = ("epoch", "seed", "handed_out", "skipped", "ranks", "rank", "workers", "worker", "batch_size")
_GLOBAL_KEYS = ("epoch", "seed", "samples_consumed")


@dataclass(frozen=True)
class Layout:
    """Where this process sits among the readers of an epoch."""

    ranks: int = 1
    rank: int = 0
    workers: int = 1
    worker: int = 0
    batch_size: int = 1

    @property
    def streams(self) -> int:
        return self.ranks * self.workers

    @property
    def stream(self) -> int:
        return self.rank + self.ranks * self.worker

    def describe(self) -> str:
        return (
            f"worker {self.worker} of {self.workers} on rank {self.rank} of {self.ranks}, batch_size {self.batch_size}"
        )

    def as_state(self) -> dict[str, int]:
        return {
            "ranks": self.ranks,
            "rank": self.rank,
            "workers": self.workers,
            "worker": self.worker,
            "batch_size": self.batch_size,
        }


def take_stream(order: Iterable[T], layout: Layout) -> Iterator[T]:
    """This process's share of ``order``: every ``streams``-th block of
    ``batch_size`` items, starting with block ``stream``."""
    if layout.streams == 1:
        return iter(order)
    if layout.batch_size == 1:
        return islice(order, layout.stream, None, layout.streams)
    return _every_nth_block(iter(order), layout.batch_size, layout.stream, layout.streams)


def _every_nth_block(order: Iterator[T], size: int, first: int, step: int) -> Iterator[T]:
    block = 0
    while chunk := list(islice(order, size)):
        if block % step == first:
            yield from chunk
        block += 1


def check_int(name: str, value: object, minimum: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")


def is_global_state(state: object) -> bool:
    return isinstance(state, dict) and "samples_consumed" in state


def check_state(state: object) -> dict[str, Any]:
    """A stream state (with or without its layout, as before layouts were
    recorded) or a global state; raises ValueError for anything else."""
    if not isinstance(state, dict):
        raise ValueError(f"not a state_dict of S3IterableDataset: {state!r}")
    keys = _GLOBAL_KEYS if is_global_state(state) else ("epoch", "seed", "handed_out")
    if not set(keys) <= state.keys():
        raise ValueError(f"not a state_dict of S3IterableDataset: {state!r}")
    for name in (*keys, *(k for k in _STREAM_KEYS if k in state and k not in keys)):
        minimum = 1 if name in ("ranks", "workers", "batch_size") else 0
        check_int(f"state_dict[{name!r}]", state[name], minimum)
    return state


def stream_layout(state: dict[str, Any]) -> Layout | None:
    """The layout a stream state was made under; None for a state that does not say."""
    if not all(k in state for k in ("ranks", "rank", "workers", "worker", "batch_size")):
        return None
    return Layout(state["ranks"], state["rank"], state["workers"], state["worker"], state["batch_size"])


def global_state(state: Any) -> dict[str, int]:
    """The global state of a job from one rank's state: a (Stateful)DataLoader
    ``state_dict()`` (it holds every worker's), a dataset's or iterator's
    ``state_dict()`` without workers, or a global state (returned as is).

    Ranks are taken to be in lockstep, as data-parallel training keeps them:
    each took as many batches as this one."""
    if is_global_state(state):
        check_state(state)
        return {k: state[k] for k in _GLOBAL_KEYS}
    streams = list(_stream_states(state))
    if not streams:
        raise ValueError("no state of S3IterableDataset in this state_dict")
    first = streams[0]
    layout = stream_layout(first)
    if layout is None:
        raise ValueError("this state_dict does not record the layout it was made under (an older version made it)")
    by_worker: dict[int, dict[str, Any]] = {}
    for stream in streams:
        other = stream_layout(stream)
        if other is None or (other.ranks, other.rank, other.workers, other.batch_size) != (
            layout.ranks,
            layout.rank,
            layout.workers,
            layout.batch_size,
        ):
            raise ValueError("the states in this state_dict are of different ranks or layouts: pass one rank's")
        if (stream["epoch"], stream["seed"], stream["skipped"]) != (first["epoch"], first["seed"], first["skipped"]):
            raise ValueError("the states in this state_dict are of different epochs or resumptions")
        known = by_worker.get(other.worker)
        if known is None or stream["handed_out"] > known["handed_out"]:
            by_worker[other.worker] = stream
    missing = sorted(set(range(layout.workers)) - by_worker.keys())
    if missing:
        raise ValueError(
            f"the state of worker(s) {missing} of {layout.workers} is missing: pass the DataLoader's "
            "state_dict(), which holds every worker's"
        )
    base = {"epoch": first["epoch"], "seed": first["seed"]}
    if any(s.get("exhausted") for s in by_worker.values()) and all(s.get("exhausted") for s in by_worker.values()):
        return {**base, "samples_consumed": WHOLE_EPOCH}
    batches = sum(math.ceil(s["handed_out"] / layout.batch_size) for s in by_worker.values())
    consumed = first["skipped"] + batches * layout.ranks * layout.batch_size
    return {**base, "samples_consumed": min(consumed, WHOLE_EPOCH)}


def global_state_after(
    epoch: int, seed: int, skipped: int, batches: int, ranks: int, batch_size: int
) -> dict[str, int]:
    """The global state once every rank took ``batches`` batches of a pass."""
    check_int("batches", batches)
    return {"epoch": epoch, "seed": seed, "samples_consumed": skipped + batches * ranks * batch_size}


def _stream_states(state: Any) -> Iterator[dict[str, Any]]:
    """Every stream state inside ``state``, however a DataLoader nests them."""
    if isinstance(state, dict):
        if {"epoch", "seed", "handed_out"} <= state.keys():
            check_state(state)
            yield state
            return
        for value in state.values():
            yield from _stream_states(value)
    elif isinstance(state, (list, tuple)):
        for value in state:
            yield from _stream_states(value)
