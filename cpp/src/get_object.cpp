#include "get_object_state.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <aws/s3/s3_buffer_pool.h>
#include <aws/s3/s3_client.h>

#include "chunk_memory.hpp"
#include "etag.hpp"
#include "runtime.hpp"

namespace s3conn {
namespace detail {
namespace {

std::string range_header(const ByteRange& range) {
    std::string value = "bytes=" + std::to_string(range.start) + "-";
    if (range.end) value += std::to_string(*range.end - 1);  // HTTP ranges are inclusive
    return value;
}

// What a store that ignores Range gets told, whether its whole-object answer
// overflowed the CRT's part buffer or the plain GET's limit.
void explain_ignored_range(ErrorDetails& error, std::uint64_t part_size) {
    error.code = "InvalidResponse";
    error.message =
        "the server does not answer ranged GETs as S3 does (it ignores Range, or sends no usable "
        "Content-Range), and the object is larger than part_size (" +
        std::to_string(part_size) + " bytes): this store does not support the ranged GETs reads need";
}

}  // namespace

GetObjectState::GetObjectState(std::shared_ptr<CrtStack> stack, const GetObjectRequest& request)
    : Operation(std::move(stack), ErrorContext{"GetObject", request.bucket, request.key}),
      version_(request.version, request.size_hint),
      position_(request.range ? request.range->start : 0) {
    const ClientConfig& config = this->stack()->config();
    read_ahead_ = config.read_ahead_bytes;
    max_grown_read_ahead_ = std::max<std::uint64_t>(
        read_ahead_, std::min<std::uint64_t>(6 * config.part_size, effective_memory_limit(config) / 8));
}

void GetObjectState::begin(const GetObjectRequest& request) {
    HttpRequest http{"GET", request.bucket, request.key, "", {}};
    if (std::string if_match = version_.if_match(); !if_match.empty()) http.headers.emplace_back("If-Match", if_match);
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
    } else if (request.size_hint && *request.size_hint > stack()->config().part_size) {
        // Only hints of more than a part reach the CRT. With a hint of a part
        // or less, aws-c-s3 1.5 asks for `?partNumber=1`, which Ceph RGW, Swift
        // and s3rver refuse or answer without Content-Range, and it does not
        // retry a 5xx answer to that GET. Without a hint a small object still
        // costs one ranged GET, and on_body returns its oversized buffer at once.
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

void GetObjectState::on_attempt(const Attempt& attempt) {
    if (attempt.request != "GetObject" && attempt.request != "HeadObject") return;
    if (auto changed = version_.check(context(), attempt)) {
        give_up(std::move(*changed));
        return;
    }
    if (attempt.request == "GetObject" && attempt.status >= 200 && attempt.status < 300) {
        const bool ranged = attempt.range_start != 0 || attempt.range_end != 0;
        verified_.emplace_back(attempt.range_start, ranged ? attempt.range_end : UINT64_MAX);
        cv_.notify_all();
    }
}

void GetObjectState::on_finished() {
    if (!error_) return;
    version_.explain_precondition_failure(*error_);
    if (error_->crt_error_code == AWS_ERROR_DEST_COPY_TOO_SMALL)
        explain_ignored_range(*error_, stack()->config().part_size);
}

bool GetObjectState::verified(const Chunk& chunk) const {
    if (finished_ && !error_) return true;  // every part's attempt was checked before the end
    for (const auto& [first, last] : verified_) {
        if (first <= chunk.offset() && chunk.offset() <= last) return true;
    }
    return false;
}

std::string GetObjectState::etag() const {
    std::lock_guard lock(mutex_);
    return version_.etag();
}

void GetObjectState::open_window(std::size_t bytes) {
    const std::uint64_t repaid = std::min<std::uint64_t>(window_advance_, bytes);
    window_advance_ -= repaid;
    if (bytes > repaid && meta_request() != nullptr) {
        aws_s3_meta_request_increment_read_window(meta_request(), bytes - repaid);
    }
}

void GetObjectState::grow_read_ahead() {
    if (read_ahead_ >= max_grown_read_ahead_ || meta_request() == nullptr) return;
    const std::uint64_t step = std::min(stack()->config().part_size, max_grown_read_ahead_ - read_ahead_);
    read_ahead_ += step;
    aws_s3_meta_request_increment_read_window(meta_request(), step);
}

void GetObjectState::set_read_ahead(std::uint64_t bytes) {
    check_process();
    if (bytes <= read_ahead_ || meta_request() == nullptr) return;
    aws_s3_meta_request_increment_read_window(meta_request(), bytes - read_ahead_);
    read_ahead_ = bytes;
}

std::optional<std::uint64_t> GetObjectState::object_size() {
    check_process();
    if (empty_range_) return std::nullopt;
    std::unique_lock lock(mutex_);
    try {
        wait_interruptibly(lock, cv_, [this] { return headers_received_ || finished_; });
    } catch (...) {
        lock.unlock();
        cancel();
        throw;
    }
    if (!headers_received_) {
        if (should_retry_unranged()) {
            lock.unlock();
            retry_unranged();
            lock.lock();
        }
        if (unranged_size_) return unranged_size_;
        if (error_) throw S3Error(*error_);
        return std::nullopt;
    }
    const std::string range = header_locked("Content-Range");
    if (const auto slash = range.rfind('/'); slash != std::string::npos) {
        return std::strtoull(range.c_str() + slash + 1, nullptr, 10);
    }
    if (caller_range_) return std::nullopt;
    return std::strtoull(header_locked("Content-Length").c_str(), nullptr, 10);
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
    if (ready_.empty() && !finished_ && consumed_any_) {
        // The consumer caught up with the download: let it run further ahead.
        lock.unlock();
        grow_read_ahead();
        lock.lock();
    }
    consumed_any_ = true;
    try {
        for (;;) {
            wait_interruptibly(lock, cv_, [this] { return !ready_.empty() || finished_; });
            if (!ready_.empty() && verified(ready_.front())) {
                const std::uint64_t next = ready_.front().offset();
                verified_.erase(std::remove_if(verified_.begin(), verified_.end(),
                                               [next](const auto& range) { return range.second < next; }),
                                verified_.end());
                return true;
            }
            if (finished_) break;
            // The front chunk's part has not been checked yet: its check comes
            // once the whole part is delivered, which the read window may be
            // holding back. Let one more part through, once.
            if (window_advance_ == 0) {
                window_advance_ = stack()->config().part_size;
                lock.unlock();
                aws_s3_meta_request_increment_read_window(meta_request(), window_advance_);
                lock.lock();
            }
            wait_interruptibly(lock, cv_, [this] { return finished_ || verified(ready_.front()); });
        }
    } catch (...) {
        lock.unlock();
        cancel();
        throw;
    }
    if (!error_) return !ready_.empty();
    // Failed: queued chunks are dropped, checked or not; the error says why.
    ready_.clear();
    if (should_retry_unranged()) {
        lock.unlock();
        retry_unranged();
        return wait_for_chunk();
    }
    throw S3Error(*error_);
}

bool GetObjectState::should_retry_unranged() const {
    if (!error_ || caller_range_ || retried_unranged_ || position_ != 0) return false;
    return error_->http_status == 416 || error_->crt_error_code == AWS_ERROR_S3_INVALID_CONTENT_RANGE_HEADER ||
           error_->crt_error_code == AWS_ERROR_S3_MISSING_CONTENT_RANGE_HEADER;
}

namespace {

// A GET without Range whose body may not exceed `limit`: a store that
// ignores Range altogether would otherwise send a whole object of any size
// into memory.
class PlainGet final : public Operation {
public:
    PlainGet(std::shared_ptr<CrtStack> stack, ErrorContext context, std::uint64_t limit)
        : Operation(std::move(stack), std::move(context)), limit_(limit) {}

protected:
    void on_body(aws_byte_cursor body, std::uint64_t, aws_s3_buffer_ticket*) override {
        std::lock_guard lock(mutex_);
        if (body_.size() + body.len <= limit_) {
            body_.append(reinterpret_cast<const char*>(body.ptr), body.len);
            return;
        }
        ErrorDetails error;
        error.operation = context().operation;
        error.bucket = context().bucket;
        error.key = context().key;
        explain_ignored_range(error, limit_);
        give_up(std::move(error));
    }

private:
    std::uint64_t limit_;
};

}  // namespace

void GetObjectState::retry_unranged() {
    auto plain = std::make_shared<PlainGet>(stack(), context(), stack()->config().part_size);
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_DEFAULT;
    options.checksum_config = download_checksums(stack()->config());
    HttpRequest http{"GET", context().bucket, context().key, "", {}};
    {
        std::lock_guard lock(mutex_);
        if (std::string if_match = version_.if_match(); !if_match.empty()) {
            http.headers.emplace_back("If-Match", if_match);
        }
    }
    plain->start(http, options);
    struct Detach {
        Operation& op;
        ~Detach() { op.detach(); }
    } detach{*plain};
    plain->wait_finished();
    std::lock_guard lock(mutex_);
    retried_unranged_ = true;
    plain->throw_if_failed();
    Attempt attempt;
    attempt.status = plain->response_status();
    attempt.etag = normalize_etag(plain->response_header("ETag"));
    if (auto changed = version_.check(context(), attempt)) throw S3Error(std::move(*changed));
    error_.reset();
    const std::string body = plain->response_body();
    unranged_size_ = body.size();
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
    open_window(chunk.size());
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
            open_window(pending_.size());
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
std::string GetObjectStream::etag() const { return state_->etag(); }
std::optional<std::uint64_t> GetObjectStream::object_size() { return state_->object_size(); }
void GetObjectStream::set_read_ahead(std::uint64_t bytes) { state_->set_read_ahead(bytes); }
void GetObjectStream::cancel() { state_->cancel(); }
bool GetObjectStream::done() const { return state_->done(); }

}  // namespace s3conn
