// The CRT objects behind one Client, created together and released together.
//
// A CrtStack belongs to the process that created it. A forked child inherits
// its memory but none of its threads, so in a child the destructor releases
// nothing (the stack is abandoned) and the owner builds a new stack instead.
// "The process that created it" is checked with the fork generation
// (fork.hpp), not with getpid(): it is asked on every request.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <aws/auth/signing_config.h>
#include <aws/io/tls_channel_handler.h>

#include "addressing.hpp"
#include "express_sessions.hpp"
#include "metrics.hpp"
#include "s3conn/config.hpp"

struct aws_client_bootstrap;
struct aws_credentials_provider;
struct aws_event_loop_group;
struct aws_host_resolver;
struct aws_retry_strategy;
struct aws_s3_client;

namespace s3conn::detail {

class CrtStack {
public:
    // `config` must be resolved and validated. Throws S3Error when a CRT object
    // cannot be created (an unknown profile, an unreadable CA file, ...).
    static std::shared_ptr<CrtStack> create(const ClientConfig& config, std::shared_ptr<Metrics> metrics);
    ~CrtStack();
    CrtStack(const CrtStack&) = delete;
    CrtStack& operator=(const CrtStack&) = delete;

    // The client for every request but those below.
    aws_s3_client* s3_client() const { return s3_client_; }
    // Multipart uploads and copies: the same, but a connection only has to
    // stay alive, not move 1 KiB/s (see stall_timeout_seconds).
    aws_s3_client* upload_client() const { return upload_client_; }
    const ClientConfig& config() const { return config_; }
    const Endpoint& endpoint() const { return endpoint_; }
    // How a request to a directory bucket is signed: SigV4 for S3 Express,
    // with the session of a CreateSession.
    const aws_signing_config_aws* express_signing() const { return &express_signing_; }
    Metrics& metrics() const { return *metrics_; }
    pid_t owner_pid() const { return owner_pid_; }
    bool owned_by_this_process() const;

    // Part-buffer bytes that consumers hold through zero-copy chunks. The CRT
    // counts them against its memory limit, so when they pass the budget the
    // next chunks are copied out and their buffers returned at once: a reader
    // that keeps everything it read must not starve downloads of memory.
    std::atomic<std::int64_t>& held_chunk_bytes() { return held_chunk_bytes_; }
    std::int64_t held_chunk_budget() const { return held_chunk_budget_; }

private:
    CrtStack(const ClientConfig& config, std::shared_ptr<Metrics> metrics);
    void release_crt_objects();
    aws_s3_client* make_s3_client(std::uint32_t stall_seconds, std::uint64_t minimum_throughput,
                                  double throughput_target_gbps);

    ClientConfig config_;
    Endpoint endpoint_;
    std::shared_ptr<Metrics> metrics_;
    pid_t owner_pid_;
    unsigned owner_generation_;
    aws_event_loop_group* event_loops_ = nullptr;
    aws_host_resolver* resolver_ = nullptr;
    aws_client_bootstrap* bootstrap_ = nullptr;
    aws_credentials_provider* credentials_ = nullptr;
    aws_tls_ctx* tls_ctx_ = nullptr;
    aws_tls_connection_options tls_options_{};
    bool tls_options_set_ = false;
    aws_signing_config_aws signing_{};
    aws_signing_config_aws express_signing_{};
    aws_s3_client* s3_client_ = nullptr;
    aws_s3_client* upload_client_ = nullptr;
    aws_retry_strategy* retry_strategy_ = nullptr;  // shared by both clients; none for max_attempts 1
    ExpressSessions express_sessions_;              // shared by both clients
    std::atomic<std::int64_t> held_chunk_bytes_{0};
    std::int64_t held_chunk_budget_ = 0;
};

}  // namespace s3conn::detail
