#include "crt_stack.hpp"

#include <unistd.h>

#include <algorithm>

#include <aws/auth/credentials.h>
#include <aws/common/error.h>
#include <aws/http/connection.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/retry_strategy.h>
#include <aws/s3/s3.h>
#include <aws/s3/s3_client.h>

#include "crt_errors.hpp"
#include "endpoint_options.hpp"
#include "retry_policy.hpp"
#include "fork.hpp"
#include "runtime.hpp"

namespace s3conn::detail {
namespace {

constexpr double kMinimumConnections = 256;

aws_byte_cursor cursor(const std::string& s) { return aws_byte_cursor_from_array(s.data(), s.size()); }

[[noreturn]] void fail(const char* what) {
    ErrorDetails details = from_crt_error(ErrorContext{"CreateClient", {}, {}}, aws_last_error());
    details.message = std::string(what) + ": " + details.message;
    throw S3Error(std::move(details));
}

}  // namespace

std::shared_ptr<CrtStack> CrtStack::create(const ClientConfig& config, std::shared_ptr<Metrics> metrics) {
    return std::shared_ptr<CrtStack>(new CrtStack(config, std::move(metrics)));
}

bool CrtStack::owned_by_this_process() const { return owner_generation_ == process_generation(); }

CrtStack::CrtStack(const ClientConfig& config, std::shared_ptr<Metrics> metrics)
    : config_(config),
      endpoint_(parse_endpoint(config.endpoint, config.region, config.force_path_style, aws_options(config))),
      metrics_(std::move(metrics)),
      owner_pid_(::getpid()),
      owner_generation_(process_generation()) {
    aws_allocator* alloc = allocator();
    // On any throw below the destructor does not run; release what exists.
    struct Cleanup {
        CrtStack* self;
        bool armed = true;
        ~Cleanup() {
            if (armed) self->release_crt_objects();
        }
    } cleanup{this};

    aws_event_loop_group_options loop_options{};
    loop_options.loop_count = config.event_loop_threads;
    event_loops_ = aws_event_loop_group_new(alloc, &loop_options);
    if (event_loops_ == nullptr) fail("creating the event loops");

    aws_host_resolver_default_options resolver_options{};
    resolver_options.max_entries = 16;
    resolver_options.el_group = event_loops_;
    resolver_ = aws_host_resolver_new_default(alloc, &resolver_options);
    if (resolver_ == nullptr) fail("creating the DNS resolver");

    aws_client_bootstrap_options bootstrap_options{};
    bootstrap_options.event_loop_group = event_loops_;
    bootstrap_options.host_resolver = resolver_;
    bootstrap_ = aws_client_bootstrap_new(alloc, &bootstrap_options);
    if (bootstrap_ == nullptr) fail("creating the client bootstrap");

    if (endpoint_.is_tls()) {
        aws_tls_ctx_options tls_ctx_options;
        aws_tls_ctx_options_init_default_client(&tls_ctx_options, alloc);
        if (!config.ca_file.empty() && aws_tls_ctx_options_override_default_trust_store_from_path(
                                           &tls_ctx_options, nullptr, config.ca_file.c_str()) != AWS_OP_SUCCESS) {
            aws_tls_ctx_options_clean_up(&tls_ctx_options);
            fail(("reading the CA file " + config.ca_file).c_str());
        }
        tls_ctx_ = aws_tls_client_ctx_new(alloc, &tls_ctx_options);
        aws_tls_ctx_options_clean_up(&tls_ctx_options);
        if (tls_ctx_ == nullptr) fail("creating the TLS context");
        aws_tls_connection_options_init_from_ctx(&tls_options_, tls_ctx_);
        // A handshake with S3 takes a few round trips; a server that never
        // answers one (plain HTTP on the port) must not hold a request for
        // the CRT's default of 10 s.
        tls_options_.timeout_ms = config.connect_timeout_ms;
        tls_options_set_ = true;
    }

    if (config.unsigned_requests) {
        credentials_ = aws_credentials_provider_new_anonymous(alloc, nullptr);
    } else if (config.credentials) {
        aws_credentials_provider_static_options options{};
        options.access_key_id = cursor(config.credentials->access_key_id);
        options.secret_access_key = cursor(config.credentials->secret_access_key);
        options.session_token = cursor(config.credentials->session_token);
        credentials_ = aws_credentials_provider_new_static(alloc, &options);
    } else if (!config.profile.empty()) {
        aws_credentials_provider_profile_options options{};
        options.profile_name_override = cursor(config.profile);
        options.bootstrap = bootstrap_;
        options.tls_ctx = tls_ctx_;
        credentials_ = aws_credentials_provider_new_profile(alloc, &options);
        if (credentials_ == nullptr) {
            ErrorDetails details = from_crt_error(ErrorContext{"CreateClient", {}, {}}, aws_last_error());
            details.code = "CredentialsError";
            details.message = "profile '" + config.profile +
                              "' was not found, or has no credentials, in the AWS config and credentials files";
            throw S3Error(std::move(details));
        }
    } else {
        aws_credentials_provider_chain_default_options options{};
        options.bootstrap = bootstrap_;
        options.tls_ctx = tls_ctx_;
        credentials_ = aws_credentials_provider_new_chain_default(alloc, &options);
    }
    if (credentials_ == nullptr) fail("creating the credentials provider");

    aws_s3_init_default_signing_config(&signing_, cursor(config_.region), credentials_);
    // Directory buckets (S3 Express One Zone) are signed with the session
    // credentials of a CreateSession, which the CRT makes, caches per host and
    // refreshes before they expire (enable_s3express below), one cache for
    // both clients (express_sessions.hpp).
    express_signing_ = signing_;
    express_signing_.algorithm = AWS_SIGNING_ALGORITHM_V4_S3EXPRESS;
    express_signing_.service = aws_byte_cursor_from_c_str("s3express");

    if (config.max_attempts > 1) {
        retry_strategy_ = new_retry_strategy(event_loops_, config.max_attempts, config.retry_backoff_ms);
        if (retry_strategy_ == nullptr) fail("creating the retry strategy");
    }
    // The CRT sizes its connection pool from the throughput target (one
    // connection per 0.4 Gbps: 25 at 10 Gbps). At S3's first-byte latency,
    // small objects need more requests in flight than that (2,500 objects/s
    // at 30 ms: 75; 250 at 50 ms and 5,000 objects/s), so the downloads' pool
    // is sized for at least kMinimumConnections, as many as the iterable
    // dataset may keep in flight; the memory limit stays what the configured
    // target gives.
    s3_client_ = make_s3_client(config.stall_timeout_seconds, kMinimumThroughput,
                                std::max(config.throughput_target_gbps, kMinimumConnections * 0.4));
    // Multipart uploads and copies end with a request S3 may take minutes to
    // answer (it trickles whitespace meanwhile): they get a client of their own
    // whose connections only need to stay alive. Its pool keeps the configured
    // size: every part in flight holds a part-sized buffer (the CRT grants
    // async writes theirs beyond the memory limit), and the pool is what bounds
    // how many there are.
    upload_client_ =
        make_s3_client(std::max<std::uint32_t>(60, config.stall_timeout_seconds), 1, config.throughput_target_gbps);

    held_chunk_budget_ = static_cast<std::int64_t>(effective_memory_limit(config) / 2);
    cleanup.armed = false;
}

aws_s3_client* CrtStack::make_s3_client(std::uint32_t stall_seconds, std::uint64_t minimum_throughput,
                                        double throughput_target_gbps) {
    aws_s3_client_config s3_config{};
    s3_config.region = cursor(config_.region);
    s3_config.client_bootstrap = bootstrap_;
    s3_config.tls_mode = endpoint_.is_tls() ? AWS_MR_TLS_ENABLED : AWS_MR_TLS_DISABLED;
    s3_config.tls_connection_options = tls_options_set_ ? &tls_options_ : nullptr;
    s3_config.signing_config = &signing_;
    s3_config.enable_s3express = true;
    s3_config.s3express_provider_override_factory = ExpressSessions::factory;
    s3_config.factory_user_data = &express_sessions_;
    s3_config.part_size = config_.part_size;
    s3_config.multipart_upload_threshold = config_.part_size;
    s3_config.throughput_target_gbps = throughput_target_gbps;
    s3_config.memory_limit_in_bytes = effective_memory_limit(config_);
    s3_config.connect_timeout_ms = config_.connect_timeout_ms;
    if (retry_strategy_ == nullptr) {
        s3_config.retry_config.retry_mode = AWS_S3_RETRY_MODE_NONE;  // max_attempts 1
    } else {
        s3_config.retry_strategy = retry_strategy_;  // the client takes a reference
    }
    aws_http_connection_monitoring_options monitoring{};
    monitoring.minimum_throughput_bytes_per_second = minimum_throughput;
    monitoring.allowable_throughput_failure_interval_seconds = stall_seconds;
    s3_config.monitoring_options = &monitoring;  // copied by aws_s3_client_new
    s3_config.enable_read_backpressure = true;
    s3_config.initial_read_window = static_cast<size_t>(config_.read_ahead_bytes);

    aws_s3_client* client;
    {
        CrtGlobalsScope crt_globals;
        client = aws_s3_client_new(allocator(), &s3_config);
    }
    if (client == nullptr) fail("creating the S3 client");
    return client;
}

CrtStack::~CrtStack() {
    if (!owned_by_this_process()) {
        // Inherited across fork: these objects' threads do not exist here and
        // their locks may be held forever. Leave them alone.
        return;
    }
    release_crt_objects();
}

void CrtStack::release_crt_objects() {
    // Every release below is asynchronous and safe from any thread, including
    // a CRT thread dropping the last chunk of a download.
    aws_s3_client_release(s3_client_);
    s3_client_ = nullptr;
    aws_s3_client_release(upload_client_);
    upload_client_ = nullptr;
    express_sessions_.release();
    aws_retry_strategy_release(retry_strategy_);
    retry_strategy_ = nullptr;
    aws_credentials_provider_release(credentials_);
    credentials_ = nullptr;
    if (tls_options_set_) {
        aws_tls_connection_options_clean_up(&tls_options_);
        tls_options_set_ = false;
    }
    aws_tls_ctx_release(tls_ctx_);
    tls_ctx_ = nullptr;
    aws_client_bootstrap_release(bootstrap_);
    bootstrap_ = nullptr;
    aws_host_resolver_release(resolver_);
    resolver_ = nullptr;
    aws_event_loop_group_release(event_loops_);
    event_loops_ = nullptr;
}

}  // namespace s3conn::detail
