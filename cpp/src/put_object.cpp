#include "put_object_state.hpp"

#include <atomic>
#include <stdexcept>

#include <aws/checksums/crc.h>
#include <aws/common/encoding.h>
#include <aws/common/string.h>
#include <aws/s3/s3_client.h>

#include "runtime.hpp"

namespace s3conn {
namespace detail {

// One PutObject or multipart meta request, plus the waker that poll_write
// uses to say the upload can take more data.
class PutObjectState::Upload : public Operation {
public:
    using Operation::Operation;

    // Body of a single PutObject; the CRT borrows it until shutdown, which
    // this object outlives.
    std::vector<std::uint8_t> body;

    // poll_write said "pending": wait for the waker (or the end).
    void wait_writable() {
        std::unique_lock lock(mutex_);
        try {
            wait_interruptibly(lock, cv_, [this] { return writable_ || finished_; });
        } catch (...) {
            lock.unlock();
            cancel();
            throw;
        }
        writable_ = false;
    }

protected:
    // Stores that predate S3's flexible checksums refuse what
    // upload_checksums sends (Swift 2.30's s3api: MalformedXML on the part
    // checksums of CompleteMultipartUpload). The parts are gone by then, so
    // there is nothing to fall back to: the error names the option instead.
    void on_finished() override {
        if (!error_ || !stack()->config().upload_checksums) return;
        const std::string& c = error_->code;
        if (c == "MalformedXML" || c == "NotImplemented" || c == "InvalidArgument" || c == "InvalidRequest") {
            error_->message += (error_->message.empty() || error_->message.back() == '.' ? " " : ". ");
            error_->message +=
                "This store may not support the checksums that upload_checksums=True sends (x-amz-checksum-crc32c, "
                "and the part checksums of CompleteMultipartUpload): set S3ClientConfig(upload_checksums=False) "
                "for it";
        }
    }

public:
    aws_s3_meta_request_poll_write_result poll_write(aws_byte_cursor data, bool eof) {
        return aws_s3_meta_request_poll_write(meta_request(), data, eof, s_waker, this);
    }

    // CRC32C of the whole object, for a multipart upload's full-object
    // checksum: set by the writer before EOF, read by the CRT when it
    // completes the upload.
    std::atomic<std::uint32_t> full_object_crc32c{0};

    // Checksum settings that also give S3 the full object's CRC32C, so that
    // downloads in ranged parts can be verified end to end (a composite
    // checksum of parts cannot be).
    aws_s3_checksum_config full_object_checksums() {
        aws_s3_checksum_config config = *upload_checksums(stack()->config());
        config.full_object_checksum_callback = s_full_object_checksum;
        config.user_data = this;
        return config;
    }

private:
    static aws_string* s_full_object_checksum(aws_s3_meta_request*, void* user_data) {
        const std::uint32_t crc = static_cast<Upload*>(user_data)->full_object_crc32c.load();
        const std::uint8_t big_endian[4] = {static_cast<std::uint8_t>(crc >> 24), static_cast<std::uint8_t>(crc >> 16),
                                            static_cast<std::uint8_t>(crc >> 8), static_cast<std::uint8_t>(crc)};
        aws_byte_cursor raw = aws_byte_cursor_from_array(big_endian, sizeof big_endian);
        std::uint8_t encoded[16] = {};
        aws_byte_buf out = aws_byte_buf_from_empty_array(encoded, sizeof encoded);
        if (aws_base64_encode(&raw, &out) != AWS_OP_SUCCESS) return nullptr;
        return aws_string_new_from_array(allocator(), out.buffer, out.len);
    }

    static void s_waker(void* user_data) {
        auto* self = static_cast<Upload*>(user_data);
        {
            std::lock_guard lock(self->mutex_);
            self->writable_ = true;
        }
        self->cv_.notify_all();
    }

    bool writable_ = false;
};

namespace {

Headers object_headers(const PutObjectRequest& request) {
    Headers headers;
    if (!request.storage_class.empty()) headers.emplace_back("x-amz-storage-class", request.storage_class);
    if (!request.content_type.empty()) headers.emplace_back("Content-Type", request.content_type);
    return headers;
}

std::logic_error unusable(const char* state) { return std::logic_error(std::string("the upload is ") + state); }

}  // namespace

PutObjectState::PutObjectState(std::shared_ptr<CrtStack> stack, PutObjectRequest request)
    : stack_(std::move(stack)), request_(std::move(request)) {}

PutObjectState::~PutObjectState() {
    // Dropped without close(): cancel, but do not wait. The CRT still aborts
    // a multipart upload on the server, moments later.
    if (phase_ == Phase::kDone) return;
    phase_ = Phase::kFailed;
    if (upload_) upload_->detach();
}

void PutObjectState::check_usable() const {
    if (phase_ == Phase::kDone) throw unusable("closed");
    if (phase_ == Phase::kFailed) throw unusable("aborted");
    if (!stack_->owned_by_this_process()) {
        throw unusable("owned by the parent of this forked process");
    }
}

void PutObjectState::write(const std::uint8_t* data, std::size_t size) {
    check_usable();
    if (size == 0) return;
    if (stack_->config().upload_checksums) crc32c_ = aws_checksums_crc32c_ex(data, size, crc32c_);
    if (phase_ == Phase::kBuffering) {
        if (buffer_.size() + size <= stack_->config().part_size) {
            if (buffer_.capacity() == 0) buffer_.reserve(std::min<std::size_t>(stack_->config().part_size, 1 << 20));
            buffer_.insert(buffer_.end(), data, data + size);
            bytes_written_ += size;
            return;
        }
        start_multipart();
    }
    feed(data, size, false);
    bytes_written_ += size;
}

void PutObjectState::start_multipart() {
    upload_ = std::make_shared<Upload>(stack_, ErrorContext{"PutObject", request_.bucket, request_.key});
    HttpRequest http{"PUT", request_.bucket, request_.key, "", object_headers(request_)};
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_PUT_OBJECT;
    options.send_using_async_writes = true;
    aws_s3_checksum_config checksums{};
    if (upload_checksums(stack_->config()) != nullptr) {
        checksums = upload_->full_object_checksums();
        options.checksum_config = &checksums;  // copied when the meta request is made
    }
    try {
        upload_->start(http, options, Pool::kUploads);
    } catch (...) {
        phase_ = Phase::kFailed;
        throw;
    }
    phase_ = Phase::kMultipart;
    std::vector<std::uint8_t> first_part = std::move(buffer_);
    buffer_ = {};
    feed(first_part.data(), first_part.size(), false);
}

void PutObjectState::feed(const std::uint8_t* data, std::size_t size, bool eof) {
    aws_byte_cursor rest = aws_byte_cursor_from_array(data, size);
    try {
        // Until every byte is taken; an EOF counts only on the call that
        // takes the last byte, so an empty final write must be accepted too.
        for (;;) {
            const auto result = upload_->poll_write(rest, eof);
            if (result.is_pending) {
                upload_->wait_writable();
                continue;
            }
            if (result.error_code != 0) fail_with_upload_error();
            aws_byte_cursor_advance(&rest, result.bytes_processed);
            if (rest.len == 0) break;
        }
    } catch (...) {
        abort();
        throw;
    }
}

void PutObjectState::fail_with_upload_error() {
    // The meta request is guaranteed to finish soon; its result says why.
    upload_->wait_finished_uninterruptibly();
    phase_ = Phase::kFailed;
    upload_->throw_if_failed();
    throw S3Error(from_crt_error(upload_->context(), AWS_ERROR_S3_REQUEST_HAS_COMPLETED));
}

PutObjectResult PutObjectState::close() {
    check_usable();
    PutObjectResult result;
    result.size = bytes_written_;
    if (phase_ == Phase::kBuffering) {
        upload_ = std::make_shared<Upload>(stack_, ErrorContext{"PutObject", request_.bucket, request_.key});
        upload_->body = std::move(buffer_);
        buffer_ = {};
        HttpRequest http{"PUT", request_.bucket, request_.key, "", object_headers(request_)};
        http.headers.emplace_back("Content-Length", std::to_string(upload_->body.size()));
        aws_s3_meta_request_options options{};
        options.type = AWS_S3_META_REQUEST_TYPE_DEFAULT;
        options.checksum_config = upload_checksums(stack_->config());
        // An empty object is a PUT with Content-Length: 0 and no body at all:
        // an empty request_body would make the CRT wait for a body stream.
        if (!upload_->body.empty()) {
            options.request_body = aws_byte_cursor_from_array(upload_->body.data(), upload_->body.size());
        }
        try {
            upload_->start(http, options);
        } catch (...) {
            phase_ = Phase::kFailed;
            throw;
        }
    } else {
        result.multipart = true;
        upload_->full_object_crc32c.store(crc32c_);
        feed(nullptr, 0, true);
    }
    try {
        upload_->wait_finished();
        upload_->throw_if_failed();
    } catch (...) {
        abort();
        throw;
    }
    result.etag = upload_->response_header("ETag");
    stack_->metrics().add_uploaded(result.size);
    upload_->detach();
    phase_ = Phase::kDone;
    return result;
}

void PutObjectState::abort() noexcept {
    if (phase_ == Phase::kDone) return;
    phase_ = Phase::kFailed;
    buffer_ = {};
    if (!upload_ || !upload_->from_this_process()) return;
    // Cancelling makes the CRT send AbortMultipartUpload; the request
    // finishes only after that, so once abort() returns nothing is left on
    // the server.
    upload_->cancel();
    upload_->wait_finished_uninterruptibly();
    upload_->detach();
}

}  // namespace detail

PutObjectStream::PutObjectStream(std::shared_ptr<detail::PutObjectState> state) : state_(std::move(state)) {}
PutObjectStream::PutObjectStream(PutObjectStream&&) noexcept = default;
PutObjectStream& PutObjectStream::operator=(PutObjectStream&&) noexcept = default;
PutObjectStream::~PutObjectStream() = default;

const std::string& PutObjectStream::bucket() const { return state_->request().bucket; }
const std::string& PutObjectStream::key() const { return state_->request().key; }
void PutObjectStream::write(const std::uint8_t* data, std::size_t size) { state_->write(data, size); }
PutObjectResult PutObjectStream::close() { return state_->close(); }
void PutObjectStream::abort() noexcept { state_->abort(); }
std::uint64_t PutObjectStream::bytes_written() const { return state_->bytes_written(); }
bool PutObjectStream::closed() const { return state_->closed(); }

}  // namespace s3conn
