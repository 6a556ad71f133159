// A Chunk is a read-only view of downloaded bytes that owns what it views.
//
// Most chunks are the CRT's own part buffers, handed out without a copy: the
// chunk holds the buffer's ticket and a reference to the client's CRT stack,
// so it stays valid after the stream, and even the Client, are gone. Copying a
// Chunk is cheap (a reference count), and sub-views share the same memory.
#pragma once

#include "s3conn/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace s3conn {

namespace detail {
class ChunkMemory;
}

class S3CONN_API Chunk {
public:
    Chunk() = default;
    Chunk(std::shared_ptr<const detail::ChunkMemory> memory, const std::uint8_t* data, std::size_t size,
          std::uint64_t offset)
        : memory_(std::move(memory)), data_(data), size_(size), offset_(offset) {}

    const std::uint8_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    // Position of data()[0] in the object.
    std::uint64_t offset() const noexcept { return offset_; }

    // The bytes [from, from + count) of this chunk, sharing its memory.
    Chunk slice(std::size_t from, std::size_t count) const;
    Chunk slice(std::size_t from) const { return slice(from, size_ - (from < size_ ? from : size_)); }

private:
    std::shared_ptr<const detail::ChunkMemory> memory_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::uint64_t offset_ = 0;
};

// Bytes libs3conn has copied out of network buffers in this process. The
// zero-copy paths (Chunk) add nothing; read_into and fallbacks add what they
// copy. Tests use it to prove which paths copy.
S3CONN_API std::uint64_t bytes_copied();

// Adds to that count; for language bindings that copy out of chunks.
S3CONN_API void count_copied_bytes(std::size_t bytes);

}  // namespace s3conn
