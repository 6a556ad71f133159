// Parsing a ListObjectsV2 response. A pure function over the XML text, so it
// can be tested and fuzzed without a server.
#pragma once

#include <cstdint>
#include <string_view>

#include "s3conn/objects.hpp"

namespace s3conn::detail {

// Parses <ListBucketResult>. With `url_encoded` (the request asked for
// encoding-type=url), keys and prefixes are decoded if the answer declares
// <EncodingType>url</EncodingType>; a server that ignored the request sends
// them as they are.
// Returns false when the document is not a ListBucketResult.
bool parse_list_objects(std::string_view xml, bool url_encoded, ListObjectsPage& page);

// "2024-01-02T03:04:05.000Z" or an HTTP date -> seconds since the epoch; 0
// when unparseable.
std::int64_t parse_timestamp(std::string_view text);

}  // namespace s3conn::detail
