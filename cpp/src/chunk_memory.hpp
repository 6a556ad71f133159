// What a Chunk owns: either a CRT part buffer (zero copy) or bytes copied to
// the heap when the CRT gave no buffer to keep or the zero-copy budget is
// spent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "crt_stack.hpp"

struct aws_s3_buffer_ticket;

namespace s3conn::detail {

class ChunkMemory {
public:
    // Takes a reference on `ticket`, whose buffer holds `pinned` bytes of the
    // client's memory limit; the stack keeps its buffer pool alive.
    ChunkMemory(std::shared_ptr<CrtStack> stack, aws_s3_buffer_ticket* ticket, std::size_t pinned);
    // Owns a copy of [data, data + size).
    ChunkMemory(const std::uint8_t* data, std::size_t size);
    ~ChunkMemory();
    ChunkMemory(const ChunkMemory&) = delete;
    ChunkMemory& operator=(const ChunkMemory&) = delete;

    // Where a copied chunk's bytes are; null for a ticket.
    const std::uint8_t* copied_data() const { return copy_.get(); }

private:
    std::shared_ptr<CrtStack> stack_;
    aws_s3_buffer_ticket* ticket_ = nullptr;
    std::size_t ticket_bytes_ = 0;
    std::unique_ptr<std::uint8_t[]> copy_;
};

}  // namespace s3conn::detail
