// The retry strategy of libs3conn's S3 clients: the CRT's standard strategy
// (exponential backoff with full jitter, a per-host retry budget), plus the
// rule config.hpp states for attempts the server did not serve:
//
//   * a failed TLS handshake is not tried again (the certificate or the
//     protocol on that port will not change in a second);
//   * an attempt that could not connect (refused, unreachable), or one
//     dropped for moving under the minimum throughput (no answer, a trickle),
//     is tried twice in all, then the request fails with that attempt's error;
//   * everything else (500, 503, a connection closed or reset under a
//     request) is retried up to max_attempts, as the CRT does.
//
// The CRT tells a retry strategy only "transient / server error / throttled",
// so the wrapper reads the failed attempt's error code and status from the
// request it is asked to retry (see attempt_outcome in the .cpp).
#pragma once

#include <cstdint>

struct aws_event_loop_group;
struct aws_retry_strategy;

namespace s3conn::detail {

// A new strategy (one reference, for the caller to release) for clients
// allowed `max_attempts` attempts per request (at least 2).
aws_retry_strategy* new_retry_strategy(aws_event_loop_group* event_loops, std::uint32_t max_attempts,
                                       std::uint32_t backoff_scale_ms);

}  // namespace s3conn::detail
