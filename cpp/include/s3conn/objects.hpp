// Plain value types describing objects and listings.
#pragma once

#include <cstdint>
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
    std::uint32_t max_keys = 1000;        // 1..1000
    std::string continuation_token;       // from the previous page; empty for the first
    std::string start_after;
};

struct ListObjectsPage {
    std::vector<ObjectInfo> objects;
    std::vector<std::string> common_prefixes;
    // Empty when this was the last page.
    std::string next_continuation_token;
    bool is_truncated = false;
};

// Byte range of a GET, end exclusive. An absent end means "to the end of the
// object".
struct ByteRange {
    std::uint64_t start = 0;
    std::optional<std::uint64_t> end;
};

}  // namespace s3conn
