"""The DCP-optimized reader: coalescing, sequential item access, zero-copy
item buffers, and the errors that guide users back to the generic reader."""

from __future__ import annotations

from io import SEEK_END

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3torchconnector import S3ReaderConstructor
from s3torchconnector.s3reader import DCPOptimizedS3Reader, ItemRange, SequentialS3Reader
from s3torchconnector.s3reader.dcp_optimized import coalesce

from ..support import PART_SIZE, pattern

SIZE = 3 * PART_SIZE + 123
KEY = "py-tests/dcp-reader-module/shard.distcp"


@pytest.fixture(scope="module")
def shard(s3_client, s3):
    data = pattern(SIZE, 5)
    with s3_client.put_object(s3.bucket, KEY) as writer:
        writer.write(data)
    return data


def make_reader(s3_client, s3, ranges, max_gap_size=32 * 1024 * 1024):
    constructor = S3ReaderConstructor.dcp_optimized(max_gap_size)
    constructor._item_ranges_by_file = {f"s3://{s3.bucket}/{KEY}": ranges}
    return s3_client.get_object(s3.bucket, KEY, reader_constructor=constructor)


def test_coalescing_groups_ranges_by_gap():
    ranges = [ItemRange(0, 10), ItemRange(15, 20), ItemRange(100, 110), ItemRange(110, 120)]
    assert [(g.start, g.end, len(g.item_ranges)) for g in coalesce(ranges, 5)] == [(0, 20, 2), (100, 120, 2)]
    assert [(g.start, g.end) for g in coalesce(ranges, 0)] == [(0, 10), (15, 20), (100, 120)]
    assert len(coalesce(ranges, float("inf"))) == 1
    with pytest.raises(ValueError, match="Overlapping ranges: 0-10 and 5-20"):
        coalesce([ItemRange(0, 10), ItemRange(5, 20)], 0)
    with pytest.raises(ValueError, match="Unsorted ranges"):
        coalesce([ItemRange(10, 20), ItemRange(0, 5)], 0)
    with pytest.raises(ValueError, match="Invalid range: 5-3"):
        coalesce([ItemRange(5, 3)], 0)


RANGES = (
    st.lists(st.integers(0, SIZE), min_size=2, max_size=12, unique=True)
    .map(sorted)
    .map(lambda points: [ItemRange(a, b) for a, b in zip(points[::2], points[1::2], strict=False)])
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ranges=RANGES, gap=st.sampled_from([0, 1000, PART_SIZE, float("inf")]), step=st.integers(1, PART_SIZE))
def test_items_read_in_order_match_memory(s3_client, s3, shard, ranges, gap, step):
    reader = make_reader(s3_client, s3, ranges, gap)
    assert isinstance(reader, DCPOptimizedS3Reader)
    for r in ranges:
        reader.seek(r.start)
        out = bytearray()
        while reader.tell() < r.end:
            n = min(step, r.end - reader.tell())
            if n % 2:
                out += reader.read(n)
            else:
                buf = bytearray(n)
                assert reader.readinto(buf) == n
                out += buf
        assert bytes(out) == shard[r.start : r.end]
        # Backward seeks within the current item are served from its buffer.
        reader.seek(r.start)
        assert reader.read(min(4, r.end - r.start)) == shard[r.start : r.start + 4][: r.end - r.start]


def test_one_request_per_group(s3_client, s3, shard, monkeypatch):
    ranges = [ItemRange(0, 100), ItemRange(200, 300), ItemRange(2 * PART_SIZE, 2 * PART_SIZE + 10)]
    reader = make_reader(s3_client, s3, ranges, max_gap_size=1000)
    opened = []
    real = reader._get_stream

    def counting(start=None, end=None):
        opened.append((start, end))
        return real(start, end)

    reader._get_stream = counting
    for r in ranges:
        reader.seek(r.start)
        assert reader.read(r.end - r.start) == shard[r.start : r.end]
    assert opened == [(0, 300), (2 * PART_SIZE, 2 * PART_SIZE + 10)]


def test_misuse_raises_value_error_with_guidance(s3_client, s3, shard):
    reader = make_reader(s3_client, s3, [ItemRange(0, 100), ItemRange(200, 300)])
    for call in (lambda: reader.read(), lambda: reader.read(-1)):
        with pytest.raises(ValueError, match="(?s)full read not supported.*S3ReaderConstructor.default"):
            call()
    with pytest.raises(ValueError, match="whence must be SEEK_CUR or SEEK_SET"):
        reader.seek(0, SEEK_END)
    reader.seek(150)
    with pytest.raises(ValueError, match="only supports sequentially accessing provided ranges"):
        reader.read(10)  # in the gap, before the first item was read
    reader.seek(0)
    assert reader.read(100) == shard[:100]
    reader.seek(200)
    assert reader.read(50) == shard[200:250]
    reader.seek(0)
    with pytest.raises(ValueError, match="Range 0-10 not contained in current item 200-300"):
        reader.read(10)  # back to an earlier item
    reader.seek(290)
    with pytest.raises(ValueError, match="Range 290-310 not contained in current item 200-300"):
        reader.read(20)  # runs past the end of the item
    reader.seek(300)
    with pytest.raises(ValueError, match="not contained in last item"):
        reader.read(10)  # past the last item


def test_constructor_routes_files(s3_client, s3, shard):
    constructor = S3ReaderConstructor.dcp_optimized()
    assert S3ReaderConstructor.get_reader_type_string(constructor) == "dcp_optimized"
    metadata = s3_client.get_object(s3.bucket, "prefix/.metadata", reader_constructor=constructor)
    assert isinstance(metadata, SequentialS3Reader)
    with pytest.raises(ValueError, match="No ranges found for s3://.*other.distcp"):
        s3_client.get_object(s3.bucket, "prefix/other.distcp", reader_constructor=constructor)
    with pytest.raises(ValueError, match="max_gap_size must be non-negative"):
        S3ReaderConstructor.dcp_optimized(-1)
    with pytest.raises(TypeError, match="max_gap_size must be int or float"):
        S3ReaderConstructor.dcp_optimized("big")  # type: ignore[arg-type]


def test_reader_type_strings():
    assert S3ReaderConstructor.get_reader_type_string(None) == "sequential"
    assert S3ReaderConstructor.get_reader_type_string(S3ReaderConstructor.default()) == "sequential"
    assert S3ReaderConstructor.get_reader_type_string(S3ReaderConstructor.range_based(0)) == "range_based"
    assert S3ReaderConstructor.get_reader_type_string(lambda **kw: None) == "unknown"  # type: ignore[arg-type]
