"""ObjectCache: whole objects on local disk, shared by every process of a
node (DataLoader workers, ranks), keyed by bucket, key and ETag so that a
changed object is fetched again.

* **Never a partial file.** An object is written to a temporary file in the
  cache's ``tmp/`` (the same file system) and renamed into place once
  complete. Start-up looks only there for the leftovers of dead processes.
* **A byte budget, kept across processes.** Space is reserved before a
  download starts, under a lock file (``flock``), against a usage count
  kept in the folder; an abandoned download gives its reservation back.
* **Eviction that suits epochs.** What this job has used (since the cache
  was made in the job's main process) is never evicted to make room: an
  epoch that reads a little more data than fits would otherwise evict each
  object just before it is read again (LRU's failure on cyclic access, 0 %
  hits). When the budget is full, entries the job has not used (an earlier
  job's, a changed object's old version) go first, oldest first; when there
  are none, new objects are read from S3 and not cached, and the hit rate
  is what fits over what is read. ``benchmarks/cache_policy.py`` measures
  both policies.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

log = logging.getLogger(__name__)

_STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old belongs to a process that died


@dataclass
class Reservation:
    """Room for one object, and the temporary file it is written to."""

    size: int
    temporary: str
    final: str


class ObjectCache:
    """Args:
    directory: the cache's folder (made if missing); share it between the
        processes of a node.
    byte_budget: most bytes of objects kept; None takes half the free space
        of the folder's file system now.
    """

    def __init__(self, directory: str | os.PathLike[str], byte_budget: int | None = None) -> None:
        directory = os.path.abspath(os.fspath(directory))
        os.makedirs(os.path.join(directory, "objects"), exist_ok=True)
        os.makedirs(os.path.join(directory, "tmp"), exist_ok=True)
        if byte_budget is None:
            byte_budget = shutil.disk_usage(directory).free // 2
        if not isinstance(byte_budget, int) or isinstance(byte_budget, bool) or byte_budget < 0:
            raise ValueError(f"cache_bytes must be a non-negative int, not {byte_budget!r}")
        self.directory = directory
        self.byte_budget = byte_budget
        self._job_start = time.time() - 1  # what was used since is this job's (1 s: coarse mtimes)
        self._reset_counters()
        self._sweep()

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "byte_budget": self.byte_budget, "job_start": self._job_start}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.directory, self.byte_budget, self._job_start = state["directory"], state["byte_budget"], state["job_start"]
        self._reset_counters()

    def __repr__(self) -> str:
        return f"ObjectCache({self.directory!r}, byte_budget={self.byte_budget})"

    # -- counters, per process ------------------------------------------------

    def _reset_counters(self) -> None:
        self._pid = os.getpid()
        self._counts = {"hits": 0, "misses": 0, "bytes_from_cache": 0, "bytes_cached": 0, "not_cached": 0}
        self._full_of_this_job = False
        self._warned = False

    def _counters(self) -> dict[str, int]:
        if self._pid != os.getpid():  # a forked DataLoader worker counts its own
            self._reset_counters()
        return self._counts

    def metrics(self) -> dict[str, int]:
        """This process's hits, misses, bytes read from the cache, bytes
        written to it, and objects it had no room for."""
        return dict(self._counters())

    # -- lookup -----------------------------------------------------------------

    def _path(self, bucket: str, key: str, etag: str) -> str:
        digest = hashlib.sha256(f"{bucket}\0{key}\0{etag}".encode()).hexdigest()
        return os.path.join(self.directory, "objects", digest[:2], digest)

    def open(self, bucket: str, key: str, etag: str, size: int) -> IO[bytes] | None:
        """The cached copy of this version of the object, opened, or None."""
        path = self._path(bucket, key, etag)
        try:
            f = open(path, "rb")  # noqa: SIM115 - the reader owns it
        except FileNotFoundError:
            self._counters()["misses"] += 1
            return None
        if os.fstat(f.fileno()).st_size != size:  # not what the listing says: never serve it
            f.close()
            self._counters()["misses"] += 1
            return None
        os.utime(path)  # used by this job: not evicted for another object
        counts = self._counters()
        counts["hits"] += 1
        counts["bytes_from_cache"] += size
        return f

    # -- admission ----------------------------------------------------------------

    def reserve(self, bucket: str, key: str, etag: str, size: int) -> Reservation | None:
        """Room for this object, or None when the budget has none left for it."""
        counts = self._counters()
        if self._full_of_this_job or size > self.byte_budget:
            counts["not_cached"] += 1
            return None
        final = self._path(bucket, key, etag)
        with self._locked() as usage:
            if usage[0] + size > self.byte_budget:
                usage[0] -= self._evict_unused(usage[0] + size - self.byte_budget)
            if usage[0] + size > self.byte_budget:
                self._full_of_this_job = True
                counts["not_cached"] += 1
                self._warn_full(usage[0])
                return None
            usage[0] += size
        os.makedirs(os.path.dirname(final), exist_ok=True)
        name = f"{os.path.basename(final)}.tmp-{os.getpid()}-{time.monotonic_ns()}"
        temporary = os.path.join(self.directory, "tmp", name)
        return Reservation(size, temporary, final)

    def commit(self, reservation: Reservation) -> None:
        """Puts a completely written object in its place."""
        with self._locked() as usage:
            if os.path.exists(reservation.final):
                usage[0] -= reservation.size  # another process cached it first: counted once
            os.replace(reservation.temporary, reservation.final)
        self._counters()["bytes_cached"] += reservation.size

    def abandon(self, reservation: Reservation) -> None:
        """Gives back the room of an object that will not be completed."""
        try:
            os.unlink(reservation.temporary)
        except FileNotFoundError:
            pass
        with self._locked() as usage:
            usage[0] -= reservation.size

    def _warn_full(self, used: int) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "the cache in %s is full (%d of %d bytes, all used by this job): objects that do not fit are "
                "read from S3 every epoch; a cache_bytes as large as the dataset would hold it all",
                self.directory,
                used,
                self.byte_budget,
            )

    # -- usage, under the lock -------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[list[int]]:
        """The usage count as a one-item list, with the cache locked; written back after."""
        with open(os.path.join(self.directory, ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            usage_file = os.path.join(self.directory, ".usage")
            try:
                with open(usage_file) as f:
                    usage, before = [int(f.read() or 0)], None
            except (FileNotFoundError, ValueError):
                usage, before = [self._scan_usage()], -1  # written back whatever happens
            if before is None:
                before = usage[0]
            yield usage
            if usage[0] != before:
                with open(usage_file + ".new", "w") as f:
                    f.write(str(max(usage[0], 0)))
                os.replace(usage_file + ".new", usage_file)

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        with os.scandir(os.path.join(self.directory, "objects")) as shards:
            for shard in shards:
                if shard.is_dir():
                    with os.scandir(shard.path) as files:
                        yield from files

    def _scan_usage(self) -> int:
        return sum(entry.stat().st_size for entry in self._entries())

    def _evict_unused(self, needed: int) -> int:
        """Deletes entries this job has not used, oldest first, until ``needed``
        bytes are free; returns the bytes freed."""
        unused = []
        for entry in self._entries():
            stat = entry.stat()
            if stat.st_mtime < self._job_start:
                unused.append((stat.st_mtime, stat.st_size, entry.path))
        freed = 0
        for _, size, path in sorted(unused):
            if freed >= needed:
                break
            os.unlink(path)
            freed += size
        return freed

    def _sweep(self) -> None:
        """Removes temporary files of processes that died, and recounts usage
        if it removed any (their reservations were never given back)."""
        now = time.time()
        with os.scandir(os.path.join(self.directory, "tmp")) as entries:
            stale = [e.path for e in entries if now - e.stat().st_mtime > _STALE_TEMPORARY_SECONDS]
        for path in stale:
            os.unlink(path)
        if stale:
            with self._locked() as usage:
                usage[0] = self._scan_usage()
