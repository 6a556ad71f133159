// The Python ClientConfig: s3conn::ClientConfig bound field by field. The
// binding's list of fields is the only one: pickling, dicts and keyword
// construction all walk it.
#pragma once

#include <nanobind/nanobind.h>

#include "s3conn/config.hpp"

namespace s3conn::python {

void bind_config(nanobind::module_& m);

// Every bound field of `config`, by name (what pickling carries).
nanobind::dict config_dict(const ClientConfig& config);

// A configuration from keyword values, each one a bound field's name; None
// leaves a field at its default. TypeError names an unknown field.
ClientConfig config_from_dict(const nanobind::dict& values);

}  // namespace s3conn::python
