// Helpers shared by the server-backed C++ tests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace testutil {

using Bytes = std::vector<std::uint8_t>;

inline void put(s3conn::Client& client, const std::string& key, const Bytes& data, std::size_t write_size = 1 << 20) {
    auto stream = client.put_object({harness::target().bucket, key, "", ""});
    for (std::size_t at = 0; at < data.size(); at += write_size) {
        stream.write(data.data() + at, std::min(write_size, data.size() - at));
    }
    stream.close();
}

inline Bytes get(s3conn::Client& client, const std::string& key, std::optional<s3conn::ByteRange> range = std::nullopt,
                 std::optional<std::uint64_t> size_hint = std::nullopt) {
    auto stream = client.get_object({harness::target().bucket, key, range, size_hint});
    Bytes out;
    while (auto chunk = stream.next()) {
        out.insert(out.end(), chunk->data(), chunk->data() + chunk->size());
    }
    return out;
}

// Runs `fn`, expecting an S3Error; returns it (or a default one, after
// recording a failure, if nothing was thrown).
inline s3conn::ErrorDetails expect_s3_error(const std::function<void()>& fn, const char* file, int line) {
    try {
        fn();
    } catch (const s3conn::S3Error& e) {
        return e.details();
    }
    harness::fail(file, line, "expected an S3Error", false);
    return {};
}

}  // namespace testutil

#define EXPECT_S3_ERROR(...) testutil::expect_s3_error([&] { __VA_ARGS__; }, __FILE__, __LINE__)
