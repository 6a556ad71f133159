#include "s3conn/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <aws/s3/s3.h>

#include "addressing.hpp"
#include "endpoint_options.hpp"

namespace s3conn {
namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

// Every rule's one wording: "invalid ClientConfig: <field> <what is wrong>".
// The Python layer shows these as they are, so a field keeps its name there.
[[noreturn]] void invalid(const std::string& field, const std::string& why) {
    throw std::invalid_argument("invalid ClientConfig: " + field + " " + why);
}

std::string number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

std::string mib(std::uint64_t bytes) {
    return std::to_string(bytes) + " bytes (" + std::to_string(bytes / kMiB) + " MiB)";
}

// What the CRT's buffer pool refuses (aws-c-s3 1.5, s3_default_buffer_pool.c
// and s3_client.c): a pool under 256 MiB, and a part larger than half the pool.
constexpr std::uint64_t kMinimumMemoryLimit = 256 * kMiB;

std::uint64_t memory_limit_from_environment() {
    const auto parse = [](const char* name, std::uint64_t unit) -> std::uint64_t {
        const std::string value = env(name);
        if (value.empty()) return 0;
        char* end = nullptr;
        const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
        if (end == value.c_str() || *end != '\0') {
            invalid("memory_limit_bytes", "from " + std::string(name) + "='" + value + "' is not a whole number");
        }
        return n * unit;
    };
    const std::uint64_t from_mb = parse("AWS_CRT_S3_MEMORY_LIMIT_IN_MB", kMiB);
    return from_mb != 0 ? from_mb : parse("AWS_CRT_S3_MEMORY_LIMIT_IN_GIB", kGiB);
}

}  // namespace

ClientConfig resolve(const ClientConfig& config) {
    ClientConfig resolved = config;
    if (resolved.region.empty()) resolved.region = env("AWS_REGION");
    if (resolved.region.empty()) resolved.region = env("AWS_DEFAULT_REGION");
    if (resolved.region.empty()) resolved.region = "us-east-1";
    if (resolved.endpoint.empty()) resolved.endpoint = env("AWS_ENDPOINT_URL_S3");
    if (resolved.endpoint.empty()) resolved.endpoint = env("AWS_ENDPOINT_URL");
    // The environment's FIPS and dual-stack choices are AWS's endpoints' only:
    // a shell that sets them must not break a client of a local store.
    const auto flag = [](const char* name) {
        std::string value = env(name);
        for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return value == "true";
    };
    if (!resolved.use_fips_endpoint) {
        resolved.use_fips_endpoint = resolved.endpoint.empty() && flag("AWS_USE_FIPS_ENDPOINT");
    }
    if (!resolved.use_dualstack_endpoint) {
        resolved.use_dualstack_endpoint = resolved.endpoint.empty() && flag("AWS_USE_DUALSTACK_ENDPOINT");
    }
    if (resolved.event_loop_threads == 0) {
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        resolved.event_loop_threads = static_cast<std::uint16_t>(std::clamp(cores / 2, 2u, 4u));
    }
    if (resolved.read_ahead_bytes == 0) resolved.read_ahead_bytes = 4 * resolved.part_size;
    if (resolved.connect_timeout_ms == 0) resolved.connect_timeout_ms = 3000;
    if (resolved.stall_timeout_seconds == 0) resolved.stall_timeout_seconds = 10;
    if (resolved.ca_file.empty()) resolved.ca_file = env("AWS_CA_BUNDLE");
    if (resolved.retry_backoff_ms == 0) {
        resolved.retry_backoff_ms =
            static_cast<std::uint32_t>(std::strtoul(env("S3CONN_RETRY_BACKOFF_MS").c_str(), nullptr, 10));
    }
    return resolved;
}

std::uint64_t effective_memory_limit(const ClientConfig& config) {
    if (config.memory_limit_bytes != 0) return config.memory_limit_bytes;
    const std::uint64_t from_environment = memory_limit_from_environment();
    if (from_environment != 0) return from_environment;
    return aws_s3_default_memory_limit_for_throughput(config.throughput_target_gbps);
}

void validate(const ClientConfig& config) {
    constexpr std::uint64_t kMinPart = 5 * kMiB;
    constexpr std::uint64_t kMaxPart = 5 * kGiB;
    if (config.part_size < kMinPart || config.part_size > kMaxPart) {
        invalid("part_size", "must be between 5 MiB (5242880) and 5 GiB (5368709120) bytes, not " +
                                 std::to_string(config.part_size));
    }
    if (!(config.throughput_target_gbps > 0.0) || config.throughput_target_gbps > 10000.0) {
        invalid("throughput_target_gbps", "must be a positive number of gigabits per second, at most 10000, not " +
                                              number(config.throughput_target_gbps));
    }
    if (config.max_attempts < 1) {
        invalid("max_attempts", "must be at least 1 (1 means no retries), not " + std::to_string(config.max_attempts));
    }
    if (config.unsigned_requests && config.requester_pays) {
        invalid("requester_pays",
                "cannot be combined with unsigned requests: S3 only bills requesters it can identify");
    }
    if (config.unsigned_requests && config.credentials) {
        invalid("credentials", "cannot be combined with unsigned requests");
    }
    if (config.credentials &&
        (config.credentials->access_key_id.empty() || config.credentials->secret_access_key.empty())) {
        invalid("credentials", "need both an access key id and a secret access key");
    }
    // The CRT's pool holds at least two parts (a part may be at most half of
    // it); said of the field the caller set.
    if (config.memory_limit_bytes != 0 && config.memory_limit_bytes < 2 * config.part_size) {
        invalid("memory_limit_bytes", "must be at least two parts (" + std::to_string(2 * config.part_size) +
                                          " bytes), not " + std::to_string(config.memory_limit_bytes));
    }
    if (config.memory_limit_bytes != 0 && config.memory_limit_bytes < kMinimumMemoryLimit) {
        invalid("memory_limit_bytes", "must be 0 (automatic) or at least 256 MiB (268435456), not " +
                                          std::to_string(config.memory_limit_bytes));
    }
    const std::uint64_t memory_limit = effective_memory_limit(config);
    if (memory_limit < kMinimumMemoryLimit) {
        invalid("memory_limit_bytes",
                "from the environment, " + mib(memory_limit) + ", is under the CRT's minimum of 256 MiB");
    }
    if (config.part_size > memory_limit / 2) {
        invalid("part_size", "of " + mib(config.part_size) + " is more than half the memory limit of " +
                                 mib(memory_limit) + ": raise memory_limit_bytes to at least " +
                                 mib(2 * config.part_size) + " or use a smaller part_size");
    }
    if (config.region.find_first_of(" /\t\n") != std::string::npos) {
        invalid("region", "'" + config.region + "' is not a region name");
    }
    const ClientConfig resolved = resolve(config);
    if (!resolved.endpoint.empty()) {
        if (config.use_fips_endpoint.value_or(false)) {
            invalid("use_fips_endpoint", "applies to AWS's endpoints only, not to the endpoint " + resolved.endpoint);
        }
        if (config.use_dualstack_endpoint.value_or(false)) {
            invalid("use_dualstack_endpoint",
                    "applies to AWS's endpoints only, not to the endpoint " + resolved.endpoint);
        }
    }
    // Throws std::invalid_argument with the reason.
    try {
        detail::parse_endpoint(resolved.endpoint, resolved.region, resolved.force_path_style,
                               detail::aws_options(resolved));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("invalid ClientConfig: ") + e.what());
    }
}

}  // namespace s3conn
