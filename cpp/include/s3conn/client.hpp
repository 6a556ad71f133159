// s3conn::Client: the one entry point of libs3conn.
//
// A Client owns a CRT stack (event loops, DNS resolver, credentials, TLS and
// an aws_s3_client), built lazily on first use. It is safe to share between
// threads, and across fork(): the child never touches the stack it inherited
// (its first call builds a fresh one), and its metrics count from zero.
#pragma once

#include "s3conn/export.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "s3conn/config.hpp"
#include "s3conn/get_object.hpp"
#include "s3conn/metrics.hpp"
#include "s3conn/objects.hpp"
#include "s3conn/put_object.hpp"

namespace s3conn {

namespace detail {
class ClientState;
}

class S3CONN_API Client {
public:
    // Validates the configuration (std::invalid_argument); connects nothing.
    explicit Client(ClientConfig config);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    // The configuration as given, and as resolved from the environment.
    const ClientConfig& config() const;
    const ClientConfig& resolved_config() const;

    GetObjectStream get_object(const GetObjectRequest& request);

    // Downloads bytes [offset, offset + size) straight into `destination` (one
    // copy, no intermediate buffer) and returns how many arrived: fewer than
    // `size` only when the object ends first, 0 when offset is at or past the
    // end.
    // With `version`, the bytes must be of that version (see VersionPin).
    std::size_t get_object_into(const std::string& bucket, const std::string& key, std::uint64_t offset,
                                std::uint8_t* destination, std::size_t size,
                                std::shared_ptr<VersionPin> version = nullptr);

    PutObjectStream put_object(const PutObjectRequest& request);

    // With `version`, of that version (see VersionPin), or "ObjectChanged".
    ObjectInfo head_object(const std::string& bucket, const std::string& key,
                           std::shared_ptr<VersionPin> version = nullptr);

    // One ListObjectsV2 page; keys come back unescaped.
    ListObjectsPage list_objects(const ListObjectsRequest& request);

    // Succeeds for a key that does not exist, as S3 does.
    void delete_object(const std::string& bucket, const std::string& key);

    // Server-side copy; works across buckets, with path-style addressing and
    // endpoints on custom ports.
    void copy_object(const std::string& source_bucket, const std::string& source_key,
                     const std::string& destination_bucket, const std::string& destination_key);

    // Counters since construction or the last reset; see metrics.hpp.
    MetricsSnapshot metrics() const;
    void reset_metrics();

private:
    std::shared_ptr<detail::ClientState> state_;
};

// Cancels every request in flight in this process (an unclosed upload is
// aborted on the server), waits up to `timeout` for the CRT to finish them,
// and returns how many there were. For a program about to exit with requests
// in flight on other threads: the process's exit would otherwise tear down
// libraries (the system libcrypto's atexit cleanup) the CRT's threads use.
S3CONN_API std::size_t cancel_all_requests(std::chrono::milliseconds timeout);

// Version of libs3conn, and of the aws-c-s3 it was built with.
S3CONN_API const char* version();
S3CONN_API const char* crt_version();

}  // namespace s3conn
