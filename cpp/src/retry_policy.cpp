#include "retry_policy.hpp"

#include <new>
#include <string_view>

#include <aws/common/error.h>
#include <aws/http/http.h>
#include <aws/io/retry_strategy.h>
#include <aws/s3/s3_client.h>

// The only use of aws-c-s3's private headers in libs3conn: the retry strategy
// is handed the connection of the request to retry, and nothing else says why
// the attempt failed. These headers are installed with the CRT build of the
// pinned version (third_party/crt/CMakeLists.txt).
#include <aws/s3/private/s3_client_impl.h>
#include <aws/s3/private/s3_request.h>

#include "crt_errors.hpp"
#include "runtime.hpp"

namespace s3conn::detail {
namespace {

// Attempts the server did not serve that a request gets.
constexpr int kUnservedAttempts = 2;

struct Outcome {
    int error = AWS_ERROR_SUCCESS;
    int status = 0;
};

// What the attempt that just failed ended with. `user_data` is what the S3
// client passes to schedule_retry: the request's aws_s3_connection.
Outcome attempt_outcome(void* user_data) {
    Outcome outcome;
    const auto* connection = static_cast<const aws_s3_connection*>(user_data);
    if (connection == nullptr || connection->request == nullptr) return outcome;
    const aws_s3_request* request = connection->request;
    outcome.status = request->send_data.response_status;
    if (request->send_data.metrics != nullptr) {
        outcome.error = aws_s3_request_metrics_get_error_code(request->send_data.metrics);
    }
    return outcome;
}

struct Strategy;

// Our token wraps the standard strategy's token for the same request.
struct Token {
    aws_retry_token base;
    aws_retry_token* inner = nullptr;
    int unserved = 0;
    aws_retry_strategy_on_retry_token_acquired_fn* on_acquired = nullptr;
    aws_retry_strategy_on_retry_ready_fn* on_ready = nullptr;
    void* user_data = nullptr;
};

struct Strategy {
    aws_retry_strategy base;
    aws_retry_strategy* inner = nullptr;
};

Token* token_of(aws_retry_token* token) { return static_cast<Token*>(token->impl); }

void s_destroy(aws_retry_strategy* strategy) {
    auto* self = static_cast<Strategy*>(strategy->impl);
    aws_retry_strategy_release(self->inner);
    delete self;
}

void s_inner_acquired(aws_retry_strategy*, int error_code, aws_retry_token* inner, void* user_data) {
    auto* token = static_cast<Token*>(user_data);
    auto* strategy = token->base.retry_strategy;
    if (error_code != AWS_ERROR_SUCCESS) {
        auto* on_acquired = token->on_acquired;
        void* caller_data = token->user_data;
        delete token;
        on_acquired(strategy, error_code, nullptr, caller_data);
        return;
    }
    token->inner = inner;
    token->on_acquired(strategy, AWS_ERROR_SUCCESS, &token->base, token->user_data);
}

int s_acquire_token(aws_retry_strategy* strategy, const aws_byte_cursor* partition_id,
                    aws_retry_strategy_on_retry_token_acquired_fn* on_acquired, void* user_data, uint64_t timeout_ms) {
    auto* self = static_cast<Strategy*>(strategy->impl);
    auto* token = new (std::nothrow) Token();
    if (token == nullptr) return aws_raise_error(AWS_ERROR_OOM);
    token->base.allocator = allocator();
    token->base.retry_strategy = strategy;
    aws_atomic_init_int(&token->base.ref_count, 1);
    token->base.impl = token;
    token->on_acquired = on_acquired;
    token->user_data = user_data;
    if (aws_retry_strategy_acquire_retry_token(self->inner, partition_id, s_inner_acquired, token, timeout_ms) !=
        AWS_OP_SUCCESS) {
        delete token;
        return AWS_OP_ERR;
    }
    return AWS_OP_SUCCESS;
}

void s_inner_ready(aws_retry_token*, int error_code, void* user_data) {
    auto* token = static_cast<Token*>(user_data);
    token->on_ready(&token->base, error_code, token->user_data);
}

// Whether the server did not serve the attempt: it could not be connected to
// (refused, unreachable, ...) or did not answer fast enough. A connection the
// server closed under a request (a stale pooled connection, a reset) is
// retried as usual: that is what retries are for.
bool unserved(const Outcome& outcome) {
    if (outcome.error == AWS_ERROR_HTTP_CHANNEL_THROUGHPUT_FAILURE) return true;
    if (outcome.status != 0) return false;
    const std::string_view name = aws_error_name(outcome.error);
    return name.rfind("AWS_IO_SOCKET", 0) == 0 || name.rfind("AWS_IO_DNS", 0) == 0;
}

// An answer the CRT cannot read that the server will give again: a
// Content-Range missing or unparsable (s3rver's `bytes 0-0/0` for an empty
// object). Retrying it cost 9 attempts and a minute of backoff; the GET
// stream settles it with one plain GET instead.
bool unreadable_answer(const Outcome& outcome) {
    return outcome.error == AWS_ERROR_S3_INVALID_CONTENT_RANGE_HEADER ||
           outcome.error == AWS_ERROR_S3_MISSING_CONTENT_RANGE_HEADER;
}

int s_schedule_retry(aws_retry_token* retry_token, aws_retry_error_type error_type,
                     aws_retry_strategy_on_retry_ready_fn* retry_ready, void* user_data) {
    Token* token = token_of(retry_token);
    const Outcome outcome = attempt_outcome(user_data);
    if (is_tls_failure(outcome.error) || unreadable_answer(outcome)) return aws_raise_error(outcome.error);
    if (unserved(outcome) && ++token->unserved >= kUnservedAttempts) return aws_raise_error(outcome.error);
    token->on_ready = retry_ready;
    token->user_data = user_data;
    return aws_retry_strategy_schedule_retry(token->inner, error_type, s_inner_ready, token);
}

int s_record_success(aws_retry_token* retry_token) {
    return aws_retry_token_record_success(token_of(retry_token)->inner);
}

void s_release_token(aws_retry_token* retry_token) {
    if (retry_token == nullptr) return;
    Token* token = token_of(retry_token);
    aws_retry_token_release(token->inner);
    delete token;
}

aws_retry_strategy_vtable s_vtable = {s_destroy, s_acquire_token, s_schedule_retry, s_record_success, s_release_token};

}  // namespace

aws_retry_strategy* new_retry_strategy(aws_event_loop_group* event_loops, std::uint32_t max_attempts,
                                       std::uint32_t backoff_scale_ms) {
    aws_standard_retry_options options{};
    options.backoff_retry_options.el_group = event_loops;
    options.backoff_retry_options.max_retries = max_attempts - 1;
    options.backoff_retry_options.backoff_scale_factor_ms = backoff_scale_ms;  // 0: 500 ms
    aws_retry_strategy* inner = aws_retry_strategy_new_standard(allocator(), &options);
    if (inner == nullptr) return nullptr;
    auto* self = new (std::nothrow) Strategy();
    if (self == nullptr) {
        aws_retry_strategy_release(inner);
        aws_raise_error(AWS_ERROR_OOM);
        return nullptr;
    }
    self->inner = inner;
    self->base.allocator = allocator();
    self->base.vtable = &s_vtable;
    aws_atomic_init_int(&self->base.ref_count, 1);
    self->base.impl = self;
    return &self->base;
}

}  // namespace s3conn::detail
