#include "get_object_state.hpp"

#include <cstring>

#include <aws/s3/s3_buffer_pool.h>
#include <aws/s3/s3_client.h>

#include "chunk_memory.hpp"
#include "runtime.hpp"

namespace s3conn {
namespace detail {
namespace {

std::string range_header(const ByteRange& range) {
    std::string value = "bytes=" + std::to_string(range.start) + "-";
    if (range.end) value += std::to_string(*range.end - 1);  // HTTP ranges are inclusive
    return value;
}

}  // namespace

GetObjectState::GetObjectState(std::shared_ptr<CrtStack> stack, const GetObjectRequest& request)
    : Operation(std::move(stack), ErrorContext{"GetObject", request.bucket, request.key}),
      position_(request.range ? request.range->start : 0) {}

void GetObjectState::begin(const GetObjectRequest& request) {
    HttpRequest http{"GET", request.bucket, request.key, "", {}};
    caller_range_ = request.range.has_value();
    if (request.range) {
        if (request.range->end && *request.range->end <= request.range->start) {
            // Nothing to fetch, and HTTP cannot ask for nothing.
            std::lock_guard lock(mutex_);
            finished_ = true;
            empty_range_ = true;
            return;
        }
        http.headers.emplace_back("Range", range_header(*request.range));
    }
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_GET_OBJECT;
    options.checksum_config = download_checksums(stack()->config());
    std::uint64_t hint = 0;
    if (request.size_hint == 0u && !caller_range_) {
        // Known to be empty: one plain GET, no ranged probing.
        options.type = AWS_S3_META_REQUEST_TYPE_DEFAULT;
        retried_unranged_ = true;
    } else if (request.size_hint && *request.size_hint >= stack()->config().part_size) {
        // Only hints of a part or more reach the CRT: with a smaller hint
        // aws-c-s3 1.5 does not retry a 5xx answer to the first GET (it fails
        // with "missing Content-Range"). Without one a small object still costs
        // one ranged GET, and on_body returns its oversized buffer at once.
        hint = *request.size_hint;
        options.object_size_hint = &hint;  // read during make_meta_request only
    }
    start(http, options);
}

void GetObjectState::on_body(aws_byte_cursor body, std::uint64_t range_start, aws_s3_buffer_ticket* ticket) {
    if (body.len == 0) return;
    stack()->metrics().add_downloaded(body.len);
    std::shared_ptr<const ChunkMemory> memory;
    const std::uint8_t* data = body.ptr;
    CrtStack& crt = *stack();
    // A held ticket pins its whole buffer in the client's memory limit, so
    // that is what counts. A small body in a large buffer (a small object is
    // received into a part-size buffer) is copied out rather than pin it.
    const std::size_t pinned = ticket != nullptr ? aws_s3_buffer_ticket_claim(ticket).capacity : 0;
    const bool worth_pinning = pinned <= 2 * body.len + (64u << 10);
    const auto held = crt.held_chunk_bytes().load(std::memory_order_relaxed);
    if (ticket != nullptr && worth_pinning && held + static_cast<std::int64_t>(pinned) <= crt.held_chunk_budget()) {
        memory = std::make_shared<ChunkMemory>(stack(), ticket, pinned);
    } else {
        auto copy = std::make_shared<ChunkMemory>(body.ptr, body.len);
        data = copy->copied_data();
        memory = std::move(copy);
    }
    {
        std::lock_guard lock(mutex_);
        ready_.emplace_back(std::move(memory), data, body.len, range_start);
    }
    cv_.notify_all();
}

void GetObjectState::check_process() const {
    if (!from_this_process()) {
        ErrorDetails details;
        details.code = "ClientError";
        details.operation = context().operation;
        details.bucket = context().bucket;
        details.key = context().key;
        details.message = "this stream was opened by the parent of a forked process and cannot be read in the child";
        throw S3Error(std::move(details));
    }
}

bool GetObjectState::wait_for_chunk() {
    std::unique_lock lock(mutex_);
    try {
        wait_interruptibly(lock, cv_, [this] { return !ready_.empty() || finished_; });
    } catch (...) {
        lock.unlock();
        cancel();
        throw;
    }
    if (!ready_.empty()) return true;
    if (!error_) return false;
    if (should_retry_unranged()) {
        lock.unlock();
        retry_unranged();
        return wait_for_chunk();
    }
    throw S3Error(*error_);
}

bool GetObjectState::should_retry_unranged() const {
    return error_ && error_->http_status == 416 && !caller_range_ && !retried_unranged_ && position_ == 0;
}

void GetObjectState::retry_unranged() {
    auto plain = std::make_shared<Operation>(stack(), context());
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_DEFAULT;
    options.checksum_config = download_checksums(stack()->config());
    plain->start(HttpRequest{"GET", context().bucket, context().key, "", {}}, options);
    struct Detach {
        Operation& op;
        ~Detach() { op.detach(); }
    } detach{*plain};
    plain->wait_finished();
    std::lock_guard lock(mutex_);
    retried_unranged_ = true;
    plain->throw_if_failed();
    error_.reset();
    const std::string body = plain->response_body();
    if (!body.empty()) {
        auto memory = std::make_shared<ChunkMemory>(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
        const std::uint8_t* data = memory->copied_data();
        ready_.emplace_back(std::move(memory), data, body.size(), 0);
    }
}

std::optional<Chunk> GetObjectState::next() {
    check_process();
    if (!pending_.empty()) {
        Chunk rest = std::move(pending_);
        pending_ = Chunk();
        position_ += rest.size();
        return rest;
    }
    if (empty_range_ || !wait_for_chunk()) return std::nullopt;
    Chunk chunk;
    {
        std::lock_guard lock(mutex_);
        chunk = std::move(ready_.front());
        ready_.pop_front();
    }
    // The consumer has it now: let the download run further ahead.
    aws_s3_meta_request_increment_read_window(meta_request(), chunk.size());
    position_ += chunk.size();
    return chunk;
}

std::size_t GetObjectState::read_into(std::uint8_t* destination, std::size_t size) {
    check_process();
    std::size_t copied = 0;
    while (copied < size) {
        if (pending_.empty()) {
            if (empty_range_ || !wait_for_chunk()) break;
            std::lock_guard lock(mutex_);
            pending_ = std::move(ready_.front());
            ready_.pop_front();
            aws_s3_meta_request_increment_read_window(meta_request(), pending_.size());
        }
        const std::size_t n = std::min(size - copied, pending_.size());
        std::memcpy(destination + copied, pending_.data(), n);
        count_copied_bytes(n);
        copied += n;
        position_ += n;
        pending_ = n == pending_.size() ? Chunk() : pending_.slice(n);
    }
    return copied;
}

}  // namespace detail

GetObjectStream::GetObjectStream(std::shared_ptr<detail::GetObjectState> state) : state_(std::move(state)) {}
GetObjectStream::GetObjectStream(GetObjectStream&&) noexcept = default;
GetObjectStream& GetObjectStream::operator=(GetObjectStream&& other) noexcept {
    if (this != &other) {
        if (state_) state_->detach();
        state_ = std::move(other.state_);
    }
    return *this;
}
GetObjectStream::~GetObjectStream() {
    if (state_) state_->detach();
}

const std::string& GetObjectStream::bucket() const { return state_->context().bucket; }
const std::string& GetObjectStream::key() const { return state_->context().key; }
std::optional<Chunk> GetObjectStream::next() { return state_->next(); }
std::size_t GetObjectStream::read_into(std::uint8_t* destination, std::size_t size) {
    return state_->read_into(destination, size);
}
std::uint64_t GetObjectStream::position() const { return state_->position(); }
void GetObjectStream::cancel() { state_->cancel(); }

}  // namespace s3conn
