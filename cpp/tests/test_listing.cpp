// ListObjectsV2 paging, delimiters and continuation tokens.
#include <set>
#include <thread>

#include "test_util.hpp"

using harness::run_prefix;
using harness::target;

namespace {

s3conn::Client& client() {
    static s3conn::Client c(harness::config());
    return c;
}

const std::string& big_prefix() {
    static const std::string prefix = run_prefix() + "many/";
    return prefix;
}

constexpr int kManyKeys = 1105;

// 1,105 small objects, uploaded by a few threads.
void create_many_keys() {
    static bool done = false;
    if (done) return;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([t] {
            for (int i = t; i < kManyKeys; i += 8) {
                char name[32];
                std::snprintf(name, sizeof name, "%05d", i);
                const std::string dir = i % 5 == 0 ? "sub/" : "";
                testutil::put(client(), big_prefix() + dir + name, {static_cast<std::uint8_t>(i)});
            }
        });
    }
    for (auto& thread : threads) thread.join();
    done = true;
}

}  // namespace

S3CONN_TEST(listing_pages_through_more_than_a_thousand_keys) {
    create_many_keys();
    s3conn::ListObjectsRequest request;
    request.bucket = target().bucket;
    request.prefix = big_prefix();
    std::set<std::string> keys;
    int pages = 0;
    for (;;) {
        const auto page = client().list_objects(request);
        ++pages;
        for (const auto& object : page.objects) {
            CHECK(keys.insert(object.key).second);
            CHECK_EQ(object.size, std::uint64_t{1});
        }
        if (page.next_continuation_token.empty()) break;
        request.continuation_token = page.next_continuation_token;
    }
    CHECK_EQ(keys.size(), std::size_t{kManyKeys});
    CHECK(pages >= 2);
}

S3CONN_TEST(listing_with_a_delimiter) {
    create_many_keys();
    s3conn::ListObjectsRequest request;
    request.bucket = target().bucket;
    request.prefix = big_prefix();
    request.delimiter = "/";
    std::size_t objects = 0;
    std::vector<std::string> prefixes;
    for (;;) {
        const auto page = client().list_objects(request);
        objects += page.objects.size();
        prefixes.insert(prefixes.end(), page.common_prefixes.begin(), page.common_prefixes.end());
        if (page.next_continuation_token.empty()) break;
        request.continuation_token = page.next_continuation_token;
    }
    CHECK_EQ(objects, std::size_t{kManyKeys - (kManyKeys + 4) / 5});
    REQUIRE(prefixes.size() == 1);
    CHECK_EQ(prefixes[0], big_prefix() + "sub/");
}

S3CONN_TEST(listing_resumes_from_a_token) {
    create_many_keys();
    s3conn::ListObjectsRequest request;
    request.bucket = target().bucket;
    request.prefix = big_prefix();
    request.max_keys = 100;
    const auto first = client().list_objects(request);
    CHECK_EQ(first.objects.size(), std::size_t{100});
    REQUIRE(first.is_truncated);
    REQUIRE(!first.next_continuation_token.empty());

    // A different client resuming with the token continues where the first left off.
    s3conn::Client other(harness::config());
    request.continuation_token = first.next_continuation_token;
    const auto second = other.list_objects(request);
    REQUIRE(!second.objects.empty());
    CHECK(second.objects.front().key > first.objects.back().key);
    CHECK_EQ(second.objects.size(), std::size_t{100});

    // StartAfter skips everything up to a key.
    s3conn::ListObjectsRequest after;
    after.bucket = target().bucket;
    after.prefix = big_prefix();
    after.max_keys = 3;
    after.start_after = first.objects[49].key;
    const auto third = client().list_objects(after);
    REQUIRE(third.objects.size() == 3);
    CHECK_EQ(third.objects[0].key, first.objects[50].key);
}

// What a listing of every page returns, in order.
std::vector<std::string> keys_page_by_page(const std::string& prefix) {
    std::vector<std::string> keys;
    s3conn::ListObjectsPaginator pages(client(), s3conn::ListObjectsRequest{target().bucket, prefix, "", 1000, "", ""});
    while (auto page = pages.next()) {
        for (const auto& object : page->objects) keys.push_back(object.key);
    }
    return keys;
}

S3CONN_TEST(listing_everything_over_key_ranges_finds_each_key_once_in_order) {
    create_many_keys();
    const std::vector<std::string> expected = keys_page_by_page(big_prefix());
    REQUIRE(expected.size() == std::size_t{kManyKeys});
    // Small pages make many ranges, cuts within cuts and ranges taken over;
    // one request at a time lists page by page.
    for (std::uint32_t in_flight : {1u, 4u, 16u}) {
        for (std::uint32_t page_size : {7u, 100u, 1000u}) {
            s3conn::Client fresh(harness::config());
            const auto objects = s3conn::list_all_objects(fresh, target().bucket, big_prefix(), {in_flight, page_size});
            std::vector<std::string> keys;
            for (const auto& object : objects) {
                keys.push_back(object.key);
                CHECK_EQ(object.size, std::uint64_t{1});
            }
            CHECK(keys == expected);
            const auto requests = fresh.metrics().requests;
            const std::uint64_t lists = requests.count("ListObjectsV2") ? requests.at("ListObjectsV2") : 0;
            const std::uint64_t pages = (kManyKeys + page_size - 1) / page_size;
            if (in_flight == 1) CHECK_EQ(lists, pages);  // exactly the pages, as before
            // Ranges that turn out empty cost a request each, never a flood.
            CHECK(lists >= pages && lists <= 2 * pages + 2 * in_flight);
        }
    }
}

S3CONN_TEST(listing_everything_of_a_small_or_empty_prefix_is_one_request) {
    create_many_keys();
    s3conn::Client fresh(harness::config());
    const auto objects = s3conn::list_all_objects(fresh, target().bucket, big_prefix() + "sub/");
    CHECK_EQ(objects.size(), std::size_t{(kManyKeys + 4) / 5});
    CHECK(s3conn::list_all_objects(fresh, target().bucket, run_prefix() + "nothing-here/").empty());
    const s3conn::MetricsSnapshot metrics = fresh.metrics();
    CHECK_EQ(metrics.requests.at("ListObjectsV2"), std::uint64_t{2});
    CHECK_THROWS_AS(s3conn::list_all_objects(fresh, target().bucket, "", {0, 1000}), std::invalid_argument);
}

S3CONN_TEST(empty_listing) {
    s3conn::ListObjectsRequest request;
    request.bucket = target().bucket;
    request.prefix = run_prefix() + "nothing-here/";
    const auto page = client().list_objects(request);
    CHECK(page.objects.empty());
    CHECK(page.common_prefixes.empty());
    CHECK(!page.is_truncated);
    CHECK(page.next_continuation_token.empty());
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, true); }
