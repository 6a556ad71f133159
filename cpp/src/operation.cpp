#include "operation.hpp"

#include <aws/common/error.h>
#include <aws/http/request_response.h>
#include <aws/s3/s3.h>

#include <strings.h>

#include <cstdlib>
#include <unordered_map>
#include <vector>

#include <utility>

#include "addressing.hpp"
#include "etag.hpp"
#include "fork.hpp"
#include "runtime.hpp"
#include "s3conn/client.hpp"

namespace s3conn::detail {
namespace {

aws_byte_cursor cursor(const std::string& s) { return aws_byte_cursor_from_array(s.data(), s.size()); }

std::string user_agent(const ClientConfig& config) {
    std::string agent = config.user_agent_prefix;
    if (!agent.empty()) agent += ' ';
    agent += "s3conn/";
    agent += version();
    return agent;
}

aws_http_message* build_message(const CrtStack& stack, const Target& target, const HttpRequest& request) {
    aws_http_message* message = aws_http_message_new_request(allocator());
    if (message == nullptr) return nullptr;
    const std::string path = target.path + request.query;
    Headers headers = {{"Host", target.host}, {"User-Agent", user_agent(stack.config())}};
    if (stack.config().requester_pays) headers.emplace_back("x-amz-request-payer", "requester");
    headers.insert(headers.end(), request.headers.begin(), request.headers.end());
    bool ok =
        aws_http_message_set_request_method(message, aws_byte_cursor_from_c_str(request.method)) == AWS_OP_SUCCESS &&
        aws_http_message_set_request_path(message, cursor(path)) == AWS_OP_SUCCESS;
    for (const auto& [name, value] : headers) {
        aws_http_header header{};
        header.name = cursor(name);
        header.value = cursor(value);
        ok = ok && aws_http_message_add_header(message, header) == AWS_OP_SUCCESS;
    }
    if (!ok) {
        aws_http_message_release(message);
        return nullptr;
    }
    return message;
}

std::string header_value(const aws_http_headers* headers, const char* name) {
    aws_byte_cursor value{};
    if (aws_http_headers_get(headers, aws_byte_cursor_from_c_str(name), &value) != AWS_OP_SUCCESS) {
        aws_reset_error();
        return {};
    }
    return std::string(reinterpret_cast<const char*>(value.ptr), value.len);
}

// "bytes 0-99/1234" -> 1234; a 200 without a range -> its Content-Length.
std::optional<std::uint64_t> object_size_of(int status, const std::string& content_range,
                                            const std::string& content_length) {
    const auto number = [](const std::string& text) -> std::optional<std::uint64_t> {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        return std::strtoull(text.c_str(), nullptr, 10);
    };
    if (const auto slash = content_range.rfind('/'); slash != std::string::npos) {
        return number(content_range.substr(slash + 1));
    }
    if (status == 200) return number(content_length);
    return std::nullopt;
}

}  // namespace

const aws_s3_checksum_config* download_checksums(const ClientConfig& config) {
    static const aws_s3_checksum_config validate = [] {
        aws_s3_checksum_config c{};
        c.validate_response_checksum = true;
        return c;
    }();
    return config.validate_checksums ? &validate : nullptr;
}

const aws_s3_checksum_config* upload_checksums(const ClientConfig& config) {
    static const aws_s3_checksum_config crc32c = [] {
        aws_s3_checksum_config c{};
        c.location = AWS_SCL_HEADER;
        c.checksum_algorithm = AWS_SCA_CRC32C;
        return c;
    }();
    return config.upload_checksums ? &crc32c : nullptr;
}

namespace {

// Every Operation of this process, so that an exiting program can stop them
// all (cancel_all_requests). Never destroyed: operations may outlive statics.
struct Registry {
    ForkSafeMutex mutex;
    std::unordered_map<const Operation*, std::weak_ptr<Operation>> operations;
};

Registry& registry() {
    static Registry* const instance = new Registry();
    return *instance;
}

}  // namespace

Operation::Operation(std::shared_ptr<CrtStack> stack, ErrorContext context)
    : stack_(std::move(stack)), context_(std::move(context)) {
    context_.endpoint = display(stack_->endpoint());
}

Operation::~Operation() {
    {
        std::lock_guard lock(registry().mutex);
        registry().operations.erase(this);
    }
    if (!from_this_process()) return;
    if (message_ != nullptr) aws_http_message_release(message_);
    if (endpoint_uri_set_) aws_uri_clean_up(&endpoint_uri_);
}

void Operation::start(const HttpRequest& request, aws_s3_meta_request_options options, Pool pool) {
    const bool express = !directory_bucket_zone(request.bucket).empty();
    if (express && stack_->config().unsigned_requests) {
        throw std::invalid_argument("the directory bucket " + request.bucket +
                                    " needs credentials: S3 Express One Zone serves no unsigned requests");
    }
    const Target target = target_for(stack_->endpoint(), request.bucket, request.key);
    message_ = build_message(*stack_, target, request);
    if (message_ == nullptr) throw_crt_error(context_, aws_last_error());
    const aws_byte_cursor uri = cursor(target.endpoint_uri);
    if (aws_uri_init_parse(&endpoint_uri_, allocator(), &uri) != AWS_OP_SUCCESS) {
        throw_crt_error(context_, aws_last_error());
    }
    endpoint_uri_set_ = true;

    auto* holder = new std::shared_ptr<Operation>(shared_from_this());
    options.operation_name = aws_byte_cursor_from_c_str(context_.operation.c_str());
    options.message = message_;
    options.endpoint = &endpoint_uri_;
    options.user_data = holder;
    options.headers_callback = s_on_headers;
    // With recv_buffer the CRT writes into the caller's memory and refuses
    // body callbacks.
    if (options.recv_buffer == nullptr) options.body_callback_ex = s_on_body;
    options.finish_callback = s_on_finish;
    options.telemetry_callback = s_on_telemetry;
    options.shutdown_callback = s_on_shutdown;
    if (express) options.signing_config = stack_->express_signing();
    aws_s3_client* client = pool == Pool::kUploads ? stack_->upload_client() : stack_->s3_client();
    aws_s3_meta_request* made;
    {
        CrtGlobalsScope crt_globals;
        made = aws_s3_client_make_meta_request(client, &options);
    }
    if (made == nullptr) {
        const int error = aws_last_error();
        delete holder;
        throw_crt_error(context_, error);
    }
    {
        std::lock_guard lock(meta_mutex_);
        meta_request_ = made;
    }
    std::lock_guard lock(registry().mutex);
    registry().operations.emplace(this, weak_from_this());
}

void Operation::wait_finished() {
    std::unique_lock lock(mutex_);
    try {
        wait_interruptibly(lock, cv_, [this] { return finished_; });
    } catch (...) {
        lock.unlock();
        cancel();
        throw;
    }
}

bool Operation::wait_finished_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return cv_.wait_until(lock, deadline, [this] { return finished_; });
}

void Operation::wait_finished_uninterruptibly() {
    std::unique_lock lock(mutex_);
    if (finished_) return;
    BlockingRegion blocking(lock);
    cv_.wait(lock, [this] { return finished_; });
}

void Operation::throw_if_failed() {
    std::lock_guard lock(mutex_);
    if (error_) throw S3Error(*error_);
}

void Operation::cancel() {
    if (!from_this_process()) return;
    std::lock_guard lock(meta_mutex_);
    if (meta_request_ != nullptr) aws_s3_meta_request_cancel(meta_request_);
}

void Operation::detach() noexcept {
    if (!from_this_process()) {
        // A thread of the parent may have held meta_mutex_ at fork time; the
        // child is alone with this object and only forgets the pointer.
        meta_request_ = nullptr;
        return;
    }
    aws_s3_meta_request* meta_request;
    {
        std::lock_guard lock(meta_mutex_);
        meta_request = std::exchange(meta_request_, nullptr);
    }
    if (meta_request == nullptr) return;
    bool finished;
    {
        std::lock_guard lock(mutex_);
        finished = finished_;
    }
    if (!finished) aws_s3_meta_request_cancel(meta_request);
    aws_s3_meta_request_release(meta_request);
}

std::string Operation::response_header(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return header_locked(name);
}

std::string Operation::header_locked(const std::string& name) const {
    for (const auto& [header, value] : response_headers_) {
        if (strcasecmp(header.c_str(), name.c_str()) == 0) return value;
    }
    return {};
}

int Operation::response_status() const {
    std::lock_guard lock(mutex_);
    return response_status_;
}

std::string Operation::response_body() const {
    std::lock_guard lock(mutex_);
    return body_;
}

void Operation::on_body(aws_byte_cursor body, std::uint64_t, aws_s3_buffer_ticket*) {
    std::lock_guard lock(mutex_);
    body_.append(reinterpret_cast<const char*>(body.ptr), body.len);
}

int Operation::s_on_headers(aws_s3_meta_request*, const aws_http_headers* headers, int status, void* user_data) {
    Operation& self = **static_cast<std::shared_ptr<Operation>*>(user_data);
    Headers copy;
    const size_t count = aws_http_headers_count(headers);
    copy.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        aws_http_header header{};
        if (aws_http_headers_get_index(headers, i, &header) == AWS_OP_SUCCESS) {
            copy.emplace_back(std::string(reinterpret_cast<const char*>(header.name.ptr), header.name.len),
                              std::string(reinterpret_cast<const char*>(header.value.ptr), header.value.len));
        }
    }
    {
        std::lock_guard lock(self.mutex_);
        self.response_headers_ = std::move(copy);
        self.response_status_ = status;
        self.headers_received_ = true;
    }
    self.cv_.notify_all();
    return AWS_OP_SUCCESS;
}

int Operation::s_on_body(aws_s3_meta_request*, const aws_byte_cursor* body,
                         const aws_s3_meta_request_receive_body_extra_info info, void* user_data) {
    Operation& self = **static_cast<std::shared_ptr<Operation>*>(user_data);
    self.on_body(*body, info.range_start, info.ticket);
    return AWS_OP_SUCCESS;
}

void Operation::give_up(ErrorDetails error) {
    if (give_up_error_ || finished_) return;
    give_up_error_ = std::move(error);
    cancel_pending_ = true;
}

void Operation::s_on_finish(aws_s3_meta_request*, const aws_s3_meta_request_result* result, void* user_data) {
    Operation& self = **static_cast<std::shared_ptr<Operation>*>(user_data);
    {
        std::lock_guard lock(self.mutex_);
        if (self.give_up_error_) {
            self.error_ = self.give_up_error_;
        } else if (result->error_code != AWS_ERROR_SUCCESS) {
            self.error_ = from_meta_request_result(self.context_, *result, self.last_attempt_status_,
                                                   self.last_attempt_request_id_);
        }
        self.finished_ = true;
        self.on_finished();
    }
    self.cv_.notify_all();
}

void Operation::s_on_telemetry(aws_s3_meta_request* meta_request, aws_s3_request_metrics* metrics, void* user_data) {
    Operation& self = **static_cast<std::shared_ptr<Operation>*>(user_data);
    Attempt attempt;
    if (aws_s3_request_metrics_get_response_status_code(metrics, &attempt.status) != AWS_OP_SUCCESS) {
        aws_reset_error();
        attempt.status = 0;
    }
    attempt.error = aws_s3_request_metrics_get_error_code(metrics);
    const aws_string* name = nullptr;
    if (aws_s3_request_metrics_get_operation_name(metrics, &name) == AWS_OP_SUCCESS && name != nullptr) {
        attempt.request.assign(reinterpret_cast<const char*>(aws_string_bytes(name)), name->len);
    } else {
        aws_reset_error();
    }
    aws_http_headers* headers = nullptr;
    if (aws_s3_request_metrics_get_response_headers(metrics, &headers) == AWS_OP_SUCCESS && headers != nullptr) {
        attempt.etag = normalize_etag(header_value(headers, "ETag"));
        attempt.object_size = object_size_of(attempt.status, header_value(headers, "Content-Range"),
                                             header_value(headers, "Content-Length"));
    } else {
        aws_reset_error();
    }
    aws_s3_request_metrics_get_part_range_start(metrics, &attempt.range_start);
    aws_s3_request_metrics_get_part_range_end(metrics, &attempt.range_end);
    const aws_string* request_id = nullptr;
    std::string id;
    if (aws_s3_request_metrics_get_request_id(metrics, &request_id) == AWS_OP_SUCCESS && request_id != nullptr) {
        id.assign(reinterpret_cast<const char*>(aws_string_bytes(request_id)), request_id->len);
    } else {
        aws_reset_error();
    }
    self.stack_->metrics().record(metrics, self.context_.operation);
    bool cancel = false;
    {
        std::lock_guard lock(self.mutex_);
        if (attempt.status != 0) self.last_attempt_status_ = attempt.status;
        if (!id.empty()) self.last_attempt_request_id_ = std::move(id);
        if (!self.give_up_error_) self.on_attempt(attempt);
        cancel = std::exchange(self.cancel_pending_, false);
    }
    if (cancel) aws_s3_meta_request_cancel(meta_request);
}

void Operation::s_on_shutdown(void* user_data) { delete static_cast<std::shared_ptr<Operation>*>(user_data); }

}  // namespace s3conn::detail

namespace s3conn {

std::size_t cancel_all_requests(std::chrono::milliseconds timeout) {
    std::vector<std::shared_ptr<detail::Operation>> live;
    {
        std::lock_guard lock(detail::registry().mutex);
        for (const auto& [address, operation] : detail::registry().operations) {
            if (auto alive = operation.lock()) live.push_back(std::move(alive));
        }
    }
    std::size_t in_flight = 0;
    for (const auto& operation : live) {
        if (!operation->from_this_process() || operation->finished()) continue;
        operation->cancel();
        ++in_flight;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& operation : live) {
        if (operation->from_this_process()) operation->wait_finished_until(deadline);
    }
    return in_flight;
}

}  // namespace s3conn
