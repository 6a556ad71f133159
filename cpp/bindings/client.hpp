// The Python Client: s3conn::Client with keyword configuration, pickling as
// its configuration, and the GIL released while requests run.
#pragma once

#include <nanobind/nanobind.h>

namespace s3conn::python {

void bind_client(nanobind::module_& m);

}  // namespace s3conn::python
