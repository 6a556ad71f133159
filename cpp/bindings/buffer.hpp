// RAII access to any object that exports the buffer protocol (bytes,
// bytearray, memoryview, numpy arrays, array.array, ...).
#pragma once

#include <nanobind/nanobind.h>

#include <cstddef>
#include <cstdint>

namespace s3conn::python {

class BufferView {
public:
    // Throws TypeError unless `object` exports a C-contiguous buffer; with
    // `writable`, also unless the buffer is writable.
    BufferView(nanobind::handle object, bool writable);
    ~BufferView();
    BufferView(const BufferView&) = delete;
    BufferView& operator=(const BufferView&) = delete;

    std::uint8_t* data() const { return static_cast<std::uint8_t*>(view_.buf); }
    std::size_t size() const { return static_cast<std::size_t>(view_.len); }

private:
    Py_buffer view_{};
};

}  // namespace s3conn::python
