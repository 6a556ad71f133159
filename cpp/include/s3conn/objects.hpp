// Plain value types describing objects and listings.
#pragma once

#include "s3conn/export.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace s3conn {

struct ObjectInfo {
    std::string key;
    std::string etag;
    std::uint64_t size = 0;
    std::int64_t last_modified = 0;  // seconds since the Unix epoch
    std::string storage_class;       // empty when S3 did not say
};

struct ListObjectsRequest {
    std::string bucket;
    std::string prefix;
    std::string delimiter;
    std::uint32_t max_keys = 1000;   // 1..1000
    std::string continuation_token;  // from the previous page; empty for the first
    std::string start_after;
};

struct ListObjectsPage {
    std::vector<ObjectInfo> objects;
    std::vector<std::string> common_prefixes;
    // Empty when this was the last page.
    std::string next_continuation_token;
    bool is_truncated = false;
};

// The version of one object that several requests must all read: give the
// same pin to every GET of one reader (its first download, its re-requests
// after a seek, its ranged reads). The first response sets it, unless it was
// set up front from a listing; every later request sends If-Match with it,
// and each response's ETag is checked against it, because some servers ignore
// If-Match. A response of another version fails with code "ObjectChanged":
// a reader never returns bytes of two versions. Thread-safe.
class S3CONN_API VersionPin {
public:
    VersionPin() = default;
    explicit VersionPin(std::string etag) : etag_(std::move(etag)) {}

    // The pinned ETag (without quotes); empty until known.
    std::string etag() const;
    // Pins `etag` if nothing is pinned yet; returns what is pinned.
    std::string pin(const std::string& etag);

private:
    mutable std::mutex mutex_;
    std::string etag_;
};

// Byte range of a GET, end exclusive. An absent end means "to the end of the
// object".
struct ByteRange {
    std::uint64_t start = 0;
    std::optional<std::uint64_t> end;
};

}  // namespace s3conn
