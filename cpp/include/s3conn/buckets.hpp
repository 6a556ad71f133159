// What a bucket name says about where and how it is served.
#pragma once

#include <string_view>

#include "s3conn/export.hpp"

namespace s3conn {

// A directory bucket of S3 Express One Zone: a name ending in
// "--<zone-id>--x-s3". Its requests are signed with CreateSession's session
// credentials, and its listings come in no particular order.
S3CONN_API bool is_directory_bucket(std::string_view bucket);

}  // namespace s3conn
