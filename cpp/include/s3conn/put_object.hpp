// Streaming upload of one object.
#pragma once

#include "s3conn/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace s3conn {

struct PutObjectRequest {
    std::string bucket;
    std::string key;
    std::string storage_class;  // empty: the bucket's default
    std::string content_type;   // empty: none sent
};

struct PutObjectResult {
    std::string etag;
    std::uint64_t size = 0;
    bool multipart = false;
};

namespace detail {
class PutObjectState;
}

// Bytes are buffered until they exceed one part; an object that stays within
// part_size is sent as one PutObject at close(), a larger one as a multipart
// upload that streams parts while the caller writes.
//
// Nothing becomes visible before close() succeeds. abort(), any failure, or
// destroying a stream that was not closed cancels the upload, and a multipart
// upload is aborted on the server: no partial object is ever created.
//
// A stream is used by one thread at a time.
class S3CONN_API PutObjectStream {
public:
    explicit PutObjectStream(std::shared_ptr<detail::PutObjectState> state);
    PutObjectStream(PutObjectStream&&) noexcept;
    PutObjectStream& operator=(PutObjectStream&&) noexcept;
    ~PutObjectStream();

    const std::string& bucket() const;
    const std::string& key() const;

    // Appends bytes; blocks while the upload is behind. Throws S3Error if the
    // upload has failed, std::logic_error after close() or abort().
    void write(const std::uint8_t* data, std::size_t size);

    // Finishes the upload and waits for S3 to confirm it.
    PutObjectResult close();

    // Cancels the upload and waits until a multipart upload is aborted on the
    // server; a no-op once closed or aborted.
    void abort() noexcept;

    std::uint64_t bytes_written() const;
    bool closed() const;

private:
    std::shared_ptr<detail::PutObjectState> state_;
};

}  // namespace s3conn
