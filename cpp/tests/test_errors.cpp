// Failures: what S3 refuses, what the network refuses, and what the caller
// abandons. Every error must say what failed and why.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "test_util.hpp"

using harness::pattern;
using harness::run_prefix;
using harness::target;

namespace {

s3conn::Client& client() {
    static s3conn::Client c(harness::config());
    return c;
}

const std::uint64_t kPart = 5 * s3conn::kMiB;

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

S3CONN_TEST(missing_key) {
    const std::string key = run_prefix() + "does-not-exist";
    auto error = EXPECT_S3_ERROR(testutil::get(client(), key));
    CHECK_EQ(error.code, std::string("NoSuchKey"));
    CHECK_EQ(error.http_status, 404);
    CHECK_EQ(error.operation, std::string("GetObject"));
    CHECK_EQ(error.bucket, target().bucket);
    CHECK_EQ(error.key, key);

    error = EXPECT_S3_ERROR(client().head_object(target().bucket, key));
    CHECK_EQ(error.http_status, 404);
    CHECK_EQ(error.code, std::string("NotFound"));  // HEAD responses carry no body

    std::uint8_t buffer[8];
    error = EXPECT_S3_ERROR(client().get_object_into(target().bucket, key, 0, buffer, sizeof buffer));
    CHECK_EQ(error.http_status, 404);

    try {
        testutil::get(client(), key);
    } catch (const s3conn::S3Error& e) {
        CHECK(e.is_not_found());
        CHECK(mentions(e.what(), "NoSuchKey"));
        CHECK(mentions(e.what(), key));
    }
}

S3CONN_TEST(missing_bucket) {
    const std::string bucket = "s3conn-no-such-bucket-" + std::to_string(::getpid());
    auto error = EXPECT_S3_ERROR(client().get_object({bucket, "k", std::nullopt, std::nullopt}).next());
    CHECK_EQ(error.code, std::string("NoSuchBucket"));
    CHECK_EQ(error.http_status, 404);

    s3conn::ListObjectsRequest request;
    request.bucket = bucket;
    error = EXPECT_S3_ERROR(client().list_objects(request));
    CHECK_EQ(error.code, std::string("NoSuchBucket"));

    auto stream = client().put_object({bucket, "k", "", ""});
    const auto data = pattern(10);
    stream.write(data.data(), data.size());
    error = EXPECT_S3_ERROR(stream.close());
    CHECK_EQ(error.code, std::string("NoSuchBucket"));
    CHECK_EQ(error.operation, std::string("PutObject"));
}

S3CONN_TEST(wrong_credentials) {
    s3conn::ClientConfig config = harness::config();
    config.credentials = s3conn::StaticCredentials{"AKIDNOTAREALKEY00000", "not-the-secret", ""};
    s3conn::Client wrong(config);
    auto error = EXPECT_S3_ERROR(testutil::get(wrong, run_prefix() + "anything"));
    CHECK_EQ(error.http_status, 403);
    CHECK(error.code == "InvalidAccessKeyId" || error.code == "SignatureDoesNotMatch" || error.code == "AccessDenied");
    CHECK(!error.code.empty());
    try {
        wrong.head_object(target().bucket, "k");
    } catch (const s3conn::S3Error& e) {
        CHECK(e.is_access_denied());
        CHECK(!mentions(e.what(), "not-the-secret"));  // secrets never appear in messages
    }
}

S3CONN_TEST(unknown_profile) {
    s3conn::ClientConfig config = harness::config();
    config.profile = "s3conn-profile-that-does-not-exist";
    s3conn::Client c(config);
    auto error = EXPECT_S3_ERROR(c.head_object(target().bucket, "k"));
    CHECK_EQ(error.code, std::string("CredentialsError"));
    CHECK(mentions(error.message, config.profile));
}

S3CONN_TEST(connection_refused) {
    // A port that was free a moment ago: nothing listens there.
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(s);

    s3conn::ClientConfig config = harness::config();
    config.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    config.max_attempts = 2;
    s3conn::Client c(config);
    auto error = EXPECT_S3_ERROR(c.head_object("bucket", "key"));
    CHECK_EQ(error.code, std::string("ConnectionRefused"));
    CHECK_EQ(error.http_status, 0);
    CHECK(mentions(error.crt_error, "CONNECTION_REFUSED"));
}

S3CONN_TEST(aborted_multipart_upload_leaves_no_object) {
    const std::string key = run_prefix() + "aborted";
    const auto data = pattern(2 * kPart + 1);
    {
        auto stream = client().put_object({target().bucket, key, "", ""});
        stream.write(data.data(), data.size());  // multipart is under way
        stream.abort();
        CHECK_THROWS_AS(stream.write(data.data(), 1), std::logic_error);
        CHECK_THROWS_AS(stream.close(), std::logic_error);
    }
    {
        auto stream = client().put_object({target().bucket, key, "", ""});
        stream.write(data.data(), data.size());
    }  // destroyed without close(): also an abort
    {
        auto stream = client().put_object({target().bucket, key, "", ""});
        stream.write(data.data(), 100);
    }  // a buffered single-part upload is simply dropped
    auto error = EXPECT_S3_ERROR(client().head_object(target().bucket, key));
    CHECK_EQ(error.http_status, 404);

    // An aborted upload does not touch what was there before.
    testutil::put(client(), key, pattern(77));
    {
        auto stream = client().put_object({target().bucket, key, "", ""});
        stream.write(data.data(), data.size());
        stream.abort();
    }
    CHECK(testutil::get(client(), key) == pattern(77));
}

S3CONN_TEST(closed_stream_rejects_use) {
    const std::string key = run_prefix() + "closed";
    auto stream = client().put_object({target().bucket, key, "", ""});
    stream.close();
    CHECK_THROWS_AS(stream.write(nullptr, 0), std::logic_error);
    CHECK_THROWS_AS(stream.close(), std::logic_error);
    stream.abort();  // a no-op once closed
    CHECK(testutil::get(client(), key).empty());
}

struct Interrupted {};

S3CONN_TEST(interrupt_check_cancels_a_stalled_request) {
    // A listener that never answers: the request waits until interrupted.
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(s, 16) == 0);
    socklen_t length = sizeof address;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);

    s3conn::ClientConfig config = harness::config();
    config.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    config.credentials = s3conn::StaticCredentials{"AK", "SK", ""};
    config.max_attempts = 1;
    s3conn::Client c(config);

    const auto start = std::chrono::steady_clock::now();
    s3conn::set_interrupt_check([start] {
        if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(300)) throw Interrupted{};
    });
    bool interrupted = false;
    try {
        auto stream = c.get_object({"bucket", "key", std::nullopt, std::nullopt});
        stream.next();
    } catch (const Interrupted&) {
        interrupted = true;
    }
    s3conn::set_interrupt_check({});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(interrupted);
    CHECK(elapsed < std::chrono::seconds(3));
    ::close(s);
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, true); }
