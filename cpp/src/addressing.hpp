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

// Which of AWS's regional endpoints (only when no endpoint URL is given).
struct AwsEndpointOptions {
    bool fips = false;       // s3-fips.<region>...: FIPS 140 validated TLS
    bool dualstack = false;  // s3.dualstack.<region>...: IPv4 and IPv6
};

struct Endpoint {
    std::string scheme;      // "http" or "https"
    std::string host;        // without brackets for IPv6, without port
    std::uint16_t port = 0;  // 0: the scheme's default
    bool path_style = false;

    // Set for AWS's own endpoints: access points and directory buckets then
    // get hosts of their own. A custom endpoint addresses every bucket alike.
    bool aws = false;
    std::string region;
    std::string dns_suffix;  // of the region's partition: amazonaws.com, amazonaws.com.cn, ...
    AwsEndpointOptions options;

    bool is_tls() const { return scheme == "https"; }
};

// Parses "scheme://host[:port][/]". Throws std::invalid_argument for anything
// else (a path, credentials, an unknown scheme, a bad port). An empty URL
// means the regional AWS endpoint, of the region's partition, with `aws`'s
// options. Path style is forced for IP addresses and localhost, where
// virtual hosting cannot work.
Endpoint parse_endpoint(const std::string& url, const std::string& region, bool force_path_style,
                        AwsEndpointOptions aws = {});

// The DNS suffix of the partition a region belongs to ("cn-north-1" ->
// "amazonaws.com.cn"; GovCloud shares "amazonaws.com").
std::string partition_dns_suffix(std::string_view region);

// The partition's name, as ARNs spell it: aws, aws-cn, aws-us-gov, aws-iso, ...
std::string partition_name(std::string_view region);

// arn:<partition>:s3:<region>:<account>:accesspoint/<name> (or accesspoint:<name>).
struct AccessPointArn {
    std::string partition, region, account, name;
};

// Whether `bucket` is written as an ARN (starts with "arn:").
bool is_arn(std::string_view bucket);

// The access point an ARN names; std::invalid_argument saying what is wrong
// for any other ARN.
AccessPointArn parse_access_point_arn(std::string_view arn);

// The zone of a directory bucket (S3 Express One Zone), whose name ends in
// "--<zone-id>--x-s3"; empty for a general purpose bucket.
std::string directory_bucket_zone(std::string_view bucket);

// std::invalid_argument when the region's partition lacks an option (FIPS in
// China, dual-stack in the isolated partitions).
void check_aws_endpoint_options(std::string_view region, const AwsEndpointOptions& options);

// s3[-fips][.dualstack].<region>.<partition's suffix>
std::string aws_regional_host(std::string_view region, const AwsEndpointOptions& options);

// The host of a bucket that AWS serves from a host of its own (an access
// point ARN, a directory bucket); empty for a general purpose bucket.
std::string aws_bucket_host(const Endpoint& endpoint, std::string_view bucket);

// "scheme://host[:port]", as error messages name the endpoint.
std::string display(const Endpoint& endpoint);

// Where one bucket/key request goes.
struct Target {
    std::string host;          // the Host header: host[:port]
    std::string path;          // percent-encoded path, starting with '/'
    std::string endpoint_uri;  // scheme://host[:port], for the CRT's endpoint option
};

// An empty key addresses the bucket itself (listing). On AWS's endpoints an
// access point ARN goes to the access point's host and a directory bucket to
// its zone's endpoint; std::invalid_argument when a form cannot be reached
// from this endpoint (an ARN of another region, FIPS in China, ...).
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
