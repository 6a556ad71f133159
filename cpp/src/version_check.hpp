// Keeping one GET (and every re-request of the same reader) on one version of
// the object: If-Match with the pinned ETag, and each response's ETag and size
// checked, for servers that ignore If-Match.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "crt_errors.hpp"
#include "operation.hpp"
#include "s3conn/objects.hpp"

namespace s3conn::detail {

class VersionCheck {
public:
    // `pin` may be null (this request alone is kept on one version);
    // `listed_size` is the size a listing gave, if any.
    VersionCheck(std::shared_ptr<VersionPin> pin, std::optional<std::uint64_t> listed_size);

    // The If-Match header value for the next request: the pinned ETag, quoted;
    // empty while nothing is pinned.
    std::string if_match() const;

    // Checks one successful attempt. Returns the error to end the request
    // with when the attempt read another version (or a size the listing
    // disagrees with).
    std::optional<ErrorDetails> check(const ErrorContext& context, const Attempt& attempt);

    // A failed request's error, reworded when S3 refused the If-Match.
    void explain_precondition_failure(ErrorDetails& error) const;

    std::string etag() const;

private:
    ErrorDetails changed(const ErrorContext& context, const std::string& why) const;

    std::shared_ptr<VersionPin> pin_;
    std::optional<std::uint64_t> listed_size_;
    std::string etag_;  // what this request reads, once known
};

}  // namespace s3conn::detail
