// Python types for the streaming operations: Chunk (a zero-copy view of
// downloaded bytes), GetObjectStream and PutObjectStream.
#pragma once

#include <nanobind/nanobind.h>

namespace s3conn::python {

void bind_streams(nanobind::module_& m);

}  // namespace s3conn::python
