// What a Client has done: requests by S3 operation, bytes moved, retries,
// throttling, errors and first-byte latency. Counted per HTTP request
// attempt, from the CRT's request telemetry; cheap enough to be always on.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "s3conn/export.hpp"

namespace s3conn {

struct LatencyHistogram {
    // Upper bound, in microseconds, of each bucket but the last, which holds
    // everything slower.
    static constexpr std::array<std::uint64_t, 13> kBoundsUs = {
        500, 1'000, 2'000, 5'000, 10'000, 20'000, 50'000, 100'000, 200'000, 500'000, 1'000'000, 2'000'000, 5'000'000};
    std::array<std::uint64_t, kBoundsUs.size() + 1> counts{};
    std::uint64_t count = 0;
    std::uint64_t total_us = 0;
};

struct MetricsSnapshot {
    std::map<std::string, std::uint64_t> requests;  // attempts, by operation ("GetObject", "UploadPart", ...)
    std::uint64_t bytes_downloaded = 0;             // object bytes received by GETs
    std::uint64_t bytes_uploaded = 0;               // object bytes of uploads that completed
    std::uint64_t retries = 0;                      // attempts after the first
    std::uint64_t throttles = 0;                    // answers 503 SlowDown or 429
    std::uint64_t errors = 0;                       // attempts that failed (cancellations aside)
    LatencyHistogram first_byte_latency;            // request sent -> first response byte
};

}  // namespace s3conn
