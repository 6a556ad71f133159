// The counters behind MetricsSnapshot, shared by a client's operations.
#pragma once

#include <mutex>
#include <string>

#include "s3conn/metrics.hpp"

struct aws_s3_request_metrics;

namespace s3conn::detail {

class Metrics {
public:
    // One HTTP request attempt, as the CRT's telemetry reports it. The CRT
    // leaves the name out for some attempts (ranged GETs cancelled in flight);
    // those count under the operation of their meta request.
    void record(const aws_s3_request_metrics* request, const std::string& meta_operation);
    void add_downloaded(std::uint64_t bytes);
    void add_uploaded(std::uint64_t bytes);

    MetricsSnapshot snapshot() const;
    void reset();

private:
    mutable std::mutex mutex_;
    MetricsSnapshot data_;
};

}  // namespace s3conn::detail
