// Where a request goes: endpoint parsing, path-style vs virtual-hosted
// addressing, and the percent-encoding of keys and query values. Pure string
// functions with no CRT dependency, so they are easy to test and fuzz.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3conn::detail {

struct Endpoint {
    std::string scheme;      // "http" or "https"
    std::string host;        // without brackets for IPv6, without port
    std::uint16_t port = 0;  // 0: the scheme's default
    bool path_style = false;

    bool is_tls() const { return scheme == "https"; }
};

// Parses "scheme://host[:port][/]". Throws std::invalid_argument for anything
// else (a path, credentials, an unknown scheme, a bad port). An empty URL
// means the regional AWS endpoint. Path style is forced for IP addresses and
// localhost, where virtual hosting cannot work.
Endpoint parse_endpoint(const std::string& url, const std::string& region, bool force_path_style);

// "scheme://host[:port]", as error messages name the endpoint.
std::string display(const Endpoint& endpoint);

// Where one bucket/key request goes.
struct Target {
    std::string host;          // the Host header: host[:port]
    std::string path;          // percent-encoded path, starting with '/'
    std::string endpoint_uri;  // scheme://host[:port], for the CRT's endpoint option
};

// An empty key addresses the bucket itself (listing).
Target target_for(const Endpoint& endpoint, std::string_view bucket, std::string_view key);

// RFC 3986: unreserved characters stay; '/' stays too when keep_slash.
std::string percent_encode(std::string_view text, bool keep_slash);

// "%41" -> "A"; '+' is left alone (S3 does not use form encoding). Invalid
// escapes are kept literally.
std::string percent_decode(std::string_view text);

// "?a=1&b=2" from pairs, values percent-encoded; empty values are kept.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// S3 bucket naming rules, loosely: 1..255 characters, no '/', no whitespace.
// Precise rules vary between AWS and compatible stores; the server has the
// final word. Returns an empty string when valid, otherwise why not.
std::string check_bucket_name(std::string_view bucket);

// Keys are 1..1024 bytes of UTF-8. Returns an empty string when valid.
std::string check_key(std::string_view key);

}  // namespace s3conn::detail
