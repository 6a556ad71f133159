// The one error type of libs3conn. Every failed operation throws an S3Error
// that says what was attempted (operation, bucket, key), what S3 answered
// (code, message, HTTP status, request id) and, for failures below HTTP, which
// CRT error ended it.
#pragma once

#include "s3conn/export.hpp"

#include <stdexcept>
#include <string>

namespace s3conn {

struct ErrorDetails {
    // S3's <Code> ("NoSuchKey", "AccessDenied", "SlowDown", ...), one derived
    // from the HTTP status when the response had no body (HEAD), or a
    // libs3conn code for failures without a response: "NetworkError",
    // "Timeout", "TlsError", "CredentialsError", "Cancelled", "ClientError",
    // "ObjectChanged" (the object was replaced while it was being read).
    std::string code;
    std::string message;     // S3's <Message>, or a description of the failure
    int http_status = 0;     // 0 when no HTTP response was received
    std::string request_id;  // x-amz-request-id of the failing response, if any
    std::string operation;   // "GetObject", "PutObject", "ListObjectsV2", ...
    std::string bucket;
    std::string key;
    std::string endpoint;   // scheme://host[:port] the request went to
    std::string crt_error;  // e.g. "AWS_IO_SOCKET_CONNECTION_REFUSED"; empty if none
    int crt_error_code = 0;
};

class S3CONN_API S3Error : public std::runtime_error {
public:
    explicit S3Error(ErrorDetails details);

    const ErrorDetails& details() const noexcept { return details_; }
    const std::string& code() const noexcept { return details_.code; }
    int http_status() const noexcept { return details_.http_status; }

    // The object or bucket does not exist (NoSuchKey, NoSuchBucket, 404).
    bool is_not_found() const noexcept;
    // The request was refused for lack of permission or bad credentials.
    bool is_access_denied() const noexcept;

private:
    ErrorDetails details_;
};

// Formats the one-line message S3Error::what() returns: operation, location,
// code, status, S3's message, a hint where one helps, and the request id.
S3CONN_API std::string describe(const ErrorDetails& details);

}  // namespace s3conn
