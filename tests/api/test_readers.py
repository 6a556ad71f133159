"""Every reader against the same bytes held in memory: fixed cases at part
boundaries, and random read/readinto/seek/tell sequences (hypothesis)."""

from __future__ import annotations

import io
from io import SEEK_CUR, SEEK_END, SEEK_SET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3torchconnector import S3Exception, S3ReaderConstructor
from s3torchconnector.s3reader import RangedS3Reader, SequentialS3Reader

from ..support import PART_SIZE, pattern

SIZES = [0, 1, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 3 * PART_SIZE]

CONSTRUCTORS = {
    "sequential": S3ReaderConstructor.sequential(),
    "sequential_streaming": S3ReaderConstructor.sequential(streaming=True),
    "range_based": S3ReaderConstructor.range_based(),
    "range_based_unbuffered": S3ReaderConstructor.range_based(buffer_size=0),
    "range_based_small_buffer": S3ReaderConstructor.range_based(buffer_size=1000),
}


@pytest.fixture(scope="module")
def objects(s3_client, s3):
    """key -> bytes, one object per size."""
    stored = {}
    for size in SIZES:
        key = f"py-tests/readers-module/size-{size}"
        data = pattern(size, size % 97)
        with s3_client.put_object(s3.bucket, key) as writer:
            writer.write(data)
        stored[key] = data
    return stored


class Model:
    """What a reader must do, on bytes in memory: BytesIO, except that seeking
    past the end stays at the end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.buffer = io.BytesIO(data)

    def read(self, size: int | None) -> bytes:
        return self.buffer.read(size)

    def readinto(self, n: int) -> bytes:
        out = bytearray(n)
        got = self.buffer.readinto(out)
        return bytes(out[:got])

    def seek(self, offset: int, whence: int) -> int:
        base = {SEEK_SET: 0, SEEK_CUR: self.buffer.tell(), SEEK_END: len(self.data)}[whence]
        target = base + offset
        if target < 0:
            raise ValueError
        return self.buffer.seek(min(target, len(self.data)))

    def tell(self) -> int:
        return self.buffer.tell()


def reader_for(s3_client, s3, key, constructor, listed: bool):
    info = s3_client.head_object(s3.bucket, key) if listed else None
    return s3_client.get_object(s3.bucket, key, object_info=info, reader_constructor=constructor)


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
@pytest.mark.parametrize("size", SIZES)
def test_full_reads(s3_client, s3, objects, name, size):
    key = f"py-tests/readers-module/size-{size}"
    data = objects[key]
    for listed in (False, True):
        reader = reader_for(s3_client, s3, key, CONSTRUCTORS[name], listed)
        assert reader.read() == data
        assert reader.read() == b""
        assert reader.tell() == size
        reader.seek(0)
        into = bytearray(size + 10)
        assert reader.readinto(into) == size
        assert into[:size] == data
        reader.seek(-min(size, 3), SEEK_END)
        assert reader.read(100) == data[size - min(size, 3) :]


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.one_of(st.none(), st.integers(-1, 3 * PART_SIZE + 10))),
        st.tuples(st.just("readinto"), st.integers(0, 2 * PART_SIZE)),
        st.tuples(st.just("seek"), st.tuples(st.integers(-PART_SIZE, 4 * PART_SIZE), st.sampled_from([0, 1, 2]))),
        st.tuples(st.just("tell"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.sampled_from(SIZES), listed=st.booleans(), ops=OPS)
def test_random_operations_match_memory(s3_client, s3, objects, name, size, listed, ops):
    key = f"py-tests/readers-module/size-{size}"
    model = Model(objects[key])
    reader = reader_for(s3_client, s3, key, CONSTRUCTORS[name], listed)
    for op, arg in ops:
        if op == "read":
            assert reader.read(arg) == model.read(arg)
        elif op == "readinto":
            out = bytearray(arg)
            n = reader.readinto(out)
            assert bytes(out[:n]) == model.readinto(arg)
        elif op == "seek":
            offset, whence = arg
            try:
                expected = model.seek(offset, whence)
            except ValueError:
                with pytest.raises(ValueError, match="negative seek value"):
                    reader.seek(offset, whence)
            else:
                assert reader.seek(offset, whence) == expected
        assert reader.tell() == model.tell()


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
def test_reader_argument_errors(s3_client, s3, objects, name):
    reader = reader_for(s3_client, s3, "py-tests/readers-module/size-1", CONSTRUCTORS[name], False)
    with pytest.raises(TypeError, match="integer or None"):
        reader.read("3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer argument expected"):
        reader.seek(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid whence"):
        reader.seek(0, 3)
    with pytest.raises(ValueError, match="negative seek value -1"):
        reader.seek(-1)
    with pytest.raises(TypeError, match="writable bytes-like"):
        reader.readinto(b"read-only")
    with pytest.raises(TypeError, match="writable bytes-like"):
        reader.readinto("text")
    assert reader.seekable() and reader.readable() and not reader.writable()
    reader.close()
    reader.close()  # twice is fine
    assert reader.closed
    for call in (lambda: reader.read(), lambda: reader.readinto(bytearray(1)), lambda: reader.seek(0), reader.tell):
        with pytest.raises(ValueError, match="closed file"):
            call()


def test_reader_requires_bucket_and_key():
    for bucket, key in (("", "k"), ("b", "")):
        with pytest.raises(ValueError, match="should be specified"):
            SequentialS3Reader(bucket, key, lambda: None, lambda: None)  # type: ignore[arg-type, return-value]
        with pytest.raises(ValueError, match="should be specified"):
            RangedS3Reader(bucket, key, lambda: None, lambda: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="buffer_size must be 0"):
        S3ReaderConstructor.range_based(buffer_size=-1)


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
def test_missing_object(s3_client, s3, prefix, name):
    reader = s3_client.get_object(s3.bucket, prefix + "missing", reader_constructor=CONSTRUCTORS[name])
    with pytest.raises(S3Exception) as error:
        reader.read()
    assert isinstance(error.value, FileNotFoundError)
    assert prefix + "missing" in str(error.value)


def test_sequential_reader_is_lazy_and_uses_listed_size(s3_client, s3, objects, monkeypatch):
    key = f"py-tests/readers-module/size-{PART_SIZE + 1}"
    info = s3_client.head_object(s3.bucket, key)
    monkeypatch.setattr(type(s3_client), "head_object", lambda *a: pytest.fail("HeadObject was sent"))
    reader = s3_client.get_object(s3.bucket, key, object_info=info)
    assert reader._stream is None  # nothing requested yet
    assert reader.seek(0, SEEK_END) == PART_SIZE + 1  # the listed size, no HeadObject
    assert reader.seek(10) == 10
    assert reader.read(5) == objects[key][10:15]


def test_sequential_reader_serves_backward_seeks_from_memory(s3_client, s3, objects):
    key = f"py-tests/readers-module/size-{3 * PART_SIZE}"
    reader = s3_client.get_object(s3.bucket, key)
    assert reader.read() == objects[key]
    stream = reader._stream
    reader.seek(100)
    assert reader.read(50) == objects[key][100:150]
    assert reader._stream is stream  # no new request
