// One S3 meta request and the state its CRT callbacks share with the caller.
//
// Ownership: the caller holds a shared_ptr<Operation>; start() gives the CRT a
// second one (the callbacks' user data), dropped in the shutdown callback, so
// the state outlives whichever side finishes last. The caller also owns the
// meta request reference and gives it back with detach(): the CRT calls
// shutdown only after that, which is what keeps the order safe.
//
// Callbacks run on CRT threads. They take the mutex briefly, never block and
// never call into the caller's language.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <aws/common/uri.h>
#include <aws/s3/s3_client.h>

#include "crt_errors.hpp"
#include "crt_stack.hpp"

struct aws_http_message;

namespace s3conn::detail {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What goes on the wire, before signing.
struct HttpRequest {
    const char* method = "GET";
    std::string bucket;
    std::string key;    // empty for bucket-level requests
    std::string query;  // "" or "?a=b&..."
    Headers headers;
};

// Checksum settings for a download or an upload under `config`; null when
// the client does not use checksums. Point options.checksum_config at the
// result; the CRT copies it when the meta request is made.
const aws_s3_checksum_config* download_checksums(const ClientConfig& config);
const aws_s3_checksum_config* upload_checksums(const ClientConfig& config);

// One finished attempt (one HTTP request) of a meta request, from telemetry.
struct Attempt {
    int status = 0;                 // 0: no HTTP response
    int error = 0;                  // CRT error code; 0 on success
    std::string request;            // "GetObject", "UploadPart", ...
    std::string etag;               // the response's ETag, without quotes
    std::uint64_t range_start = 0;  // part range, inclusive, for ranged parts
    std::uint64_t range_end = 0;
    // The whole object's size, from Content-Range (or Content-Length of a 200).
    std::optional<std::uint64_t> object_size;
};

// Which of the stack's S3 clients a meta request goes through.
enum class Pool { kDefault, kUploads };

class Operation : public std::enable_shared_from_this<Operation> {
public:
    Operation(std::shared_ptr<CrtStack> stack, ErrorContext context);
    virtual ~Operation();
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    // Builds the message for `request`, fills the callbacks into `options` and
    // makes the meta request. Throws S3Error if the CRT refuses it.
    void start(const HttpRequest& request, aws_s3_meta_request_options options, Pool pool = Pool::kDefault);

    // Waits for the finish callback, checking for interrupts. If the check
    // throws, the request is cancelled and the exception propagates.
    void wait_finished();
    // Waits without interrupt checks; for requests writing into caller memory,
    // which must not be released before the CRT lets go of it.
    void wait_finished_uninterruptibly();
    // Waits at most until `deadline`; true if the request finished.
    bool wait_finished_until(std::chrono::steady_clock::time_point deadline);
    bool finished() const {
        std::lock_guard lock(mutex_);
        return finished_;
    }
    // After wait_finished(): throws the request's S3Error, if it failed.
    void throw_if_failed();

    void cancel();
    // Cancels an unfinished request and returns the meta request reference.
    // Called once by the owner; in a forked child it only forgets the pointer.
    void detach() noexcept;

    const std::shared_ptr<CrtStack>& stack() const { return stack_; }
    const ErrorContext& context() const { return context_; }
    bool from_this_process() const { return stack_->owned_by_this_process(); }

    // Response headers of the successful request (or of the last one).
    std::string response_header(const std::string& name) const;
    int response_status() const;
    // The collected body, for operations that keep the default on_body.
    std::string response_body() const;

protected:
    // Hooks for subclasses; all run on CRT threads.
    virtual void on_body(aws_byte_cursor body, std::uint64_t range_start, aws_s3_buffer_ticket* ticket);
    virtual void on_finished() {}  // mutex_ held
    // After every attempt; may call give_up(). mutex_ held.
    virtual void on_attempt(const Attempt&) {}

    // Ends the meta request with `error` instead of letting the CRT retry:
    // what the finish callback reports. mutex_ held; the cancel happens once
    // the caller lets go of the mutex.
    void give_up(ErrorDetails error);

    // For the owner's own thread (the consumer side); cancel() and detach()
    // may come from any thread.
    aws_s3_meta_request* meta_request() const { return meta_request_; }
    // response_header() with mutex_ already held.
    std::string header_locked(const std::string& name) const;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool finished_ = false;
    bool headers_received_ = false;  // the headers callback ran (notifies cv_)
    std::optional<ErrorDetails> error_;
    std::string body_;  // response body, for operations that do not override on_body

private:
    static int s_on_headers(aws_s3_meta_request*, const aws_http_headers*, int status, void* user_data);
    static int s_on_body(aws_s3_meta_request*, const aws_byte_cursor* body,
                         const aws_s3_meta_request_receive_body_extra_info info, void* user_data);
    static void s_on_finish(aws_s3_meta_request*, const aws_s3_meta_request_result* result, void* user_data);
    static void s_on_telemetry(aws_s3_meta_request*, aws_s3_request_metrics* metrics, void* user_data);
    static void s_on_shutdown(void* user_data);

    std::shared_ptr<CrtStack> stack_;
    ErrorContext context_;
    std::mutex meta_mutex_;  // guards meta_request_ between detach() and cancel()
    aws_s3_meta_request* meta_request_ = nullptr;
    aws_http_message* message_ = nullptr;
    aws_uri endpoint_uri_{};
    bool endpoint_uri_set_ = false;
    Headers response_headers_;
    int response_status_ = 0;
    int last_attempt_status_ = 0;
    std::string last_attempt_request_id_;
    std::optional<ErrorDetails> give_up_error_;
    bool cancel_pending_ = false;
};

}  // namespace s3conn::detail
