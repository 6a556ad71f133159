#include "s3conn/client.hpp"

#include <stdexcept>

#include <aws/s3/s3.h>

#include "addressing.hpp"
#include "client_state.hpp"
#include "get_object_state.hpp"
#include "put_object_state.hpp"

#ifndef S3CONN_VERSION
#define S3CONN_VERSION "0.0.0"
#endif
#ifndef S3CONN_CRT_VERSION
#define S3CONN_CRT_VERSION "unknown"
#endif

namespace s3conn {

namespace detail {

ClientState::ClientState(ClientConfig config) : config_(std::move(config)) {
    validate(config_);
    resolved_ = resolve(config_);
}

std::shared_ptr<CrtStack> ClientState::stack() {
    std::lock_guard lock(mutex_);
    if (!stack_ || !stack_->owned_by_this_process()) {
        // An inherited stack is dropped without releasing anything (see
        // ~CrtStack); chunks still pointing at it stay readable.
        stack_ = CrtStack::create(resolved_, metrics_);
    }
    return stack_;
}

void check_bucket(const char* operation, const std::string& bucket) {
    if (std::string why = check_bucket_name(bucket); !why.empty()) {
        throw std::invalid_argument(std::string(operation) + ": " + why);
    }
}

void check_location(const char* operation, const std::string& bucket, const std::string& key) {
    check_bucket(operation, bucket);
    if (std::string why = check_key(key); !why.empty()) {
        throw std::invalid_argument(std::string(operation) + " s3://" + bucket + ": " + why);
    }
}

}  // namespace detail

Client::Client(ClientConfig config) : state_(std::make_shared<detail::ClientState>(std::move(config))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const ClientConfig& Client::config() const { return state_->config(); }
const ClientConfig& Client::resolved_config() const { return state_->resolved(); }

GetObjectStream Client::get_object(const GetObjectRequest& request) {
    detail::check_location("GetObject", request.bucket, request.key);
    auto state = std::make_shared<detail::GetObjectState>(state_->stack(), request);
    state->begin(request);
    return GetObjectStream(std::move(state));
}

PutObjectStream Client::put_object(const PutObjectRequest& request) {
    detail::check_location("PutObject", request.bucket, request.key);
    return PutObjectStream(std::make_shared<detail::PutObjectState>(state_->stack(), request));
}

MetricsSnapshot Client::metrics() const { return state_->metrics().snapshot(); }
void Client::reset_metrics() { state_->metrics().reset(); }

const char* version() { return S3CONN_VERSION; }
const char* crt_version() { return S3CONN_CRT_VERSION; }

}  // namespace s3conn
