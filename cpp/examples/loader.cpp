// A small data loader on libs3conn: lists a prefix and reads every object,
// keeping several downloads in flight on one thread, the way a C++ training
// input pipeline would. Prints what it read and the client's metrics.
//
//   loader s3://bucket/prefix/ [in_flight=16]
//
// The endpoint, region and credentials come from the environment
// (AWS_ENDPOINT_URL_S3 or S3CONN_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, ...).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

#include <s3conn/s3conn.hpp>

namespace {

struct Location {
    std::string bucket;
    std::string prefix;
};

Location parse(const std::string& uri) {
    if (uri.rfind("s3://", 0) != 0) throw std::invalid_argument("expected s3://bucket/prefix, got " + uri);
    const auto rest = uri.substr(5);
    const auto slash = rest.find('/');
    return {rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s s3://bucket/prefix/ [in_flight]\n", argv[0]);
        return 2;
    }
    try {
        const Location where = parse(argv[1]);
        const std::size_t in_flight = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 16;

        s3conn::ClientConfig config;
        if (const char* endpoint = std::getenv("S3CONN_ENDPOINT")) config.endpoint = endpoint;
        if (const char* region = std::getenv("S3CONN_REGION")) config.region = region;
        s3conn::Client client(config);

        const auto start = std::chrono::steady_clock::now();
        std::deque<s3conn::GetObjectStream> open;
        std::size_t objects = 0;
        std::uint64_t bytes = 0;
        s3conn::ListObjectsRequest listing;
        listing.bucket = where.bucket;
        listing.prefix = where.prefix;
        auto drain_oldest = [&] {
            while (auto chunk = open.front().next()) bytes += chunk->size();  // no copy: chunk views CRT buffers
            open.pop_front();
            ++objects;
        };
        for (;;) {
            const auto page = client.list_objects(listing);
            for (const auto& object : page.objects) {
                if (open.size() == in_flight) drain_oldest();
                open.push_back(client.get_object({where.bucket, object.key, std::nullopt, object.size}));
            }
            if (page.next_continuation_token.empty()) break;
            listing.continuation_token = page.next_continuation_token;
        }
        while (!open.empty()) drain_oldest();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        const s3conn::MetricsSnapshot m = client.metrics();
        std::printf("read %zu objects, %.1f MiB in %.2f s (%.0f objects/s)\n", objects, bytes / 1048576.0, seconds,
                    objects / seconds);
        std::printf("requests:");
        for (const auto& [operation, count] : m.requests)
            std::printf(" %s=%llu", operation.c_str(), static_cast<unsigned long long>(count));
        std::printf(
            "\nretries=%llu throttles=%llu errors=%llu first-byte mean %.2f ms\n",
            static_cast<unsigned long long>(m.retries), static_cast<unsigned long long>(m.throttles),
            static_cast<unsigned long long>(m.errors),
            m.first_byte_latency.count ? m.first_byte_latency.total_us / 1000.0 / m.first_byte_latency.count : 0.0);
        return objects > 0 ? 0 : 1;
    } catch (const s3conn::S3Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
