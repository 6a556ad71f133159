#include "buffer.hpp"

#include <string>

namespace nb = nanobind;

namespace s3conn::python {

BufferView::BufferView(nb::handle object, bool writable) {
    const int flags = writable ? (PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) : PyBUF_C_CONTIGUOUS;
    if (PyObject_GetBuffer(object.ptr(), &view_, flags) != 0) {
        PyErr_Clear();
        const std::string type = nb::type_name(object.type()).c_str();
        if (writable && PyObject_CheckBuffer(object.ptr())) {
            throw nb::type_error(
                ("a writable, contiguous buffer is required, not a read-only or strided " + type).c_str());
        }
        throw nb::type_error(("a bytes-like object is required, not '" + type + "'").c_str());
    }
}

BufferView::~BufferView() { PyBuffer_Release(&view_); }

}  // namespace s3conn::python
