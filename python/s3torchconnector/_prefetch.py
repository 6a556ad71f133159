"""Keeping several downloads in flight while handing objects out in order.

How many: enough to hide S3's first-byte latency. By Little's law a consumer
of R objects per second with L seconds to each first byte needs R x L
downloads in flight (30 ms at 2,500 objects/s: 75), and nothing tells us R or
L up front, so the window adapts (``InFlightWindow``): it grows while the
consumer finds the oldest download unfinished and growing still pays, and
halves when S3 throttles. The byte budget and the caller's ceiling bound it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator

from ._s3bucket_key_data import S3BucketKeyData
from .s3reader import S3Reader

# The ceiling of downloads in flight per process: at 50 ms and 5,000 objects/s
# a consumer needs 250.
DEFAULT_PREFETCH_OBJECTS = 256
DEFAULT_PREFETCH_BYTES = 128 * 1024 * 1024
# Where the window starts: what 2,500 objects/s need at 50 ms. Small objects
# make that cheap, and the byte budget holds back large ones; starting lower
# costs the first few hundred objects of every epoch at S3's latency.
INITIAL_WINDOW = 128


class InFlightWindow:
    """The number of downloads to keep in flight, adapted to what the consumer
    sees. Every ``window`` objects handed out (at least 32) it looks back:

    * S3 throttled (``throttles()`` grew): halve, and do not grow for a while;
    * the consumer found the oldest download unfinished at least twice: grow
      (double below 128, then by half), up to ``ceiling``. Not a share of the
      objects: a consumer faster than latency allows meets downloads in
      convoys (a window's worth started together finish together), and waits
      once per convoy however long it waits;
    * two growths in a row that did not raise the rate by 3 % are undone,
      and growth rests for sixteen looks (more in flight no longer helps:
      bandwidth or the consumer binds).
    """

    def __init__(
        self,
        ceiling: int,
        throttles: Callable[[], int],
        initial: int = INITIAL_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = max(1, ceiling)
        self.size = min(self.ceiling, max(1, initial))
        self._throttles = throttles
        self._seen_throttles = throttles()
        self._clock = clock
        self._handed_out = 0
        self._waited = 0
        self._started = clock()
        self._previous_size = self.size
        self._last_rate: float | None = None  # the rate before the last growth
        self._size_before_gainless: int | None = None
        self._rest = 0

    def handed_out(self, waited: bool) -> None:
        self._handed_out += 1
        self._waited += waited
        if self._handed_out >= max(32, self.size):
            self._look_back()

    def _look_back(self) -> None:
        now = self._clock()
        rate = self._handed_out / max(now - self._started, 1e-6)
        waited = self._waited
        self._handed_out = self._waited = 0
        self._started = now
        throttles = self._throttles()
        if throttles > self._seen_throttles:
            self._seen_throttles = throttles
            self.size = max(1, self.size // 2)
            self._last_rate = self._size_before_gainless = None
            self._rest = 4
            return
        if self._last_rate is not None:
            if rate >= self._last_rate * 1.03:
                self._size_before_gainless = None
            elif self._size_before_gainless is None:
                self._size_before_gainless = self._previous_size
            else:  # two growths that did not pay: back, and rest
                self.size = self._size_before_gainless
                self._last_rate = self._size_before_gainless = None
                self._rest = 16
                return
        if self._rest > 0:
            self._rest -= 1
            self._last_rate = None
            return
        if waited >= 2 and self.size < self.ceiling:
            self._last_rate = rate
            self._previous_size = self.size
            self.size = min(self.ceiling, self.size * 2 if self.size < 128 else math.ceil(self.size * 1.5))
        else:
            self._last_rate = None


class PrefetchingReaders:
    """Readers for a stream of objects, up to ``max_objects`` (and about
    ``max_bytes``) of them already downloading while the oldest is used; with
    a ``window``, up to what the window says, within those bounds.

    The byte budget counts each object's listed size, capped at what one
    download buffers ahead of its reader (``per_object_cap``); an object of
    unknown size counts as that cap. The first object always starts, however
    large, so progress never stalls.
    """

    def __init__(
        self,
        objects: Iterator[S3BucketKeyData],
        open_reader: Callable[[S3BucketKeyData], S3Reader],
        max_objects: int,
        max_bytes: int,
        per_object_cap: int,
        *,
        window: InFlightWindow | None = None,
    ) -> None:
        self._objects = objects
        self._open_reader = open_reader
        self._max_objects = max(1, max_objects)
        self._max_bytes = max_bytes
        self._per_object_cap = per_object_cap
        self._window = window
        self._pending: deque[tuple[S3Reader, int]] = deque()
        self._pending_bytes = 0
        self._exhausted = False

    @property
    def in_flight_target(self) -> int:
        """How many downloads this pipeline keeps running now."""
        return min(self._max_objects, self._window.size) if self._window is not None else self._max_objects

    def _cost(self, item: S3BucketKeyData) -> int:
        size: int | None = item.object_info.size if item.object_info is not None else None
        return self._per_object_cap if size is None else min(size, self._per_object_cap)

    def _fill(self) -> None:
        target = self.in_flight_target
        while not self._exhausted and len(self._pending) < target:
            if self._pending and self._pending_bytes >= self._max_bytes:
                return
            try:
                item = next(self._objects)
            except StopIteration:
                self._exhausted = True
                return
            reader = self._open_reader(item)
            prefetch = getattr(reader, "prefetch", None)
            if prefetch is not None:
                prefetch()
            cost = self._cost(item)
            self._pending.append((reader, cost))
            self._pending_bytes += cost

    def __iter__(self) -> PrefetchingReaders:
        return self

    def __next__(self) -> S3Reader:
        self._fill()
        if not self._pending:
            raise StopIteration
        reader, cost = self._pending.popleft()
        self._pending_bytes -= cost
        if self._window is not None:
            downloaded = getattr(reader, "downloaded", None)
            self._window.handed_out(waited=not downloaded() if downloaded is not None else True)
        self._fill()  # start the next download before the caller reads this one
        return reader

    def close(self) -> None:
        """Cancels the downloads not handed out yet."""
        while self._pending:
            self._pending.popleft()[0].close()
        self._pending_bytes = 0
        self._exhausted = True
