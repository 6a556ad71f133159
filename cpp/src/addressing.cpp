#include "addressing.hpp"

#include <cctype>
#include <stdexcept>

namespace s3conn::detail {
namespace {

bool is_unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

bool is_ipv4(std::string_view host) {
    int dots = 0;
    int digits = 0;
    for (char c : host) {
        if (c == '.') {
            if (digits == 0) return false;
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9') {
            if (++digits > 3) return false;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void bad_endpoint(const std::string& url, const char* why) {
    throw std::invalid_argument("invalid endpoint '" + url + "': " + why +
                                " (expected scheme://host[:port], e.g. http://127.0.0.1:9000)");
}

}  // namespace

Endpoint parse_endpoint(const std::string& url, const std::string& region, bool force_path_style,
                        AwsEndpointOptions aws) {
    Endpoint endpoint;
    if (url.empty()) {
        check_aws_endpoint_options(region, aws);
        endpoint.scheme = "https";
        endpoint.host = aws_regional_host(region, aws);
        endpoint.path_style = force_path_style;
        endpoint.aws = true;
        endpoint.region = region;
        endpoint.dns_suffix = partition_dns_suffix(region);
        endpoint.options = aws;
        return endpoint;
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) bad_endpoint(url, "no scheme");
    for (std::size_t i = 0; i < scheme_end; ++i) {
        endpoint.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(url[i])));
    }
    if (endpoint.scheme != "http" && endpoint.scheme != "https") {
        bad_endpoint(url, "the scheme must be http or https");
    }
    std::string_view rest(url);
    rest.remove_prefix(scheme_end + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) bad_endpoint(url, "a path is not allowed");
    if (rest.find('@') != std::string_view::npos) bad_endpoint(url, "credentials are not allowed in the URL");
    if (rest.find_first_of("?# ") != std::string_view::npos) bad_endpoint(url, "unexpected character");

    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
        const auto close = rest.find(']');
        if (close == std::string_view::npos) bad_endpoint(url, "unterminated IPv6 address");
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') bad_endpoint(url, "unexpected text after the IPv6 address");
            port = after.substr(1);
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) bad_endpoint(url, "no host");
    if (!port.empty() || rest.back() == ':') {
        unsigned long value = 0;
        if (port.empty() || port.size() > 5) bad_endpoint(url, "bad port");
        for (char c : port) {
            if (c < '0' || c > '9') bad_endpoint(url, "bad port");
            value = value * 10 + static_cast<unsigned long>(c - '0');
        }
        if (value == 0 || value > 65535) bad_endpoint(url, "port out of range");
        endpoint.port = static_cast<std::uint16_t>(value);
    }
    endpoint.host = std::string(host);
    const bool literal_address = is_ipv4(host) || rest.front() == '[' || host == "localhost";
    endpoint.path_style = force_path_style || literal_address;
    return endpoint;
}

std::string display(const Endpoint& endpoint) {
    std::string out = endpoint.scheme + "://";
    out += endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
    if (endpoint.port != 0) out += ":" + std::to_string(endpoint.port);
    return out;
}

Target target_for(const Endpoint& endpoint, std::string_view bucket, std::string_view key) {
    if (is_arn(bucket) && !endpoint.aws) {
        throw std::invalid_argument("the access point ARN " + std::string(bucket) +
                                    " needs AWS's endpoints; with the endpoint " + display(endpoint) +
                                    ", name the bucket instead");
    }
    if (endpoint.aws) {
        // Access points and directory buckets: always virtual-hosted, on a host of their own.
        if (std::string host = aws_bucket_host(endpoint, bucket); !host.empty()) {
            Target target;
            target.host = host;
            target.endpoint_uri = endpoint.scheme + "://" + host;
            target.path = "/" + percent_encode(key, true);
            return target;
        }
    }
    // A dotted bucket cannot be a TLS virtual host (the wildcard certificate
    // covers one label), so such buckets go path style over https.
    const bool path_style = endpoint.path_style || (endpoint.is_tls() && bucket.find('.') != std::string_view::npos);
    std::string authority = endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]"  // IPv6 literal
                                                                         : endpoint.host;
    if (!path_style) authority = std::string(bucket) + "." + authority;
    if (endpoint.port != 0) authority += ":" + std::to_string(endpoint.port);

    Target target;
    target.host = authority;
    target.endpoint_uri = endpoint.scheme + "://" + authority;
    target.path = "/";
    if (path_style) {
        target.path += percent_encode(bucket, false);
        if (!key.empty()) target.path += "/";
    }
    target.path += percent_encode(key, true);
    return target;
}

std::string percent_encode(std::string_view text, bool keep_slash) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xF];
        }
    }
    return out;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        out += out.empty() ? '?' : '&';
        out += percent_encode(name, false);
        out += '=';
        out += percent_encode(value, false);
    }
    return out;
}

std::string check_bucket_name(std::string_view bucket) {
    if (bucket.empty()) return "the bucket name is empty";
    if (is_arn(bucket)) {
        try {
            parse_access_point_arn(bucket);
            return {};
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
    }
    if (bucket.size() > 255) return "the bucket name is longer than 255 characters";
    for (char ch : bucket) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '/' || std::isspace(c) || c < 0x20 || c >= 0x7f) {
            return "the bucket name '" + std::string(bucket) +
                   "' contains a character S3 does not allow (letters, digits, '.', '-' and '_' only)";
        }
    }
    return {};
}

std::string check_key(std::string_view key) {
    if (key.empty()) return "the key is empty";
    if (key.size() > 1024) {
        return "the key is " + std::to_string(key.size()) + " bytes long; S3 allows at most 1024";
    }
    return {};
}

}  // namespace s3conn::detail
