// The Python exception types of s3torchconnector and the translation of
// s3conn::S3Error into them.
#pragma once

#include <nanobind/nanobind.h>

namespace s3conn::python {

// Creates S3Exception and its subclasses in `m` and registers the translator.
void bind_errors(nanobind::module_& m);

}  // namespace s3conn::python
