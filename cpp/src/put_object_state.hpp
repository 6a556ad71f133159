// The state machine behind PutObjectStream.
//
//   buffering --(more than part_size written)--> multipart --close--> done
//       |                                            |
//       +--------------close: one PutObject----------+--> done
//   any state --abort / failure / interrupt--> failed (nothing created)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "operation.hpp"
#include "s3conn/put_object.hpp"

namespace s3conn::detail {

class PutObjectState {
public:
    PutObjectState(std::shared_ptr<CrtStack> stack, PutObjectRequest request);
    ~PutObjectState();

    const PutObjectRequest& request() const { return request_; }
    void write(const std::uint8_t* data, std::size_t size);
    PutObjectResult close();
    void abort() noexcept;
    std::uint64_t bytes_written() const { return bytes_written_; }
    bool closed() const { return phase_ == Phase::kDone; }

private:
    enum class Phase { kBuffering, kMultipart, kDone, kFailed };
    class Upload;

    void start_multipart();
    // Feeds bytes to the multipart upload, waiting while it is behind.
    void feed(const std::uint8_t* data, std::size_t size, bool eof);
    [[noreturn]] void fail_with_upload_error();
    void check_usable() const;

    std::shared_ptr<CrtStack> stack_;
    PutObjectRequest request_;
    Phase phase_ = Phase::kBuffering;
    std::vector<std::uint8_t> buffer_;  // the first part, while buffering
    std::shared_ptr<Upload> upload_;
    std::uint64_t bytes_written_ = 0;
    std::uint32_t crc32c_ = 0;  // of everything written, when uploads carry checksums
};

}  // namespace s3conn::detail
