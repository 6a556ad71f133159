// Client::get_object_into: a ranged GET whose parts the CRT receives straight
// into the caller's memory (aws_s3_meta_request_options.recv_buffer).
#include <aws/common/byte_buf.h>
#include <aws/s3/s3_client.h>

#include "client_state.hpp"
#include "operation.hpp"
#include "s3conn/client.hpp"
#include "version_check.hpp"

namespace s3conn {
namespace {

class GetIntoOperation : public detail::Operation {
public:
    GetIntoOperation(std::shared_ptr<detail::CrtStack> stack, const std::string& bucket, const std::string& key,
                     std::uint8_t* destination, std::size_t size, std::shared_ptr<VersionPin> version)
        : Operation(std::move(stack), detail::ErrorContext{"GetObject", bucket, key}),
          buffer_(aws_byte_buf_from_empty_array(destination, size)),
          version_(std::move(version), std::nullopt) {}

    aws_byte_buf* buffer() { return &buffer_; }
    void open_read_window(std::size_t bytes) { aws_s3_meta_request_increment_read_window(meta_request(), bytes); }
    std::string if_match() const {
        std::lock_guard lock(mutex_);
        return version_.if_match();
    }

    // The number of bytes that landed; valid once finished without error.
    std::size_t received() {
        std::lock_guard lock(mutex_);
        return buffer_.len;
    }

    bool range_not_satisfiable() {
        std::lock_guard lock(mutex_);
        return error_ && error_->http_status == 416;
    }

private:
    void on_attempt(const detail::Attempt& attempt) override {
        if (attempt.request != "GetObject" && attempt.request != "HeadObject") return;
        if (auto changed = version_.check(context(), attempt)) give_up(std::move(*changed));
    }
    void on_finished() override {
        if (error_) version_.explain_precondition_failure(*error_);
    }

    aws_byte_buf buffer_;
    detail::VersionCheck version_;  // guarded by mutex_
};

}  // namespace

std::size_t Client::get_object_into(const std::string& bucket, const std::string& key, std::uint64_t offset,
                                    std::uint8_t* destination, std::size_t size, std::shared_ptr<VersionPin> version) {
    detail::check_location("GetObject", bucket, key);
    if (size == 0) return 0;
    auto op = std::make_shared<GetIntoOperation>(state_->stack(), bucket, key, destination, size, std::move(version));
    detail::HttpRequest request{"GET", bucket, key, "", {}};
    request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + size - 1));
    if (std::string if_match = op->if_match(); !if_match.empty()) request.headers.emplace_back("If-Match", if_match);
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_GET_OBJECT;
    options.recv_buffer = op->buffer();
    options.checksum_config = detail::download_checksums(op->stack()->config());
    op->start(request, options);
    // The parts land in the caller's memory, which holds the whole range: no
    // reason to hold any back (the client's read window is for streams).
    op->open_read_window(size);
    struct Detach {
        detail::Operation& op;
        ~Detach() { op.detach(); }
    } detach{*op};
    try {
        op->wait_finished();
    } catch (...) {
        // Cancelled by an interrupt: the CRT may still be writing into the
        // caller's memory until it reports the request finished.
        op->wait_finished_uninterruptibly();
        throw;
    }
    if (op->range_not_satisfiable()) return 0;  // offset at or past the end
    op->throw_if_failed();
    op->stack()->metrics().add_downloaded(op->received());
    return op->received();
}

}  // namespace s3conn
