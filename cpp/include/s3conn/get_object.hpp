// Streaming download of one object, or of a byte range of it.
#pragma once

#include "s3conn/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "s3conn/chunk.hpp"
#include "s3conn/objects.hpp"

namespace s3conn {

struct GetObjectRequest {
    std::string bucket;
    std::string key;
    std::optional<ByteRange> range;
    // The object's size when the caller already knows it (from a listing), so
    // that a small object costs exactly one request and a right-sized buffer.
    std::optional<std::uint64_t> size_hint;
    // The version this request must read (see VersionPin); none: whatever
    // version the first response carries, kept for this request's own parts.
    // A size_hint that disagrees with the object's size then also fails with
    // "ObjectChanged" (a listing older than the object).
    std::shared_ptr<VersionPin> version;
};

namespace detail {
class GetObjectState;
}

// Chunks arrive in object order. The download runs ahead of the consumer by at
// most the client's read_ahead_bytes; taking a chunk opens the window again.
// Destroying an unfinished stream cancels the download.
//
// A stream is used by one thread at a time.
class S3CONN_API GetObjectStream {
public:
    explicit GetObjectStream(std::shared_ptr<detail::GetObjectState> state);
    GetObjectStream(GetObjectStream&&) noexcept;
    GetObjectStream& operator=(GetObjectStream&&) noexcept;
    ~GetObjectStream();

    const std::string& bucket() const;
    const std::string& key() const;

    // The next chunk, without copying; std::nullopt at the end. Blocks until
    // one arrives; throws S3Error if the download failed.
    std::optional<Chunk> next();

    // Copies up to `size` bytes into `destination` straight from the network
    // buffers and returns how many; fewer only at the end of the object.
    std::size_t read_into(std::uint8_t* destination, std::size_t size);

    // Object position of the next byte next() or read_into() will return.
    std::uint64_t position() const;

    // The ETag of the version being read (without quotes); empty until the
    // first response has arrived.
    std::string etag() const;

    // The whole object's size, from the first response (waits for it, so a
    // reader need not send a HeadObject); std::nullopt for an empty range.
    // Throws S3Error if the request failed.
    std::optional<std::uint64_t> object_size();

    // Lets the download run up to `bytes` ahead of the consumer (never less
    // than the client's read_ahead_bytes). A reader that keeps what it reads
    // anyway can ask for the whole object: every part is then requested at
    // once. Without this, the read-ahead still grows, up to 6 parts (within
    // an eighth of the memory limit), while the consumer has to wait.
    void set_read_ahead(std::uint64_t bytes);

    // Stops the download; later calls to next() throw a "Cancelled" S3Error.
    void cancel();

    // Whether the download is over (every byte received, or failed): reading
    // the rest will not wait for the network.
    bool done() const;

private:
    std::shared_ptr<detail::GetObjectState> state_;
};

}  // namespace s3conn
