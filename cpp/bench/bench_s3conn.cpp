// libs3conn on its own: how fast the C++ client reads small objects and one
// big object from the endpoint in S3CONN_ENDPOINT / S3CONN_BUCKET, with no
// Python in the way. Prints one JSON object.
//
//   bench_s3conn SMALL_PREFIX BIG_KEY [in_flight=16] [threads=16]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "s3conn/s3conn.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string env(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v != nullptr ? v : fallback;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<s3conn::ObjectInfo> list_all(s3conn::Client& client, const std::string& bucket, const std::string& prefix) {
    std::vector<s3conn::ObjectInfo> all;
    s3conn::ListObjectsRequest request;
    request.bucket = bucket;
    request.prefix = prefix;
    for (;;) {
        auto page = client.list_objects(request);
        all.insert(all.end(), page.objects.begin(), page.objects.end());
        if (page.next_continuation_token.empty()) return all;
        request.continuation_token = page.next_continuation_token;
    }
}

// One thread, `in_flight` streams open at once, drained oldest first: the
// shape of the Python dataset pipeline.
double small_pipelined(s3conn::Client& client, const std::string& bucket,
                       const std::vector<s3conn::ObjectInfo>& objects, std::size_t in_flight) {
    const auto start = Clock::now();
    std::deque<s3conn::GetObjectStream> open;
    std::size_t next = 0;
    std::uint64_t bytes = 0;
    while (next < objects.size() || !open.empty()) {
        while (next < objects.size() && open.size() < in_flight) {
            const auto& o = objects[next++];
            open.push_back(client.get_object({bucket, o.key, std::nullopt, o.size}));
        }
        while (auto chunk = open.front().next()) bytes += chunk->size();
        open.pop_front();
    }
    (void)bytes;
    return objects.size() / seconds_since(start);
}

// Many threads, each receiving whole objects into its own buffer.
double small_threads(s3conn::Client& client, const std::string& bucket, const std::vector<s3conn::ObjectInfo>& objects,
                     unsigned threads) {
    std::atomic<std::size_t> next{0};
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            std::vector<std::uint8_t> buffer;
            for (std::size_t i; (i = next++) < objects.size();) {
                buffer.resize(objects[i].size);
                client.get_object_into(bucket, objects[i].key, 0, buffer.data(), buffer.size());
            }
        });
    }
    for (auto& t : pool) t.join();
    return objects.size() / seconds_since(start);
}

double big_into(s3conn::Client& client, const std::string& bucket, const std::string& key, std::uint64_t size) {
    std::vector<std::uint8_t> buffer(size);
    const auto start = Clock::now();
    client.get_object_into(bucket, key, 0, buffer.data(), buffer.size());
    return size / seconds_since(start) / (1 << 20);
}

double big_stream(s3conn::Client& client, const std::string& bucket, const std::string& key, std::uint64_t size) {
    const auto start = Clock::now();
    auto stream = client.get_object({bucket, key, std::nullopt, size});
    std::uint64_t bytes = 0;
    while (auto chunk = stream.next()) bytes += chunk->size();
    return bytes / seconds_since(start) / (1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s SMALL_PREFIX BIG_KEY [in_flight] [threads]\n", argv[0]);
        return 2;
    }
    const std::string prefix = argv[1], big_key = argv[2];
    const std::size_t in_flight = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 16;
    const unsigned threads = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 16;
    s3conn::ClientConfig config;
    config.endpoint = env("S3CONN_ENDPOINT");
    config.region = env("S3CONN_REGION", "us-east-1");
    config.force_path_style = !config.endpoint.empty();
    const std::string bucket = env("S3CONN_BUCKET");
    s3conn::Client client(config);

    const auto objects = list_all(client, bucket, prefix);
    const auto big = client.head_object(bucket, big_key);
    small_pipelined(
        client, bucket,
        std::vector<s3conn::ObjectInfo>(objects.begin(), objects.begin() + std::min<std::size_t>(objects.size(), 256)),
        in_flight);  // warm-up: connections
    double pipelined = 0, threaded = 0, into = 0, streamed = 0;
    for (int rep = 0; rep < 3; ++rep) {
        pipelined = std::max(pipelined, small_pipelined(client, bucket, objects, in_flight));
        threaded = std::max(threaded, small_threads(client, bucket, objects, threads));
        into = std::max(into, big_into(client, bucket, big_key, big.size));
        streamed = std::max(streamed, big_stream(client, bucket, big_key, big.size));
    }
    std::printf(
        "{\"objects\": %zu, \"small_pipelined_objects_per_s\": %.1f, \"small_threads_objects_per_s\": %.1f, "
        "\"big_into_mib_per_s\": %.1f, \"big_stream_mib_per_s\": %.1f}\n",
        objects.size(), pipelined, threaded, into, streamed);
    return 0;
}
