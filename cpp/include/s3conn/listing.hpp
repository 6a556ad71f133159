// Listings: every page of one ListObjectsV2 listing, one request per page,
// with the server's pagination checked (a listing always ends); and all the
// objects under a prefix, listed over key ranges at once.
#pragma once

#include "s3conn/export.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

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

struct ListAllOptions {
    // ListObjectsV2 requests at once, at most (>= 1; 1 lists page by page).
    // Each is a round trip of S3's first-byte latency, 10-50 ms: 16 list
    // ~300,000 keys a second there, where one page at a time lists ~30,000.
    std::uint32_t max_requests_in_flight = 16;
    std::uint32_t page_size = 1000;  // keys per request, 1..1000
};

// Every object whose key starts with `prefix`, sorted by key (S3's order:
// by UTF-8 bytes). After the first page, the rest of the key space is cut
// into ranges listed at once (each with start-after, cut again as it is
// listed; see key_splits.hpp), so a large prefix costs a few round trips in
// a row instead of one per 1,000 keys; a prefix of one page costs one
// request, as before. A server that does not keep to S3's order, or ignores
// start-after, is listed again page by page (its order kept, unsorted).
// A directory bucket (S3 Express) is listed page by page from the prefix's
// directory part (it lists no other prefixes), then matched and sorted.
// Errors are those of list_objects and ListObjectsPaginator; the first one
// stops the listing.
S3CONN_API std::vector<ObjectInfo> list_all_objects(Client& client, const std::string& bucket,
                                                    const std::string& prefix, const ListAllOptions& options = {});

}  // namespace s3conn
