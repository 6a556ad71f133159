// The counters behind MetricsSnapshot, shared by a client's operations. They
// count what this process did: a fork() child starts from zero, as a process
// of its own (a DataLoader worker reports its own requests, not its parent's).
#pragma once

#include <string>

#include "fork.hpp"
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
    // This process's counters; mutex_ held.
    MetricsSnapshot& data() const;

    mutable ForkSafeMutex mutex_;
    mutable MetricsSnapshot data_;
    mutable unsigned generation_ = process_generation();
};

}  // namespace s3conn::detail
