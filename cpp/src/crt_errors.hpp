// Turning what the CRT reports into ErrorDetails.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "s3conn/error.hpp"

struct aws_s3_meta_request_result;

namespace s3conn::detail {

// Where a failure happened, filled into every error of an operation.
struct ErrorContext {
    ErrorContext(std::string operation_, std::string bucket_, std::string key_, std::string endpoint_ = {})
        : operation(std::move(operation_)),
          bucket(std::move(bucket_)),
          key(std::move(key_)),
          endpoint(std::move(endpoint_)) {}

    std::string operation;
    std::string bucket;
    std::string key;
    std::string endpoint;  // scheme://host[:port] the request went to; set by Operation
};

// Whether an attempt that failed with `crt_error_code` and no HTTP response
// is worth another: not after a failed TLS handshake (the server's
// certificate or protocol will not change in a second).
bool is_tls_failure(int crt_error_code);

// A failure below HTTP (socket, TLS, DNS, credentials, cancellation).
ErrorDetails from_crt_error(const ErrorContext& context, int crt_error_code);

// The outcome of a finished meta request. `last_status` and
// `last_request_id` come from the telemetry of the last attempt: the CRT drops
// the response of a request it gave up retrying (503 after max attempts).
ErrorDetails from_meta_request_result(const ErrorContext& context, const aws_s3_meta_request_result& result,
                                      int last_status, const std::string& last_request_id);

// Fills code, message and request id from an S3 <Error> document; leaves the
// fields alone when the body is not one.
void parse_error_body(std::string_view body, ErrorDetails& details);

// "NotFound" for 404 and so on: the code of a response without a body.
std::string code_for_status(int http_status);

[[noreturn]] void throw_crt_error(const ErrorContext& context, int crt_error_code);

}  // namespace s3conn::detail
