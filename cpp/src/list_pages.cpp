#include "s3conn/listing.hpp"

#include "s3conn/client.hpp"
#include "s3conn/error.hpp"

namespace s3conn {
namespace {

[[noreturn]] void invalid_pagination(const ListObjectsRequest& request, std::uint32_t page, const std::string& why) {
    ErrorDetails details;
    details.code = "InvalidResponse";
    details.operation = "ListObjectsV2";
    details.bucket = request.bucket;
    details.key = request.prefix;
    details.message = "page " + std::to_string(page) + " of the listing " + why +
                      ": the server's pagination is broken, and the listing would never end";
    throw S3Error(std::move(details));
}

}  // namespace

ListObjectsPaginator::ListObjectsPaginator(Client& client, ListObjectsRequest first)
    : client_(&client), request_(std::move(first)) {
    if (!request_.continuation_token.empty()) seen_tokens_.insert(request_.continuation_token);
}

std::optional<ListObjectsPage> ListObjectsPaginator::next() {
    if (done_) return std::nullopt;
    ListObjectsPage page = client_->list_objects(request_);
    ++pages_;
    const std::string& token = page.next_continuation_token;
    if (page.is_truncated && token.empty()) {
        invalid_pagination(request_, pages_, "says it is truncated but gives no continuation token");
    }
    if (!token.empty() && !seen_tokens_.insert(token).second) {
        invalid_pagination(request_, pages_, "gives continuation token '" + token + "' a second time");
    }
    request_.continuation_token = token;
    // The token carries the position from here on; not every server takes
    // start-after beside it.
    if (!token.empty()) request_.start_after.clear();
    done_ = token.empty();
    return page;
}

}  // namespace s3conn
