// ETags as libs3conn compares them: without quotes (S3 quotes them in headers
// and listings alike) and without a weak-validator prefix.
#pragma once

#include <string>
#include <string_view>

namespace s3conn::detail {

inline std::string normalize_etag(std::string_view etag) {
    if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return std::string(etag);
}

// The form If-Match takes.
inline std::string quoted_etag(const std::string& etag) { return '"' + etag + '"'; }

}  // namespace s3conn::detail
