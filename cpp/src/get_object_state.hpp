// The shared state of a streaming GET: a queue of chunks filled by the CRT's
// body callback and drained by GetObjectStream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "operation.hpp"
#include "s3conn/chunk.hpp"
#include "s3conn/get_object.hpp"
#include "version_check.hpp"

namespace s3conn::detail {

class GetObjectState : public Operation {
public:
    GetObjectState(std::shared_ptr<CrtStack> stack, const GetObjectRequest& request);

    // Makes the request; a zero-length range finishes at once without one.
    void begin(const GetObjectRequest& request);

    std::optional<Chunk> next();
    std::size_t read_into(std::uint8_t* destination, std::size_t size);
    std::uint64_t position() const { return position_; }
    std::string etag() const;
    std::optional<std::uint64_t> object_size();
    bool done() const {
        std::lock_guard lock(mutex_);
        return finished_ || empty_range_;
    }
    void set_read_ahead(std::uint64_t bytes);

private:
    void on_body(aws_byte_cursor body, std::uint64_t range_start, aws_s3_buffer_ticket* ticket) override;
    void on_attempt(const Attempt& attempt) override;
    void on_finished() override;
    // Blocks until the next chunk is ready and known to be of the right
    // version, or the request is over; returns false at the end, throws on
    // failure.
    bool wait_for_chunk();
    // Whether the part that delivered `chunk` has been checked (mutex_ held).
    bool verified(const Chunk& chunk) const;
    // The consumer took `bytes`: let the download run further ahead.
    void open_window(std::size_t bytes);
    // The consumer waits for data that is not there: read further ahead.
    void grow_read_ahead();
    // The CRT's first GET of an object of unknown size asks for a range.
    // Some stores answer it in ways the CRT refuses: a 416 for an empty object
    // (real S3 too), a Content-Range it cannot parse (s3rver's `0-0/0` for an
    // empty object), or a 200 with no Content-Range, which HTTP allows. One
    // plain GET settles it, holding at most a part in memory.
    bool should_retry_unranged() const;  // mutex_ held
    void retry_unranged();
    // The plain GET's body size, once retry_unranged() ran.
    std::optional<std::uint64_t> unranged_size_;  // guarded by mutex_
    void check_process() const;

    std::deque<Chunk> ready_;  // guarded by mutex_
    VersionCheck version_;     // guarded by mutex_
    // Object ranges (inclusive) of the parts whose version was checked.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> verified_;  // guarded by mutex_
    // Consumer side only: the part of a chunk read_into() has not used yet.
    Chunk pending_;
    std::uint64_t position_ = 0;
    // Read window granted ahead of consumption so that a part held back by
    // the window can finish arriving, and be checked, before its first bytes
    // are handed out; paid back from later consumption.
    std::uint64_t window_advance_ = 0;
    // How far the download may run ahead of the consumer; consumer side.
    std::uint64_t read_ahead_ = 0;
    std::uint64_t max_grown_read_ahead_ = 0;
    bool consumed_any_ = false;
    bool empty_range_ = false;
    bool caller_range_ = false;
    bool retried_unranged_ = false;
};

}  // namespace s3conn::detail
