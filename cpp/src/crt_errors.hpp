// Turning what the CRT reports into ErrorDetails.
#pragma once

#include <string>
#include <string_view>

#include "s3conn/error.hpp"

struct aws_s3_meta_request_result;

namespace s3conn::detail {

// Where a failure happened, filled into every error of an operation.
struct ErrorContext {
    std::string operation;
    std::string bucket;
    std::string key;
};

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
