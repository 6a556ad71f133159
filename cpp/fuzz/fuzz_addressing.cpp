// libFuzzer target: endpoint parsing, request targets and key encoding.
// Properties: decoding an encoded key gives the key back; an encoded key or
// path holds only unreserved characters, '/' and %XX escapes.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "addressing.hpp"

namespace {

bool only_safe(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') continue;
        if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace s3conn::detail;
    const std::string input(reinterpret_cast<const char*>(data), size);
    // The input is endpoint \n bucket \n key.
    const auto first = input.find('\n');
    const auto second = first == std::string::npos ? std::string::npos : input.find('\n', first + 1);
    const std::string endpoint_url = input.substr(0, first);
    const std::string bucket = first == std::string::npos ? "b" : input.substr(first + 1, second - first - 1);
    const std::string key = second == std::string::npos ? input : input.substr(second + 1);

    if (percent_decode(percent_encode(key, true)) != key) __builtin_trap();
    if (percent_decode(percent_encode(key, false)) != key) __builtin_trap();
    if (!only_safe(percent_encode(key, true))) __builtin_trap();
    percent_decode(input);
    check_key(key);
    check_bucket_name(bucket);

    directory_bucket_zone(bucket);
    try {
        parse_access_point_arn(bucket);
    } catch (const std::invalid_argument&) {
    }
    // The first byte picks the AWS options and region, for the empty endpoint.
    const unsigned char choice = size > 0 ? data[0] : 0;
    static const char* const kRegions[] = {"us-west-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1"};
    const AwsEndpointOptions options{(choice & 1) != 0, (choice & 2) != 0};
    try {
        const Endpoint endpoint = parse_endpoint(endpoint_url, kRegions[(choice >> 2) & 3], false, options);
        if (check_bucket_name(bucket).empty()) {
            const Target target = target_for(endpoint, bucket, key);
            if (target.path.empty() || target.path[0] != '/' || !only_safe(target.path)) __builtin_trap();
            if (target.host.empty() || target.endpoint_uri.find(target.host) == std::string::npos) __builtin_trap();
        }
    } catch (const std::invalid_argument&) {
        // Rejected endpoints and forms are fine; crashing on them is not.
    }
    return 0;
}
