// Where a listing is cut into ranges (key_splits.hpp): a table of the key
// shapes datasets have, and the rules every cut must keep, on random keys.
// No server needed.
#include <algorithm>
#include <cstdio>
#include <random>

#include "harness.hpp"
#include "key_splits.hpp"

using s3conn::detail::KeyAlphabet;
using s3conn::detail::split_points;

namespace {

std::string numbered(const char* format, int i) {
    char key[64];
    std::snprintf(key, sizeof key, format, i);
    return key;
}

// The alphabet of keys first..last made by `format`, as a listing of one
// page of them would have seen.
KeyAlphabet alphabet_of(const char* format, int first, int last) {
    KeyAlphabet alphabet;
    for (int i = first; i <= last; ++i) alphabet.add(numbered(format, i));
    return alphabet;
}

std::vector<std::string> expected(const std::string& stem, const std::string& characters) {
    std::vector<std::string> points;
    for (char c : characters) points.push_back(stem + c);
    return points;
}

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
    std::vector<std::string> all;
    for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
}

}  // namespace

S3CONN_TEST(numbered_keys_are_cut_at_the_digit_that_varies_and_the_two_before) {
    // The first page of p/sample-000001 ... : up to p/sample-001000.
    const KeyAlphabet alphabet = alphabet_of("p/sample-%06d", 1, 1000);
    const auto points = split_points(alphabet, 2, "p/sample-000001", "p/sample-001000", std::nullopt, 64);
    CHECK(points == concat({expected("p/sample-00", "23456789"), expected("p/sample-0", "123456789"),
                            expected("p/sample-", "123456789")}));

    // At most max_points, the nearest first; never at or past the upper bound.
    CHECK(split_points(alphabet, 2, "p/sample-000001", "p/sample-001000", std::nullopt, 3) ==
          expected("p/sample-00", "234"));
    CHECK(split_points(alphabet, 2, "p/sample-000001", "p/sample-001000", std::string("p/sample-005"), 64) ==
          expected("p/sample-00", "234"));
    CHECK(split_points(alphabet, 2, "p/sample-000001", "p/sample-001000", std::string("p/sample-002"), 64).empty());
}

S3CONN_TEST(hexadecimal_keys_are_cut_at_every_hex_digit_seen_there) {
    KeyAlphabet alphabet;
    for (int i = 0; i < 4096; i += 7) alphabet.add(numbered("d/%04x", i));  // 0000 ... 0ffc
    const auto points = split_points(alphabet, 2, "d/0000", "d/03f0", std::nullopt, 64);
    // Position 3 varies (0 to 3); positions 3 and 4 have seen every hex digit,
    // position 2 only '0', so there only digits follow (the same kind).
    CHECK(points == concat({expected("d/0", "456789abcdef"), expected("d/", "123456789")}));
}

S3CONN_TEST(the_prefix_is_never_cut) {
    const KeyAlphabet alphabet = alphabet_of("p/sample-%06d", 1, 1000);
    const std::string prefix = "p/sample-00";
    const auto points = split_points(alphabet, prefix.size(), "p/sample-000001", "p/sample-001000", std::nullopt, 64);
    CHECK(points == expected("p/sample-00", "23456789"));
    CHECK(split_points(alphabet, 15, "p/sample-000001", "p/sample-001000", std::nullopt, 64).empty());
}

S3CONN_TEST(one_key_pages_and_empty_keys_give_no_nonsense) {
    KeyAlphabet alphabet;
    alphabet.add("key-1");
    // A page of one key: nothing else seen, nothing to cut at.
    CHECK(split_points(alphabet, 0, "key-1", "key-1", std::nullopt, 64).empty());
    CHECK(split_points(alphabet, 0, "", "", std::nullopt, 64).empty());
    CHECK(split_points(alphabet, 0, "key-1", "key-1", std::nullopt, 0).empty());
    alphabet.add("key-2");
    CHECK(split_points(alphabet, 0, "key-1", "key-1", std::nullopt, 64) == std::vector<std::string>{"key-2"});
}

S3CONN_TEST(bytes_above_ascii_are_ordered_as_s3_orders_them) {
    // S3 orders keys by UTF-8 bytes: "é" (C3 A9) comes after "z". After "a":
    // "t", a letter seen elsewhere; "z" and C3, seen there; not A9, seen
    // only after C3.
    KeyAlphabet alphabet;
    for (const char* key : {"t/a", "t/z", "t/\xc3\xa9"}) alphabet.add(key);
    const auto points = split_points(alphabet, 2, "t/a", "t/a", std::nullopt, 64);
    CHECK(points == (std::vector<std::string>{"t/t", "t/z", "t/\xc3"}));
}

S3CONN_TEST(cuts_keep_their_rules_on_random_keys) {
    std::mt19937 random(20261207);
    const std::string characters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_./~\x7f\xc3\xff";
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::string> keys(2 + random() % 50);
        const std::string prefix = round % 3 == 0 ? "" : "pre/";
        for (auto& key : keys) {
            key = prefix;
            const std::size_t length = 1 + random() % 12;
            for (std::size_t i = 0; i < length; ++i) key += characters[random() % characters.size()];
        }
        std::sort(keys.begin(), keys.end());
        KeyAlphabet alphabet;
        for (const auto& key : keys) alphabet.add(key);
        const std::string& first = keys[random() % keys.size()];
        const std::string& last = std::max(first, keys[random() % keys.size()]);
        std::optional<std::string> upper;
        if (random() % 2 == 0) upper = last + characters[random() % characters.size()];
        const std::size_t max_points = random() % 40;
        const auto points = split_points(alphabet, prefix.size(), first, last, upper, max_points);
        CHECK(points.size() <= max_points);
        for (std::size_t i = 0; i < points.size(); ++i) {
            CHECK(points[i] > last);
            CHECK(!upper || points[i] < *upper);
            CHECK(i == 0 || points[i - 1] < points[i]);
            CHECK(points[i].compare(0, prefix.size(), prefix) == 0);
            CHECK(points[i].size() > prefix.size());
        }
    }
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, false); }
