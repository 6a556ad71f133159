#include "client.hpp"

#include <nanobind/make_iterator.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nanobind/stl/tuple.h>

#include "buffer.hpp"
#include "config.hpp"
#include "gil.hpp"
#include "s3conn/client.hpp"
#include "s3conn/listing.hpp"
#include <cmath>

namespace nb = nanobind;

namespace s3conn::python {
namespace {

std::string or_empty(const std::optional<std::string>& value) { return value.value_or(""); }

nb::object none_if_empty(const std::string& value) {
    return value.empty() ? nb::none() : nb::object(nb::str(value.c_str(), value.size()));
}

nb::dict metrics_dict(const MetricsSnapshot& m) {
    nb::dict requests;
    for (const auto& [operation, count] : m.requests) requests[operation.c_str()] = count;
    nb::list bounds;
    for (auto us : LatencyHistogram::kBoundsUs) bounds.append(static_cast<double>(us) / 1e6);
    bounds.append(nb::float_(INFINITY));
    nb::list counts;
    for (auto c : m.first_byte_latency.counts) counts.append(c);
    nb::dict latency;
    latency["bounds_seconds"] = bounds;
    latency["counts"] = counts;
    latency["count"] = m.first_byte_latency.count;
    latency["mean_seconds"] =
        m.first_byte_latency.count == 0 ? 0.0 : m.first_byte_latency.total_us / 1e6 / m.first_byte_latency.count;
    nb::dict out;
    out["requests"] = requests;
    out["bytes_downloaded"] = m.bytes_downloaded;
    out["bytes_uploaded"] = m.bytes_uploaded;
    out["retries"] = m.retries;
    out["throttles"] = m.throttles;
    out["errors"] = m.errors;
    out["first_byte_latency"] = latency;
    return out;
}

std::string repr(const Client& client) {
    const ClientConfig& c = client.config();
    std::string out = "Client(region='" + c.region + "'";
    if (!c.endpoint.empty()) out += ", endpoint='" + c.endpoint + "'";
    if (c.force_path_style) out += ", force_path_style=True";
    out += ", part_size=" + std::to_string(c.part_size);
    if (c.unsigned_requests) out += ", unsigned=True";
    if (!c.profile.empty()) out += ", profile='" + c.profile + "'";
    return out + ")";
}

// The objects of list_all_objects, kept in C++: Python sees one ObjectInfo
// at a time (a view into this list), so a listing of millions of keys is
// never millions of Python objects at once on its way into an index.
struct ListedObjects {
    std::vector<ObjectInfo> objects;
};

// Python's VersionPin. The core shares its pin with requests that finish on
// CRT threads; a shared_ptr made from a Python object (nanobind's) would take
// the GIL there to drop its reference, stalling an event loop behind Python
// and, during interpreter shutdown, ending the thread inside C++ (abort). So
// the pin is owned by C++, and Python holds a handle to it.
struct PinHandle {
    std::shared_ptr<VersionPin> pin;
};

std::shared_ptr<VersionPin> pin_of(const PinHandle* handle) { return handle ? handle->pin : nullptr; }

}  // namespace

void bind_client(nb::module_& m) {
    nb::class_<PinHandle>(m, "VersionPin",
                          "The version (ETag) of one object that several downloads must all read: give\n"
                          "the same pin to every get_object / get_object_into of one reader. The first\n"
                          "response sets it, unless it is made with the ETag a listing gave.")
        .def("__init__", [](PinHandle* self) { new (self) PinHandle{std::make_shared<VersionPin>()}; })
        .def(
            "__init__",
            [](PinHandle* self, std::string etag) {
                new (self) PinHandle{std::make_shared<VersionPin>(std::move(etag))};
            },
            nb::arg("etag"))
        .def_prop_ro(
            "etag", [](const PinHandle& h) { return h.pin->etag(); },
            "The pinned ETag, without quotes; '' until known.")
        .def("__repr__", [](const PinHandle& h) { return "VersionPin(etag='" + h.pin->etag() + "')"; });

    nb::class_<ObjectInfo>(m, "ObjectInfo", "What a listing or HeadObject says about one object.")
        .def(
            "__init__",
            [](ObjectInfo* self, const std::string& key, std::uint64_t size, const std::string& etag,
               std::int64_t last_modified, const std::optional<std::string>& storage_class) {
                new (self) ObjectInfo{key, etag, size, last_modified, or_empty(storage_class)};
            },
            nb::arg("key"), nb::arg("size"), nb::arg("etag") = "", nb::arg("last_modified") = 0,
            nb::arg("storage_class") = nb::none())
        .def(
            "__getstate__",
            [](const ObjectInfo& i) { return nb::make_tuple(i.key, i.size, i.etag, i.last_modified, i.storage_class); })
        .def("__setstate__",
             [](ObjectInfo* self, const nb::tuple& t) {
                 new (self)
                     ObjectInfo{nb::cast<std::string>(t[0]), nb::cast<std::string>(t[2]), nb::cast<std::uint64_t>(t[1]),
                                nb::cast<std::int64_t>(t[3]), nb::cast<std::string>(t[4])};
             })
        .def("__eq__",
             [](const ObjectInfo& a, const ObjectInfo& b) {
                 return a.key == b.key && a.size == b.size && a.etag == b.etag && a.last_modified == b.last_modified &&
                        a.storage_class == b.storage_class;
             })
        .def_ro("key", &ObjectInfo::key)
        .def_ro("etag", &ObjectInfo::etag)
        .def_ro("size", &ObjectInfo::size)
        .def_ro("last_modified", &ObjectInfo::last_modified, "Seconds since the Unix epoch.")
        .def_prop_ro(
            "storage_class", [](const ObjectInfo& i) { return none_if_empty(i.storage_class); },
            nb::for_getter(nb::sig("def storage_class(self, /) -> str | None")))
        .def("__repr__", [](const ObjectInfo& i) {
            return "ObjectInfo(key='" + i.key + "', size=" + std::to_string(i.size) + ", etag='" + i.etag + "')";
        });

    nb::class_<ListObjectsPage>(m, "ListObjectsPage", "One page of a ListObjectsV2 listing.")
        .def_ro("objects", &ListObjectsPage::objects)
        .def_ro("common_prefixes", &ListObjectsPage::common_prefixes)
        .def_prop_ro(
            "next_continuation_token",
            [](const ListObjectsPage& p) { return none_if_empty(p.next_continuation_token); },
            nb::for_getter(nb::sig("def next_continuation_token(self, /) -> str | None")),
            nb::for_getter("Token for the next page; None on the last page."))
        .def_ro("is_truncated", &ListObjectsPage::is_truncated);

    nb::class_<ListedObjects>(m, "ListedObjects",
                              "Every object under a prefix, sorted by key (Client.list_all_objects): a sequence "
                              "whose items are views into it.")
        .def("__len__", [](const ListedObjects& l) { return l.objects.size(); })
        .def(
            "__getitem__",
            [](const ListedObjects& l, Py_ssize_t i) -> const ObjectInfo& {
                const auto size = static_cast<Py_ssize_t>(l.objects.size());
                if (i < 0) i += size;
                if (i < 0 || i >= size) throw nb::index_error("ListedObjects index out of range");
                return l.objects[static_cast<std::size_t>(i)];
            },
            nb::rv_policy::reference_internal)
        .def(
            "__iter__",
            [](const ListedObjects& l) {
                return nb::make_iterator(nb::type<ListedObjects>(), "ListedObjectsIterator", l.objects.begin(),
                                         l.objects.end());
            },
            nb::keep_alive<0, 1>());

    nb::class_<ListObjectsPaginator>(m, "ListObjectsPaginator", "The pages of one listing (Client.list_pages).")
        .def("__iter__", [](nb::handle self) { return self; })
        .def(
            "__next__",
            [](ListObjectsPaginator& p) {
                std::optional<ListObjectsPage> page;
                {
                    ReleaseGil release;
                    page = p.next();
                }
                if (!page) throw nb::stop_iteration();
                return std::move(*page);
            },
            nb::sig("def __next__(self) -> ListObjectsPage"))
        .def_prop_ro(
            "continuation_token", [](const ListObjectsPaginator& p) { return none_if_empty(p.continuation_token()); },
            nb::for_getter(nb::sig("def continuation_token(self, /) -> str | None")),
            nb::for_getter("Token of the next page; None before the first and after the last."))
        .def_prop_ro("pages", &ListObjectsPaginator::pages, "Pages fetched so far.")
        .def_prop_ro("done", &ListObjectsPaginator::done);

    nb::class_<Client>(m, "Client",
                       "A thread-safe S3 client on the AWS Common Runtime. Its CRT stack is built on\n"
                       "first use, and again after fork(); it pickles as its configuration.")
        .def(nb::init<ClientConfig>(), nb::arg("config"))
        .def(
            "__init__",
            [](Client* self, const std::string& region, const nb::kwargs& options) {
                nb::dict values;
                values["region"] = region;
                for (auto [name, value] : options) values[name] = value;
                new (self) Client(config_from_dict(values));
            },
            nb::arg("region") = "", nb::arg("options"),
            "A client of `region` with ClientConfig's fields as keywords (None keeps a default).")
        .def(
            "__getstate__", [](const Client& c) { return config_dict(c.config()); },
            nb::sig("def __getstate__(self) -> dict[str, typing.Any]"))
        .def(
            "__setstate__", [](Client* self, const nb::dict& state) { new (self) Client(config_from_dict(state)); },
            nb::sig("def __setstate__(self, state: dict[str, typing.Any]) -> None"))
        .def("__repr__", &repr)
        .def_prop_ro(
            "config", [](const Client& c) { return config_dict(c.config()); },
            nb::for_getter(nb::sig("def config(self, /) -> dict[str, typing.Any]")),
            nb::for_getter("The configuration as given."))
        .def_prop_ro(
            "resolved_config", [](const Client& c) { return config_dict(c.resolved_config()); },
            nb::for_getter(nb::sig("def resolved_config(self, /) -> dict[str, typing.Any]")),
            nb::for_getter("The configuration with environment defaults applied."))
        .def_prop_ro("region", [](const Client& c) { return c.resolved_config().region; })
        .def_prop_ro(
            "endpoint", [](const Client& c) { return none_if_empty(c.resolved_config().endpoint); },
            nb::for_getter(nb::sig("def endpoint(self, /) -> str | None")))
        .def_prop_ro("part_size", [](const Client& c) { return c.config().part_size; })
        .def(
            "get_object",
            [](Client& c, const std::string& bucket, const std::string& key, std::optional<std::uint64_t> start,
               std::optional<std::uint64_t> end, std::optional<std::uint64_t> size_hint, const PinHandle* version) {
                GetObjectRequest request{bucket, key, std::nullopt, size_hint, pin_of(version)};
                if (start || end) request.range = ByteRange{start.value_or(0), end};
                ReleaseGil release;
                return c.get_object(request);
            },
            nb::arg("bucket"), nb::arg("key"), nb::arg("start") = nb::none(), nb::arg("end") = nb::none(),
            nb::arg("size_hint") = nb::none(), nb::arg("version") = nb::none(),
            "Starts a download of the object, or of bytes [start, end) of it. Every request\n"
            "given the same `version` reads the same version of the object, or fails with\n"
            "S3Exception code 'ObjectChanged'.")
        .def(
            "get_object_into",
            [](Client& c, const std::string& bucket, const std::string& key, std::uint64_t offset, nb::handle buffer,
               const PinHandle* version) {
                BufferView view(buffer, true);
                ReleaseGil release;
                return c.get_object_into(bucket, key, offset, view.data(), view.size(), pin_of(version));
            },
            nb::arg("bucket"), nb::arg("key"), nb::arg("offset"), nb::arg("buffer"), nb::arg("version") = nb::none(),
            nb::sig("def get_object_into(self, bucket: str, key: str, offset: int, buffer: typing_extensions.Buffer, "
                    "version: VersionPin | None = None) -> int"),
            "Downloads bytes [offset, offset + len(buffer)) straight into a writable buffer\n"
            "and returns how many arrived (fewer at the end of the object, 0 past it).")
        .def(
            "put_object",
            [](Client& c, const std::string& bucket, const std::string& key,
               const std::optional<std::string>& storage_class, const std::optional<std::string>& content_type) {
                return c.put_object({bucket, key, or_empty(storage_class), or_empty(content_type)});
            },
            nb::arg("bucket"), nb::arg("key"), nb::arg("storage_class") = nb::none(),
            nb::arg("content_type") = nb::none())
        .def(
            "head_object",
            [](Client& c, const std::string& bucket, const std::string& key, const PinHandle* version) {
                std::shared_ptr<VersionPin> pin = pin_of(version);
                ReleaseGil release;
                return c.head_object(bucket, key, std::move(pin));
            },
            nb::arg("bucket"), nb::arg("key"), nb::arg("version") = nb::none())
        .def(
            "list_objects",
            [](Client& c, const std::string& bucket, const std::string& prefix, const std::string& delimiter,
               std::uint32_t max_keys, const std::optional<std::string>& continuation_token,
               const std::optional<std::string>& start_after) {
                ListObjectsRequest request{
                    bucket, prefix, delimiter, max_keys, or_empty(continuation_token), or_empty(start_after)};
                ReleaseGil release;
                return c.list_objects(request);
            },
            nb::arg("bucket"), nb::arg("prefix") = "", nb::arg("delimiter") = "", nb::arg("max_keys") = 1000,
            nb::arg("continuation_token") = nb::none(), nb::arg("start_after") = nb::none(), "One ListObjectsV2 page.")
        .def(
            "list_pages",
            [](Client& c, const std::string& bucket, const std::string& prefix, const std::string& delimiter,
               std::uint32_t max_keys, const std::optional<std::string>& continuation_token) {
                return ListObjectsPaginator(
                    c, ListObjectsRequest{bucket, prefix, delimiter, max_keys, or_empty(continuation_token), ""});
            },
            nb::arg("bucket"), nb::arg("prefix") = "", nb::arg("delimiter") = "", nb::arg("max_keys") = 1000,
            nb::arg("continuation_token") = nb::none(), nb::keep_alive<0, 1>(),
            "Every page of a ListObjectsV2 listing, fetched as iterated; resumes from\n"
            "`continuation_token`. A server whose pagination never ends raises S3Exception.")
        .def(
            "list_all_objects",
            [](Client& c, const std::string& bucket, const std::string& prefix, std::uint32_t max_requests_in_flight,
               std::uint32_t page_size) {
                ReleaseGil release;
                return ListedObjects{
                    list_all_objects(c, bucket, prefix, ListAllOptions{max_requests_in_flight, page_size})};
            },
            nb::arg("bucket"), nb::arg("prefix") = "", nb::arg("max_requests_in_flight") = 16,
            nb::arg("page_size") = 1000,
            "Every object under `prefix`, sorted by key: after the first page, ranges of\n"
            "the key space are listed at once (up to `max_requests_in_flight` requests).")
        .def("delete_object", &Client::delete_object, nb::arg("bucket"), nb::arg("key"), nb::call_guard<ReleaseGil>())
        .def(
            "metrics", [](const Client& c) { return metrics_dict(c.metrics()); },
            nb::sig("def metrics(self) -> dict[str, typing.Any]"),
            "Counters since construction or the last reset_metrics(): requests (by operation), "
            "bytes_downloaded, bytes_uploaded, retries, throttles, errors, and first_byte_latency "
            "(a histogram: bucket upper bounds in seconds, counts, count, mean_seconds).")
        .def("reset_metrics", &Client::reset_metrics)
        .def("copy_object", &Client::copy_object, nb::arg("src_bucket"), nb::arg("src_key"), nb::arg("dst_bucket"),
             nb::arg("dst_key"), nb::call_guard<ReleaseGil>());
}

}  // namespace s3conn::python
