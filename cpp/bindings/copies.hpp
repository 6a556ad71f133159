// Copying downloaded bytes to where Python wants them, counted.
//
// Readers keep chunks as memoryviews and copy out of them only when a caller
// asks for bytes. Doing that copy here, rather than with a slice assignment,
// puts it on the same counter as every other copy out of network buffers, so
// tests can prove that each byte is copied once.
#pragma once

#include <nanobind/nanobind.h>

namespace s3conn::python {

void bind_copies(nanobind::module_& m);

}  // namespace s3conn::python
