// libFuzzer target: the ListObjectsV2 and <Error> XML parsers must accept any
// bytes without crashing, leaking or reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crt_errors.hpp"
#include "list_parser.hpp"
#include "runtime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    s3conn::detail::allocator();  // CRT initialised once
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    for (bool url_encoded : {true, false}) {
        s3conn::ListObjectsPage page;
        if (s3conn::detail::parse_list_objects(xml, url_encoded, page)) {
            // A parsed page is internally consistent.
            if (!page.is_truncated && !page.next_continuation_token.empty()) __builtin_trap();
        }
    }
    s3conn::ErrorDetails details;
    s3conn::detail::parse_error_body(xml, details);
    s3conn::detail::parse_timestamp(xml);
    return 0;
}
