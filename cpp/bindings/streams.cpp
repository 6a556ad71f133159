#include "streams.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "buffer.hpp"
#include "gil.hpp"
#include "s3conn/chunk.hpp"
#include "s3conn/get_object.hpp"
#include "s3conn/put_object.hpp"

namespace nb = nanobind;

namespace s3conn::python {
namespace {

// Writes this small are copied with the GIL held: releasing and re-taking it
// would cost more than the copy.
constexpr std::size_t kReleaseGilAbove = 64 * 1024;

// Chunks export their bytes read-only through the buffer protocol; a
// memoryview of a chunk keeps the chunk, and so the CRT buffer, alive.
int chunk_getbuffer(PyObject* self, Py_buffer* view, int flags) {
    const Chunk* chunk = nb::inst_ptr<Chunk>(self);
    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "Chunk is read-only");
        view->obj = nullptr;
        return -1;
    }
    return PyBuffer_FillInfo(view, self, const_cast<std::uint8_t*>(chunk->data()),
                             static_cast<Py_ssize_t>(chunk->size()), 1, flags);
}

PyType_Slot chunk_slots[] = {{Py_bf_getbuffer, reinterpret_cast<void*>(chunk_getbuffer)}, {0, nullptr}};

nb::object as_memoryview(Chunk chunk) {
    nb::object owner = nb::cast(std::move(chunk));
    return nb::steal(PyMemoryView_FromObject(owner.ptr()));
}

}  // namespace

void bind_streams(nb::module_& m) {
    nb::class_<Chunk>(m, "Chunk", nb::type_slots(chunk_slots),
                      "Downloaded bytes, read-only, without a copy. memoryview(chunk) views them.")
        .def_prop_ro("offset", &Chunk::offset, "Position of the first byte in the object.")
        .def("__len__", &Chunk::size)
        .def("__repr__", [](const Chunk& c) {
            return "Chunk(offset=" + std::to_string(c.offset()) + ", size=" + std::to_string(c.size()) + ")";
        });

    nb::class_<GetObjectStream>(m, "GetObjectStream",
                                "A download in progress. Iterating yields read-only memoryviews of the\n"
                                "object's bytes, in order, without copying them.")
        .def_prop_ro("bucket", &GetObjectStream::bucket)
        .def_prop_ro("key", &GetObjectStream::key)
        .def(
            "__iter__", [](nb::handle self) { return self; }, nb::sig("def __iter__(self) -> GetObjectStream"))
        .def(
            "__next__",
            [](GetObjectStream& s) {
                std::optional<Chunk> chunk;
                {
                    ReleaseGil release;
                    chunk = s.next();
                }
                if (!chunk) throw nb::stop_iteration();
                return as_memoryview(std::move(*chunk));
            },
            nb::sig("def __next__(self) -> memoryview"))
        .def(
            "readinto",
            [](GetObjectStream& s, nb::handle buffer) {
                BufferView view(buffer, true);
                ReleaseGil release;
                return s.read_into(view.data(), view.size());
            },
            nb::arg("buffer"), nb::sig("def readinto(self, buffer: typing_extensions.Buffer) -> int"),
            "Fills `buffer` from the network buffers (one copy); returns the bytes written, fewer only at the end.")
        .def_prop_ro("etag", &GetObjectStream::etag,
                     "ETag of the version being read, without quotes; '' until the first response.")
        .def(
            "object_size",
            [](GetObjectStream& s) {
                ReleaseGil release;
                return s.object_size();
            },
            "The whole object's size, from the first response (waits for it); None for an empty range.")
        .def_prop_ro("done", &GetObjectStream::done,
                     "Whether the download is over (all received, or failed): reading will not wait.")
        .def("set_read_ahead", &GetObjectStream::set_read_ahead, nb::arg("bytes"),
             "Lets the download run up to `bytes` ahead of the reader (never less than the client's\n"
             "read-ahead): a reader that keeps everything can ask for the whole object at once.")
        .def("cancel", &GetObjectStream::cancel, "Stops the download; later reads raise S3Exception.");

    nb::class_<PutObjectStream>(m, "PutObjectStream",
                                "An upload in progress. Nothing is visible in the bucket before close()\n"
                                "succeeds; abort(), a failure, or dropping the stream leaves no object.")
        .def_prop_ro("bucket", &PutObjectStream::bucket)
        .def_prop_ro("key", &PutObjectStream::key)
        .def(
            "write",
            [](PutObjectStream& s, nb::handle data) {
                BufferView view(data, false);
                if (view.size() < kReleaseGilAbove) {
                    s.write(view.data(), view.size());
                } else {
                    ReleaseGil release;
                    s.write(view.data(), view.size());
                }
                return view.size();
            },
            nb::arg("data"), nb::sig("def write(self, data: typing_extensions.Buffer) -> int"),
            "Appends any bytes-like object; returns the number of bytes taken.")
        .def(
            "close",
            [](PutObjectStream& s) {
                PutObjectResult result;
                {
                    ReleaseGil release;
                    result = s.close();
                }
                return result.etag;
            },
            "Completes the upload and returns the object's ETag.")
        .def("abort", &PutObjectStream::abort, nb::call_guard<ReleaseGil>(),
             "Cancels the upload; no object is created. A no-op once closed.")
        .def_prop_ro("bytes_written", &PutObjectStream::bytes_written)
        .def_prop_ro("closed", &PutObjectStream::closed);
}

}  // namespace s3conn::python
