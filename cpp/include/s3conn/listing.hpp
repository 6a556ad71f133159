// Every page of a ListObjectsV2 listing, one request per page, with the
// server's pagination checked: a listing always ends.
#pragma once

#include "s3conn/export.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "s3conn/objects.hpp"

namespace s3conn {

class Client;

// Made by Client::list_pages. A page that says it is truncated but gives no
// continuation token, or a continuation token the listing has already been
// given, throws S3Error with code "InvalidResponse" naming the token and the
// page: such a server would otherwise be listed forever.
class S3CONN_API ListObjectsPaginator {
public:
    ListObjectsPaginator(Client& client, ListObjectsRequest first);

    // The next page; std::nullopt after the last one.
    std::optional<ListObjectsPage> next();

    // Where the listing stands: the token of the next page (empty before the
    // first and after the last), pages fetched so far.
    const std::string& continuation_token() const { return request_.continuation_token; }
    std::uint32_t pages() const { return pages_; }
    bool done() const { return done_; }

private:
    Client* client_;
    ListObjectsRequest request_;
    std::unordered_set<std::string> seen_tokens_;
    std::uint32_t pages_ = 0;
    bool done_ = false;
};

}  // namespace s3conn
