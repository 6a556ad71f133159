// Round trips through every object operation against a real server.
#include <atomic>
#include <memory>
#include <thread>

#include "test_util.hpp"

using harness::pattern;
using harness::run_prefix;
using harness::target;
using testutil::Bytes;

namespace {

s3conn::Client& client() {
    static s3conn::Client c(harness::config());
    return c;
}

const std::uint64_t kPart = 5 * s3conn::kMiB;

}  // namespace

S3CONN_TEST(put_and_get_across_part_boundaries) {
    for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, kPart - 1, kPart, kPart + 1, 3 * kPart}) {
        const std::string key = run_prefix() + "sizes/" + std::to_string(size);
        const Bytes data = pattern(size, static_cast<std::uint32_t>(size));
        testutil::put(client(), key, data);
        CHECK(testutil::get(client(), key) == data);
        CHECK(testutil::get(client(), key, std::nullopt, size) == data);  // with the listed size as a hint
        CHECK_EQ(client().head_object(target().bucket, key).size, size);
    }
}

S3CONN_TEST(small_writes_build_a_multipart_object) {
    const std::string key = run_prefix() + "many-writes";
    const Bytes data = pattern(2 * kPart + 12345, 7);
    auto stream = client().put_object({target().bucket, key, "", ""});
    for (std::size_t at = 0; at < data.size(); at += 4096) {
        stream.write(data.data() + at, std::min<std::size_t>(4096, data.size() - at));
    }
    CHECK_EQ(stream.bytes_written(), data.size());
    const s3conn::PutObjectResult result = stream.close();
    CHECK(result.multipart);
    CHECK(stream.closed());
    CHECK(testutil::get(client(), key) == data);
}

S3CONN_TEST(single_put_reports_its_etag) {
    const std::string key = run_prefix() + "etag";
    auto stream = client().put_object({target().bucket, key, "", ""});
    const Bytes data = pattern(1000);
    stream.write(data.data(), data.size());
    const s3conn::PutObjectResult result = stream.close();
    CHECK(!result.multipart);
    CHECK(!result.etag.empty());
    CHECK_EQ(client().head_object(target().bucket, key).etag, result.etag.substr(result.etag.front() == '"', 32));
}

S3CONN_TEST(ranged_gets) {
    const std::string key = run_prefix() + "ranged";
    const Bytes data = pattern(kPart + 100, 3);
    testutil::put(client(), key, data);
    auto slice = [&](std::uint64_t a, std::uint64_t b) { return Bytes(data.begin() + a, data.begin() + b); };

    CHECK(testutil::get(client(), key, s3conn::ByteRange{10, 20}) == slice(10, 20));
    CHECK(testutil::get(client(), key, s3conn::ByteRange{data.size() - 1, data.size()}) ==
          slice(data.size() - 1, data.size()));  // the last byte
    CHECK(testutil::get(client(), key, s3conn::ByteRange{kPart - 5, kPart + 5}) == slice(kPart - 5, kPart + 5));
    CHECK(testutil::get(client(), key, s3conn::ByteRange{100, std::nullopt}) == slice(100, data.size()));
    // An end past the object is cut at the object's end, as HTTP does.
    CHECK(testutil::get(client(), key, s3conn::ByteRange{data.size() - 3, data.size() + 1000}) ==
          slice(data.size() - 3, data.size()));
    // A zero-length range needs no request at all.
    CHECK(testutil::get(client(), key, s3conn::ByteRange{50, 50}).empty());

    // A range that starts past the end is S3's InvalidRange.
    auto error = EXPECT_S3_ERROR(testutil::get(client(), key, s3conn::ByteRange{data.size() + 10, data.size() + 20}));
    CHECK_EQ(error.http_status, 416);
    CHECK_EQ(error.code, std::string("InvalidRange"));
}

S3CONN_TEST(ranged_get_of_an_empty_object) {
    const std::string key = run_prefix() + "empty-for-range";
    testutil::put(client(), key, {});
    CHECK(testutil::get(client(), key).empty());
    auto error = EXPECT_S3_ERROR(testutil::get(client(), key, s3conn::ByteRange{0, 10}));
    CHECK_EQ(error.http_status, 416);
    std::uint8_t buffer[16];
    CHECK_EQ(client().get_object_into(target().bucket, key, 0, buffer, sizeof buffer), std::size_t{0});
}

S3CONN_TEST(get_into_a_caller_buffer) {
    const std::string key = run_prefix() + "into";
    const Bytes data = pattern(2 * kPart + 77, 11);
    testutil::put(client(), key, data);

    Bytes whole(data.size());
    CHECK_EQ(client().get_object_into(target().bucket, key, 0, whole.data(), whole.size()), data.size());
    CHECK(whole == data);

    Bytes middle(kPart);
    CHECK_EQ(client().get_object_into(target().bucket, key, 1000, middle.data(), middle.size()), middle.size());
    CHECK(Bytes(data.begin() + 1000, data.begin() + 1000 + kPart) == middle);

    Bytes tail(500);
    const std::size_t n = client().get_object_into(target().bucket, key, data.size() - 100, tail.data(), tail.size());
    CHECK_EQ(n, std::size_t{100});
    CHECK(Bytes(tail.begin(), tail.begin() + 100) == Bytes(data.end() - 100, data.end()));

    CHECK_EQ(client().get_object_into(target().bucket, key, data.size() + 5, tail.data(), tail.size()), std::size_t{0});
}

S3CONN_TEST(read_into_mixes_with_chunks) {
    const std::string key = run_prefix() + "read-into";
    const Bytes data = pattern(kPart + 999, 5);
    testutil::put(client(), key, data);
    auto stream = client().get_object({target().bucket, key, std::nullopt, std::nullopt});
    Bytes out(1234);
    CHECK_EQ(stream.read_into(out.data(), out.size()), out.size());
    CHECK_EQ(stream.position(), std::uint64_t{1234});
    while (auto chunk = stream.next()) {
        out.insert(out.end(), chunk->data(), chunk->data() + chunk->size());
    }
    CHECK(out == data);
    CHECK_EQ(stream.read_into(out.data(), 10), std::size_t{0});
}

S3CONN_TEST(keys_with_special_characters) {
    const char* names[] = {"with space",    "unicode-\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
                           "plus+sign",     "per%cent",
                           "question?mark", "hash#tag",
                           "equals=sign",   "double//slash",
                           "amp&ersand",    "tilde~"};
    for (const char* name : names) {
        const std::string key = run_prefix() + "special/" + name;
        const Bytes data = pattern(100 + key.size(), static_cast<std::uint32_t>(key.size()));
        testutil::put(client(), key, data);
        CHECK(testutil::get(client(), key) == data);
        CHECK_EQ(client().head_object(target().bucket, key).size, data.size());
    }
    s3conn::ListObjectsRequest request;
    request.bucket = target().bucket;
    request.prefix = run_prefix() + "special/";
    const auto page = client().list_objects(request);
    CHECK_EQ(page.objects.size(), std::size(names));
    for (const char* name : names) {
        bool found = false;
        // SeaweedFS stores keys as file paths and lists "a//b" as "a/b";
        // AWS S3 keeps the key as written. Accept either spelling.
        std::string collapsed = request.prefix + name;
        while (collapsed.find("//") != std::string::npos) collapsed.replace(collapsed.find("//"), 2, "/");
        for (const auto& object : page.objects) {
            found = found || object.key == request.prefix + name || object.key == collapsed;
        }
        if (!found) harness::fail(__FILE__, __LINE__, std::string("listing lacks ") + name, false);
    }
    // A prefix with special characters is encoded in the query string too.
    request.prefix = run_prefix() + "special/per%";
    CHECK_EQ(client().list_objects(request).objects.size(), std::size_t{1});
}

S3CONN_TEST(head_reports_metadata) {
    const std::string key = run_prefix() + "head";
    testutil::put(client(), key, pattern(4321));
    const s3conn::ObjectInfo info = client().head_object(target().bucket, key);
    CHECK_EQ(info.key, key);
    CHECK_EQ(info.size, std::uint64_t{4321});
    CHECK(!info.etag.empty());
    CHECK(info.etag.front() != '"');
    CHECK(info.last_modified > 1600000000);
}

S3CONN_TEST(delete_and_copy) {
    const std::string source = run_prefix() + "copy/source with space+plus";
    const std::string destination = run_prefix() + "copy/destination%é";
    const Bytes data = pattern(kPart + 3, 9);
    testutil::put(client(), source, data);
    client().copy_object(target().bucket, source, target().bucket, destination);
    CHECK(testutil::get(client(), destination) == data);

    client().delete_object(target().bucket, source);
    auto error = EXPECT_S3_ERROR(client().head_object(target().bucket, source));
    CHECK_EQ(error.http_status, 404);
    // Deleting what is not there succeeds, as in S3.
    client().delete_object(target().bucket, source);
    CHECK(testutil::get(client(), destination) == data);
}

S3CONN_TEST(chunks_outlive_stream_and_client) {
    const std::string key = run_prefix() + "lifetime";
    const Bytes data = pattern(kPart + 10, 21);
    testutil::put(client(), key, data);
    std::vector<s3conn::Chunk> chunks;
    {
        s3conn::Client short_lived(harness::config());
        auto stream = short_lived.get_object({target().bucket, key, std::nullopt, std::nullopt});
        while (auto chunk = stream.next()) chunks.push_back(*chunk);
    }  // stream and client gone
    Bytes joined;
    std::uint64_t expected_offset = 0;
    for (const auto& chunk : chunks) {
        CHECK_EQ(chunk.offset(), expected_offset);
        expected_offset += chunk.size();
        joined.insert(joined.end(), chunk.data(), chunk.data() + chunk.size());
    }
    CHECK(joined == data);
    const s3conn::Chunk part = chunks.front().slice(5, 10);
    CHECK_EQ(part.offset(), std::uint64_t{5});
    CHECK(Bytes(part.data(), part.data() + part.size()) == Bytes(data.begin() + 5, data.begin() + 15));
}

S3CONN_TEST(abandoned_stream_cancels_download) {
    const std::string key = run_prefix() + "abandoned";
    testutil::put(client(), key, pattern(3 * kPart));
    for (int i = 0; i < 5; ++i) {
        auto stream = client().get_object({target().bucket, key, std::nullopt, std::nullopt});
        auto first = stream.next();
        CHECK(first.has_value());
    }  // each stream is destroyed mid-download
    CHECK_EQ(testutil::get(client(), key).size(), 3 * kPart);
}

S3CONN_TEST(concurrent_clients_and_threads) {
    const std::string prefix = run_prefix() + "threads/";
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const std::string key = prefix + std::to_string(t) + "-" + std::to_string(i);
                const Bytes data = pattern(10000 + t * 100 + i, t * 10 + i);
                testutil::put(client(), key, data);
                if (testutil::get(client(), key) != data) ++mismatches;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK_EQ(mismatches.load(), 0);
}

S3CONN_TEST(metrics_count_what_happened) {
    s3conn::Client c(harness::config());
    const std::string key = run_prefix() + "metrics";
    const Bytes data = pattern(kPart + 5, 17);
    testutil::put(c, key, data);
    CHECK(testutil::get(c, key) == data);
    EXPECT_S3_ERROR(c.head_object(target().bucket, key + "-missing"));
    const s3conn::MetricsSnapshot m = c.metrics();
    CHECK_EQ(m.bytes_uploaded, data.size());
    CHECK_EQ(m.bytes_downloaded, data.size());
    CHECK_EQ(m.requests.at("UploadPart"), std::uint64_t{2});
    CHECK(m.requests.at("GetObject") >= 2);
    CHECK_EQ(m.requests.at("HeadObject"), std::uint64_t{1});
    CHECK(m.errors >= 1);
    CHECK(m.first_byte_latency.count >= 5);
    std::uint64_t in_buckets = 0;
    for (auto n : m.first_byte_latency.counts) in_buckets += n;
    CHECK_EQ(in_buckets, m.first_byte_latency.count);
    c.reset_metrics();
    CHECK(c.metrics().requests.empty());
    CHECK_EQ(c.metrics().bytes_downloaded, std::uint64_t{0});
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, true); }
