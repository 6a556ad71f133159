#include "copies.hpp"

#include <cstring>
#include <string>

#include "buffer.hpp"
#include "gil.hpp"
#include "s3conn/chunk.hpp"

namespace nb = nanobind;

namespace s3conn::python {
namespace {

// Above this size the GIL is released while copying.
constexpr std::size_t kReleaseGilAbove = 1 << 20;

void copy(std::uint8_t* to, const std::uint8_t* from, std::size_t n) {
    if (n >= kReleaseGilAbove) {
        ReleaseGil release;
        std::memcpy(to, from, n);
    } else {
        std::memcpy(to, from, n);
    }
    count_copied_bytes(n);
}

}  // namespace

void bind_copies(nb::module_& m) {
    m.def(
        "copy_into",
        [](nb::handle destination, nb::handle source) {
            BufferView to(destination, true);
            BufferView from(source, false);
            const std::size_t n = std::min(to.size(), from.size());
            copy(to.data(), from.data(), n);
            return n;
        },
        nb::arg("destination"), nb::arg("source"),
        nb::sig("def copy_into(destination: typing_extensions.Buffer, source: typing_extensions.Buffer) -> int"),
        "Copies min(len(destination), len(source)) bytes; returns how many.");

    m.def(
        "join",
        [](const nb::list& parts) {
            std::size_t total = 0;
            for (nb::handle part : parts) total += BufferView(part, false).size();
            nb::object out = nb::steal(PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(total)));
            if (!out.is_valid()) throw nb::python_error();
            auto* at = reinterpret_cast<std::uint8_t*>(PyBytes_AsString(out.ptr()));
            for (nb::handle part : parts) {
                BufferView view(part, false);
                copy(at, view.data(), view.size());
                at += view.size();
            }
            return out;
        },
        nb::arg("parts"), nb::sig("def join(parts: list[typing_extensions.Buffer]) -> bytes"),
        "The parts concatenated into one bytes object: each byte copied once.");
}

}  // namespace s3conn::python
