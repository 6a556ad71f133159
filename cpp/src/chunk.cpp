#include "s3conn/chunk.hpp"

#include <atomic>
#include <cstring>

#include <aws/s3/s3_buffer_pool.h>

#include "chunk_memory.hpp"

namespace s3conn {

Chunk Chunk::slice(std::size_t from, std::size_t count) const {
    if (from > size_) from = size_;
    if (count > size_ - from) count = size_ - from;
    return Chunk(memory_, data_ + from, count, offset_ + from);
}

namespace {
std::atomic<std::uint64_t> g_copied_bytes{0};
}  // namespace

std::uint64_t bytes_copied() { return g_copied_bytes.load(std::memory_order_relaxed); }
void count_copied_bytes(std::size_t bytes) { g_copied_bytes.fetch_add(bytes, std::memory_order_relaxed); }

namespace detail {

ChunkMemory::ChunkMemory(std::shared_ptr<CrtStack> stack, aws_s3_buffer_ticket* ticket, std::size_t bytes)
    : stack_(std::move(stack)), ticket_(aws_s3_buffer_ticket_acquire(ticket)), ticket_bytes_(bytes) {
    stack_->held_chunk_bytes().fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
}

ChunkMemory::ChunkMemory(const std::uint8_t* data, std::size_t size) : copy_(new std::uint8_t[size == 0 ? 1 : size]) {
    std::memcpy(copy_.get(), data, size);
    count_copied_bytes(size);
}

ChunkMemory::~ChunkMemory() {
    if (ticket_ == nullptr) return;
    // A forked child must not touch the parent's buffer pool.
    if (!stack_->owned_by_this_process()) return;
    stack_->held_chunk_bytes().fetch_sub(static_cast<std::int64_t>(ticket_bytes_), std::memory_order_relaxed);
    aws_s3_buffer_ticket_release(ticket_);
}

}  // namespace detail
}  // namespace s3conn
