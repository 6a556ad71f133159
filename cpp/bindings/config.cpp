#include "config.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <string>
#include <vector>

namespace nb = nanobind;

namespace s3conn::python {
namespace {

// Filled once, as the fields are bound.
std::vector<const char*>& field_names() {
    static std::vector<const char*> names;
    return names;
}

bool is_field(const std::string& name) {
    for (const char* field : field_names()) {
        if (name == field) return true;
    }
    return false;
}

template <typename T>
void field(nb::class_<ClientConfig>& cls, const char* name, T ClientConfig::*member, const char* doc) {
    cls.def_rw(name, member, doc);
    field_names().push_back(name);
}

}  // namespace

nb::dict config_dict(const ClientConfig& config) {
    nb::object bound = nb::cast(config, nb::rv_policy::copy);
    nb::dict out;
    for (const char* name : field_names()) out[name] = bound.attr(name);
    return out;
}

ClientConfig config_from_dict(const nb::dict& values) {
    // Set through a Python instance of its own, so that each field converts
    // (and fails) as an attribute assignment would.
    nb::object bound = nb::cast(ClientConfig{}, nb::rv_policy::move);
    for (auto [name, value] : values) {
        const std::string field = nb::cast<std::string>(name);
        if (!is_field(field)) {
            throw nb::type_error(("ClientConfig has no field '" + field + "'").c_str());
        }
        if (value.is_none()) continue;
        try {
            nb::setattr(bound, name, value);
        } catch (const nb::python_error&) {
            // nanobind's own message lists overloads; say what the field takes.
            const std::string kind = nb::cast<std::string>(bound.attr(name).type().attr("__name__"));
            throw nb::type_error((field + " takes " + kind + " values" +
                                  (kind == "int" ? " from 0 to the field's maximum" : "") + ", not " +
                                  nb::cast<std::string>(nb::repr(value)))
                                     .c_str());
        }
    }
    return nb::cast<ClientConfig>(bound);
}

void bind_config(nb::module_& m) {
    nb::class_<ClientConfig> cls(m, "ClientConfig",
                                 "The configuration of a Client: s3conn::ClientConfig, field by field (see\n"
                                 "cpp/include/s3conn/config.hpp for what each means). 0 or \"\" means the default.");
    cls.def(nb::init<>());
    field(cls, "region", &ClientConfig::region, "AWS region; \"\": AWS_REGION, AWS_DEFAULT_REGION, us-east-1.");
    field(cls, "endpoint", &ClientConfig::endpoint, "Endpoint URL; \"\": AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS.");
    field(cls, "force_path_style", &ClientConfig::force_path_style, "Address buckets as host/bucket/key.");
    field(cls, "part_size", &ClientConfig::part_size, "Bytes of each ranged GET and upload part.");
    field(cls, "throughput_target_gbps", &ClientConfig::throughput_target_gbps,
          "Throughput the connection pool is sized for.");
    field(cls, "max_attempts", &ClientConfig::max_attempts, "Attempts per request, the first included.");
    field(cls, "unsigned_requests", &ClientConfig::unsigned_requests, "Send requests unsigned (public buckets).");
    field(cls, "profile", &ClientConfig::profile, "Named profile of the AWS config files; \"\": the default chain.");
    field(cls, "requester_pays", &ClientConfig::requester_pays, "Send x-amz-request-payer: requester.");
    field(cls, "user_agent_prefix", &ClientConfig::user_agent_prefix, "Prepended to every User-Agent.");
    field(cls, "event_loop_threads", &ClientConfig::event_loop_threads,
          "Event-loop threads; 0: min(4, max(2, cores / 2)).");
    field(cls, "memory_limit_bytes", &ClientConfig::memory_limit_bytes,
          "Bytes of part buffers per pool; 0: the CRT's choice for the throughput target.");
    field(cls, "read_ahead_bytes", &ClientConfig::read_ahead_bytes,
          "Bytes a streaming GET downloads ahead of its consumer; 0: 4 parts.");
    field(cls, "ca_file", &ClientConfig::ca_file, "PEM file of trusted CAs; \"\": AWS_CA_BUNDLE, the system's.");
    field(cls, "connect_timeout_ms", &ClientConfig::connect_timeout_ms, "Connect (and TLS) timeout; 0: 3000 ms.");
    field(cls, "stall_timeout_seconds", &ClientConfig::stall_timeout_seconds,
          "A connection under 1 KiB/s this long is dropped; 0: 10 s.");
    field(cls, "retry_backoff_ms", &ClientConfig::retry_backoff_ms,
          "Base of the retry backoff; 0: 500 ms or S3CONN_RETRY_BACKOFF_MS.");
    field(cls, "upload_checksums", &ClientConfig::upload_checksums, "Send a CRC32C of every upload and part.");
    field(cls, "validate_checksums", &ClientConfig::validate_checksums,
          "Verify downloads against the checksums S3 stored.");
    field(cls, "use_fips_endpoint", &ClientConfig::use_fips_endpoint,
          "AWS's FIPS endpoints; None: AWS_USE_FIPS_ENDPOINT (AWS's endpoints only).");
    field(cls, "use_dualstack_endpoint", &ClientConfig::use_dualstack_endpoint,
          "AWS's dual-stack endpoints; None: AWS_USE_DUALSTACK_ENDPOINT (AWS's endpoints only).");
    cls.def("validate", &validate,
            "Raises ValueError naming the first field that breaks a rule (alone, or with the others).");
    cls.def("resolved", &resolve, "This configuration with every default and environment variable applied.");
    cls.def("effective_memory_limit", &effective_memory_limit, "The memory limit a client would use.");
    cls.def_static("from_dict", &config_from_dict, nb::arg("values"),
                   nb::sig("def from_dict(values: dict[str, typing.Any]) -> ClientConfig"),
                   "A configuration from field values by name; None keeps a default.");
    cls.def("as_dict", &config_dict, nb::sig("def as_dict(self) -> dict[str, typing.Any]"), "Every field, by name.");
    cls.def(
        "__getstate__", [](const ClientConfig& c) { return config_dict(c); },
        nb::sig("def __getstate__(self) -> dict[str, typing.Any]"));
    cls.def(
        "__setstate__",
        [](ClientConfig* self, const nb::dict& state) { new (self) ClientConfig(config_from_dict(state)); },
        nb::sig("def __setstate__(self, state: dict[str, typing.Any]) -> None"));
    cls.def("__eq__",
            [](const ClientConfig& a, const ClientConfig& b) { return config_dict(a).equal(config_dict(b)); });
}

}  // namespace s3conn::python
