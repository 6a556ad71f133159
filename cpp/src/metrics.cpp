#include "metrics.hpp"

#include <algorithm>

#include <aws/common/error.h>
#include <aws/common/string.h>
#include <aws/s3/s3_client.h>

namespace s3conn::detail {

void Metrics::record(const aws_s3_request_metrics* request, const std::string& meta_operation) {
    std::string operation = meta_operation;
    const aws_string* name = nullptr;
    if (aws_s3_request_metrics_get_operation_name(request, &name) == AWS_OP_SUCCESS && name != nullptr) {
        operation.assign(aws_string_c_str(name), name->len);
    }
    int status = 0;
    if (aws_s3_request_metrics_get_response_status_code(request, &status) != AWS_OP_SUCCESS) status = 0;
    const int error = aws_s3_request_metrics_get_error_code(request);
    const bool retry = aws_s3_request_metrics_get_retry_attempt(request) > 0;
    std::uint64_t sent = 0;
    std::uint64_t first_byte = 0;
    const bool timed = aws_s3_request_metrics_get_send_start_timestamp_ns(request, &sent) == AWS_OP_SUCCESS &&
                       aws_s3_request_metrics_get_receive_start_timestamp_ns(request, &first_byte) == AWS_OP_SUCCESS &&
                       first_byte >= sent;
    aws_reset_error();  // unavailable metrics raise an error we do not care about
    // A request cancelled before it was sent (a reader that seeks away or
    // closes early) never reached the server: it is no attempt at all.
    const bool cancelled = error == AWS_ERROR_S3_CANCELED;
    std::uint64_t ignored = 0;
    if (cancelled && aws_s3_request_metrics_get_send_start_timestamp_ns(request, &ignored) != AWS_OP_SUCCESS) {
        aws_reset_error();
        return;
    }

    std::lock_guard lock(mutex_);
    MetricsSnapshot& data = this->data();
    ++data.requests[operation];
    if (retry) ++data.retries;
    if (status == 503 || status == 429) ++data.throttles;
    if ((error != AWS_ERROR_SUCCESS && !cancelled) || status >= 400) ++data.errors;
    if (timed) {
        const std::uint64_t us = (first_byte - sent) / 1000;
        LatencyHistogram& h = data.first_byte_latency;
        const auto& bounds = LatencyHistogram::kBoundsUs;
        const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), us) - bounds.begin();
        ++h.counts[static_cast<std::size_t>(bucket)];
        ++h.count;
        h.total_us += us;
    }
}

void Metrics::add_downloaded(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    data().bytes_downloaded += bytes;
}

void Metrics::add_uploaded(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    data().bytes_uploaded += bytes;
}

MetricsSnapshot Metrics::snapshot() const {
    std::lock_guard lock(mutex_);
    return data();
}

MetricsSnapshot& Metrics::data() const {
    if (const unsigned now = process_generation(); generation_ != now) {
        generation_ = now;
        data_ = MetricsSnapshot();
    }
    return data_;
}

void Metrics::reset() {
    std::lock_guard lock(mutex_);
    data_ = MetricsSnapshot();
}

}  // namespace s3conn::detail
