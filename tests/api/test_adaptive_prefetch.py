"""Downloads in flight adapt to latency: the iterable dataset's window grows
while the consumer waits for the oldest download, never past its ceiling,
shrinks when S3 throttles, and objects still come out in order, whole."""

from __future__ import annotations

import time

import pytest

from s3torchconnector import S3IterableDataset
from s3torchconnector._prefetch import INITIAL_WINDOW, InFlightWindow

from ..faultproxy import Fault, FaultProxy
from ..support import pattern

N = 400


@pytest.fixture(scope="module")
def many_objects(s3_client, s3):
    prefix = "py-tests/adaptive-module/"
    for i in range(N):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:04d}") as writer:
            writer.write(pattern(2000, i))
    return prefix


@pytest.fixture
def slow_proxy(s3):
    with FaultProxy(s3.endpoint) as proxy:
        yield proxy


def read_through(dataset):
    """(key, data) of every object, the most downloads seen in flight (besides
    the object being read), and the largest window."""
    iterator = iter(dataset)
    items, largest, window = [], 0, 0
    for reader in iterator:
        largest = max(largest, len(iterator._readers._pending))
        window = max(window, iterator._readers.in_flight_target)
        items.append((reader.key, reader.read()))
    return items, largest, window


def test_the_window_grows_under_latency_and_keeps_order(s3, client_config, many_objects, slow_proxy):
    slow_proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"GET"}, path_contains=many_objects, delay=0.05)
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{many_objects}",
        region=s3.region,
        endpoint=slow_proxy.endpoint,
        s3client_config=client_config,
        prefetch_objects=200,
    )
    items, largest, window = read_through(dataset)
    assert [k for k, _ in items] == [f"{many_objects}{i:04d}" for i in range(N)]
    assert [d for _, d in items] == [pattern(2000, i) for i in range(N)]
    assert window > INITIAL_WINDOW, "the window did not grow though every object waited"
    assert largest <= 200


def test_the_window_stays_where_nothing_waits(s3, client_config, many_objects):
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{many_objects}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=lambda reader: (time.sleep(0.002), reader)[1],
    )
    items, _, window = read_through(dataset)
    assert len(items) == N
    assert window <= INITIAL_WINDOW * 2


def test_throttling_halves_the_window(s3, client_config, many_objects, slow_proxy):
    # The window looks back every `size` objects, and the 503s reach only the
    # requests made after them, up to a window later. A ceiling of 64 leaves
    # room for a look after the throttles within N objects, however the
    # earlier growth fell (at 192, the next look could come after the last
    # object).
    slow_proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"GET"}, path_contains=many_objects, delay=0.05)
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{many_objects}",
        region=s3.region,
        endpoint=slow_proxy.endpoint,
        s3client_config=client_config,
        prefetch_objects=64,
    )
    iterator = iter(dataset)
    for _ in range(150):
        next(iterator).read()
    before = iterator._readers.in_flight_target
    slow_proxy.clear()  # the proxy applies the first rule that matches: 503s first
    slow_proxy.inject(Fault.SLOW_DOWN_503, count=30, methods={"GET"}, path_contains=many_objects)
    slow_proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"GET"}, path_contains=many_objects, delay=0.05)
    rest, smallest = [], before
    for reader in iterator:
        rest.append(reader.read())
        smallest = min(smallest, iterator._readers.in_flight_target)
    assert rest == [pattern(2000, i) for i in range(150, N)]
    assert dataset.metrics()["throttles"] > 0
    assert smallest <= before // 2


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def look(window, clock, seconds, waited=True, waits=None):
    """Hands out one look's worth of objects over ``seconds``; all of them
    waited (or none), or the first ``waits`` of them."""
    count = max(32, window.size)
    for i in range(count):
        window.handed_out(waited=waited if waits is None else i < waits)
        clock.now += seconds / count


def test_downloads_in_convoys_grow_the_window():
    # A fast consumer at a latency the window cannot hide: the downloads of a
    # window finish together, so it waits twice a look, however long.
    clock = Clock()
    window = InFlightWindow(1000, Counter(), initial=128, clock=clock)
    look(window, clock, 1.0, waits=2)
    assert window.size == 192
    look(window, clock, 1.0, waits=1)  # once may be chance: no growth
    assert window.size == 192


def test_window_rules():
    throttles, clock = Counter(), Clock()
    window = InFlightWindow(1000, throttles, initial=32, clock=clock)
    assert window.size == 32
    look(window, clock, 1.0)  # everything waited: double
    assert window.size == 64
    look(window, clock, 0.5)  # twice the rate: it paid, double again
    assert window.size == 128
    look(window, clock, 0.5)  # twice the rate again: grow by half from 128 on
    assert window.size == 192
    look(window, clock, 0.75)  # the same rate: 128 -> 192 did not pay; try once more
    assert window.size == 288
    look(window, clock, 1.125)  # nor did that: back to 128, and rest
    assert window.size == 128
    for _ in range(16):
        look(window, clock, 1.0)
    assert window.size == 128
    look(window, clock, 1.0)  # rested: grow again
    assert window.size == 192
    throttles.value += 1
    look(window, clock, 1.0)  # throttled: halve
    assert window.size == 96
    look(window, clock, 1.0, waited=False)
    assert window.size == 96  # nothing waited: stay
    small = InFlightWindow(10, Counter(), clock=clock)
    for _ in range(50):
        look(small, clock, 1.0)
    assert small.size == 10
