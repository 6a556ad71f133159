// The CRT's log, switched on by environment variables:
//   S3CONN_CRT_LOG_LEVEL = error | warn | info | debug | trace
//   S3CONN_CRT_LOG_FILE  = path (stderr otherwise)
// Lines are written from CRT threads straight to the file; nothing calls
// back into a host language. Secrets the CRT would log (session tokens in
// canonical requests, signatures) are redacted first.
#pragma once

#include <string>

struct aws_allocator;

namespace s3conn::detail {

void start_crt_logging_from_environment(aws_allocator* allocator);

// Replaces the values of security tokens and signatures in `text`.
void redact_secrets(std::string& text);

}  // namespace s3conn::detail
