#include "s3conn/error.hpp"

namespace s3conn {
namespace {

bool is_https(const ErrorDetails& d) { return d.endpoint.rfind("https://", 0) == 0; }

// Network failures: what most likely went wrong, naming where.
std::string network_hint(const ErrorDetails& d) {
    const std::string& c = d.code;
    const std::string where = d.endpoint.empty() ? "the endpoint" : "the endpoint " + d.endpoint;
    if (c == "DnsError") return "the host name of " + where + " could not be resolved: check the endpoint URL";
    if (c == "ConnectionRefused") return "nothing is listening at " + where + ": check its host and port";
    if (c == "TlsError") {
        if (d.crt_error == "AWS_IO_TLS_NEGOTIATION_TIMEOUT" || d.crt_error == "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE")
            return "the TLS handshake failed with " + where +
                   ": if that server speaks plain HTTP, use an http:// endpoint; otherwise check its "
                   "certificate, or give the CA bundle that signed it";
        return "the TLS handshake failed with " + where +
               ": check the endpoint's certificate, or give the CA bundle that signed it";
    }
    if (c == "Timeout" && d.crt_error == "AWS_IO_SOCKET_TIMEOUT")
        return "connecting to " + where + " timed out: check the host, port and network (firewall, VPC endpoint)";
    if (c == "Timeout" || d.crt_error == "AWS_ERROR_HTTP_CHANNEL_THROUGHPUT_FAILURE")
        return where + " did not answer, or answered too slowly (see stall_timeout_seconds)";
    if (c == "NetworkError" && is_https(d) &&
        (d.crt_error == "AWS_IO_SOCKET_CLOSED" || d.crt_error == "AWS_ERROR_HTTP_CONNECTION_CLOSED"))
        return "the connection to " + where + " was closed: if that server speaks plain HTTP, use an http:// endpoint";
    if (c == "NetworkError") return "the connection to " + where + " failed: check the endpoint and network";
    return {};
}

// What a user can do about the common failures, in one sentence each.
const char* hint_for(const ErrorDetails& d) {
    const std::string& c = d.code;
    if (c == "NoSuchBucket") return "check the bucket name, and that the region and endpoint are the ones that hold it";
    if (c == "SignatureDoesNotMatch" || c == "InvalidAccessKeyId")
        return "the credentials were refused: check the access key and secret (or the profile) this client uses";
    if (c == "ExpiredToken" || c == "TokenRefreshRequired" || c == "RequestExpired")
        return "the session credentials have expired: refresh them";
    if (c == "AccessDenied" || c == "Forbidden" || c == "AllAccessDisabled")
        return "the credentials lack permission for this operation on this bucket or key";
    if (c == "SlowDown" || c == "Throttling" || c == "TooManyRequests" || c == "RequestLimitExceeded")
        return "S3 is throttling: spread requests across prefixes, lower concurrency, or raise max_attempts";
    if (c == "PermanentRedirect" || c == "AuthorizationHeaderMalformed" || c == "IllegalLocationConstraintException")
        return "the bucket is in another region: set the region to the bucket's";
    if (c == "CredentialsError")
        return "no usable credentials were found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, "
               "or use unsigned requests for public buckets";
    if (c == "ObjectChanged")
        return "the object was overwritten while it was read; read it again to get the new version";
    if (c == "EntityTooLarge" || c == "InvalidPart" || c == "TooManyParts")
        return "the object exceeds what a multipart upload of this part size can hold (10,000 parts): raise part_size";
    return nullptr;
}

}  // namespace

S3Error::S3Error(ErrorDetails details) : std::runtime_error(describe(details)), details_(std::move(details)) {}

bool S3Error::is_not_found() const noexcept {
    const std::string& c = details_.code;
    return c == "NoSuchKey" || c == "NoSuchBucket" || c == "NotFound" || details_.http_status == 404;
}

bool S3Error::is_access_denied() const noexcept {
    const std::string& c = details_.code;
    return details_.http_status == 403 || c == "AccessDenied" || c == "SignatureDoesNotMatch" ||
           c == "InvalidAccessKeyId" || c == "Forbidden";
}

std::string describe(const ErrorDetails& d) {
    std::string out = d.operation.empty() ? "request" : d.operation;
    if (!d.bucket.empty()) {
        out += " s3://" + d.bucket;
        if (!d.key.empty()) out += "/" + d.key;
    }
    if (!d.endpoint.empty()) out += " at " + d.endpoint;
    out += " failed: " + (d.code.empty() ? std::string("UnknownError") : d.code);
    if (d.http_status != 0) out += " (HTTP " + std::to_string(d.http_status) + ")";
    if (!d.message.empty()) out += ": " + d.message;
    std::string hint;
    if (const char* known = hint_for(d)) {
        hint = known;
    } else if (d.http_status == 0) {
        hint = network_hint(d);
    }
    if (!hint.empty()) {
        // Messages (the CRT's among them) often end their sentence already.
        if (out.back() != '.') out += '.';
        out += " Hint: " + hint;
    }
    if (!d.request_id.empty()) out += " [request id " + d.request_id + "]";
    if (!d.crt_error.empty() && d.http_status == 0) out += " [" + d.crt_error + "]";
    return out;
}

}  // namespace s3conn
