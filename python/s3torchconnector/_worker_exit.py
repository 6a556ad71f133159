"""A spawned process (DataLoader worker, ``torch.multiprocessing.spawn``
rank) ends with the objects it was started with still referenced from module
globals: multiprocessing's current process keeps its target's arguments (the
dataset, for a DataLoader worker) and torch keeps ``get_worker_info()``.
CPython clears those globals only in the last phase of finalization, after
its final garbage collection, so whatever hangs from a reference cycle under
them is never freed, and nanobind reports every native object among it as
leaked (tens of lines per worker). Dropping these two references at exit,
while the collector still runs, frees them."""

from __future__ import annotations

import atexit
import multiprocessing
import sys

_registered = False


def release_start_arguments_at_exit() -> None:
    """Call when making a native client (unpickling makes one); idempotent."""
    global _registered
    if not _registered:
        _registered = True
        atexit.register(_release_start_arguments)


def _release_start_arguments() -> None:
    # Asked at exit, not at registration: a spawned process unpickles its
    # start arguments before multiprocessing records its parent.
    if multiprocessing.parent_process() is None:
        return  # the main process: nothing started it with arguments
    process = multiprocessing.current_process()
    # The target has returned: its arguments are of no further use.
    for name in ("_args", "_kwargs"):
        if hasattr(process, name):
            setattr(process, name, () if name == "_args" else {})
    worker = sys.modules.get("torch.utils.data._utils.worker")
    if worker is not None and getattr(worker, "_worker_info", None) is not None:
        setattr(worker, "_worker_info", None)  # noqa: B010 - a private name mypy does not know
