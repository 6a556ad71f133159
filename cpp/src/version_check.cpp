#include "version_check.hpp"

#include "etag.hpp"

namespace s3conn {

std::string VersionPin::etag() const {
    std::lock_guard lock(mutex_);
    return etag_;
}

std::string VersionPin::pin(const std::string& etag) {
    std::lock_guard lock(mutex_);
    if (etag_.empty()) etag_ = etag;
    return etag_;
}

namespace detail {

VersionCheck::VersionCheck(std::shared_ptr<VersionPin> pin, std::optional<std::uint64_t> listed_size)
    : pin_(std::move(pin)), listed_size_(listed_size) {
    if (pin_) etag_ = pin_->etag();
}

std::string VersionCheck::if_match() const { return etag_.empty() ? std::string() : quoted_etag(etag_); }

std::string VersionCheck::etag() const { return etag_; }

ErrorDetails VersionCheck::changed(const ErrorContext& context, const std::string& why) const {
    ErrorDetails details;
    details.code = "ObjectChanged";
    details.operation = context.operation;
    details.bucket = context.bucket;
    details.key = context.key;
    details.endpoint = context.endpoint;
    details.message = why;
    return details;
}

std::optional<ErrorDetails> VersionCheck::check(const ErrorContext& context, const Attempt& attempt) {
    if (attempt.status < 200 || attempt.status >= 300) return std::nullopt;
    if (!attempt.etag.empty()) {
        if (etag_.empty()) etag_ = pin_ ? pin_->pin(attempt.etag) : attempt.etag;
        if (attempt.etag != etag_) {
            return changed(context, "the object was replaced while it was read: it was ETag " + etag_ +
                                        " when reading began, a later response is ETag " + attempt.etag);
        }
    }
    if (listed_size_ && attempt.object_size && *attempt.object_size != *listed_size_) {
        return changed(context, "the listing gave a size of " + std::to_string(*listed_size_) +
                                    " bytes, the object has " + std::to_string(*attempt.object_size) +
                                    ": it was replaced after it was listed");
    }
    return std::nullopt;
}

void VersionCheck::explain_precondition_failure(ErrorDetails& error) const {
    if (error.http_status != 412 || etag_.empty()) return;
    const int status = error.http_status;
    const std::string request_id = error.request_id;
    error = changed(ErrorContext{error.operation, error.bucket, error.key, error.endpoint},
                    "the object was replaced while it was read: it is no longer ETag " + etag_);
    error.http_status = status;
    error.request_id = request_id;
}

}  // namespace detail
}  // namespace s3conn
