// Configuration of an s3conn::Client. A plain struct: every field has a
// default that works against AWS S3, and the client validates the whole
// struct once, at construction.
#pragma once

#include "s3conn/export.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace s3conn {

inline constexpr std::uint64_t kMiB = 1024ull * 1024ull;
inline constexpr std::uint64_t kGiB = 1024ull * kMiB;

// The slowest a download (or any response) may be before stall_timeout_seconds
// starts counting: far below any working network, far above a trickle.
inline constexpr std::uint64_t kMinimumThroughput = 1024;

// Long-lived credentials given in code. Most programs leave these unset and let
// the default chain (environment, profile, web identity, ECS, IMDS) find them.
struct StaticCredentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys
};

struct ClientConfig {
    // AWS region used for signing and for virtual-hosted endpoints. Empty means
    // AWS_REGION, then AWS_DEFAULT_REGION, then "us-east-1".
    std::string region;

    // Endpoint URL such as "http://127.0.0.1:9000". Empty means
    // AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL (as boto3 does), then the
    // regional AWS endpoint. An http:// endpoint is plaintext.
    std::string endpoint;

    // Address buckets as https://host/bucket/key rather than
    // https://bucket.host/key. Implied for an IP address or localhost endpoint,
    // where virtual hosting cannot work.
    bool force_path_style = false;

    // Size of each ranged GET and of each multipart upload part; also the
    // threshold above which an upload becomes multipart.
    std::uint64_t part_size = 8 * kMiB;

    // Throughput the CRT sizes its connection pool for.
    double throughput_target_gbps = 10.0;

    // Attempts per HTTP request, the first included. 1 disables retries.
    std::uint32_t max_attempts = 10;

    // Send requests unsigned (public buckets). Excludes requester_pays.
    bool unsigned_requests = false;

    // Named profile from ~/.aws/config and ~/.aws/credentials. Empty means the
    // default credentials chain.
    std::string profile;

    // Explicit credentials; take precedence over profile and the default chain.
    std::optional<StaticCredentials> credentials;

    // Add "x-amz-request-payer: requester" to every request.
    bool requester_pays = false;

    // Prepended to the User-Agent header of every request.
    std::string user_agent_prefix;

    // Event-loop threads of this client. 0 picks min(4, max(2, cores / 2)): the
    // CRT's own default (one per core, per client) multiplies badly when every
    // DataLoader worker has a client.
    std::uint16_t event_loop_threads = 0;

    // Bytes of part buffers the client may hold at once, at least 256 MiB
    // (the CRT's minimum) and at least two parts. 0 lets the CRT pick from
    // throughput_target_gbps (2 GiB at 10 Gbps), or take
    // AWS_CRT_S3_MEMORY_LIMIT_IN_MB / _IN_GIB. Downloads and multipart
    // uploads each have a pool of this size.
    std::uint64_t memory_limit_bytes = 0;

    // Bytes a streaming GET may download ahead of its consumer (read-window
    // backpressure). 0 means 4 parts. Bounds memory per stream regardless of
    // object size.
    std::uint64_t read_ahead_bytes = 0;

    // PEM file of trusted CA certificates for https endpoints. Empty means
    // AWS_CA_BUNDLE, then the system's trust store. Verification is never
    // switched off.
    std::string ca_file;

    // Give up connecting (TCP) after this long; a TLS handshake gets this
    // long again. 0 means 3000 ms.
    //
    // A request that cannot connect (refused, unreachable), or whose server
    // does not answer in time (stall_timeout_seconds), is tried twice, then
    // fails; one whose TLS handshake fails is not tried again. So with the
    // defaults an unreachable endpoint fails within about 7 s. Other errors
    // (500, 503, a connection closed under a request) are retried up to
    // max_attempts. See retry_policy.hpp.
    std::uint32_t connect_timeout_ms = 0;

    // A connection that moves less than kMinimumThroughput bytes per second
    // for this long is closed and its request retried or failed. For a
    // request waiting for its answer this is the first-byte timeout; it also
    // catches a server that trickles bytes. 0 means 10 s. Multipart uploads
    // and copies, whose last step S3 may take minutes to answer, instead
    // allow one byte per second for max(60 s, this long).
    std::uint32_t stall_timeout_seconds = 0;

    // Base of the exponential backoff between attempts. 0 means the CRT's
    // default (500 ms), or S3CONN_RETRY_BACKOFF_MS when set.
    std::uint32_t retry_backoff_ms = 0;

    // Send a CRC32C of every upload (and of every part) for S3 to verify.
    bool upload_checksums = false;

    // Use AWS's FIPS endpoints (s3-fips.<region>...). Unset means
    // AWS_USE_FIPS_ENDPOINT=true in the environment; only for AWS's own
    // endpoints (setting it with an endpoint URL is an error).
    std::optional<bool> use_fips_endpoint;

    // Use AWS's dual-stack (IPv4 and IPv6) endpoints (s3.dualstack.<region>...).
    // Unset means AWS_USE_DUALSTACK_ENDPOINT=true in the environment; as
    // use_fips_endpoint, only for AWS's endpoints.
    std::optional<bool> use_dualstack_endpoint;

    // Ask S3 for the checksums it stored and verify downloads against them.
    // Covers whole-object GETs, and ranged GETs whose response carries a
    // checksum of its own (parts of multipart uploads read part by part).
    bool validate_checksums = false;
};

// The configuration with every "empty means ..." rule above applied, so that
// callers (and error messages) can see what a client actually uses.
S3CONN_API ClientConfig resolve(const ClientConfig& config);

// Throws std::invalid_argument naming the offending field and the rule. The
// configuration is checked as a whole: every combination the CRT would refuse
// at the first request (a part size the memory limit cannot hold, ...) is
// refused here.
S3CONN_API void validate(const ClientConfig& config);

// The memory limit the CRT will use for `config`: memory_limit_bytes, else the
// environment's AWS_CRT_S3_MEMORY_LIMIT_IN_MB / _IN_GIB, else the CRT's
// choice for throughput_target_gbps.
S3CONN_API std::uint64_t effective_memory_limit(const ClientConfig& config);

}  // namespace s3conn
