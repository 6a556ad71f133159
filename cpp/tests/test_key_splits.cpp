// Where a listing is cut into ranges (key_splits.hpp): a table of the key
// shapes datasets have, and the rules every cut must keep, on random keys.
// No server needed.
#include <aws/common/encoding.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "harness.hpp"
#include "key_splits.hpp"

using s3conn::detail::KeyAlphabet;
using s3conn::detail::PageSeen;
using s3conn::detail::split_points;
using s3conn::detail::SplitLimits;

namespace {

std::string numbered(const char* format, int i) {
    char key[64];
    std::snprintf(key, sizeof key, format, i);
    return key;
}

// The alphabet of keys first..last made by `format`, as a listing of one
// page of them under a prefix of two characters would have seen.
KeyAlphabet alphabet_of(const char* format, int first, int last) {
    KeyAlphabet alphabet;
    for (int i = first; i <= last; ++i) alphabet.add(numbered(format, i), 2);
    return alphabet;
}

// Valid UTF-8 by RFC 3629 (no overlong forms, surrogates or values above
// U+10FFFF), as S3 takes keys.
bool valid_utf8(const std::string& text) {
    return aws_decode_utf8(aws_byte_cursor_from_array(text.data(), text.size()), nullptr) == AWS_OP_SUCCESS;
}

std::vector<std::string> expected(const std::string& stem, const std::string& characters) {
    std::vector<std::string> points;
    for (char c : characters) points.push_back(stem + c);
    return points;
}

// Limits with no size rule: cut where the page's keys vary.
SplitLimits at_most(std::size_t max_points, std::size_t prefix_length,
                    std::optional<std::string> upper = std::nullopt) {
    return SplitLimits{prefix_length, 1, max_points, std::move(upper)};
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
    const PageSeen page{"p/sample-000001", "p/sample-001000", 1000};
    const auto points = split_points(alphabet, page, at_most(64, 2));
    CHECK(points == concat({expected("p/sample-00", "23456789"), expected("p/sample-0", "123456789"),
                            expected("p/sample-", "123456789")}));

    // At most max_points, the nearest first; never at or past the upper bound.
    CHECK(split_points(alphabet, page, at_most(3, 2)) == expected("p/sample-00", "234"));
    CHECK(split_points(alphabet, page, at_most(64, 2, "p/sample-005")) == expected("p/sample-00", "234"));
    CHECK(split_points(alphabet, page, at_most(64, 2, "p/sample-002")).empty());
}

S3CONN_TEST(units_too_small_for_a_few_pages_are_not_cut_at) {
    // Units of the varying position hold 100 keys, one position before 1,000,
    // two before 10,000: with 3,000 keys a range, cut from there on.
    const KeyAlphabet alphabet = alphabet_of("k/%07d", 0, 999);
    const auto points = split_points(alphabet, {"k/0000000", "k/0000999", 1000}, SplitLimits{2, 3000, 64, {}});
    CHECK(points == concat({expected("k/00", "123456789"), expected("k/0", "123456789"), expected("k/", "123456789")}));

    // Hashed names, the first page of 65,536: it spans 4 hex digits at its
    // varying position (250 keys each); one position before, a unit is 16
    // times that, and every hex digit can occur there, though only "0" did.
    const KeyAlphabet hex = alphabet_of("h/%04x", 0, 999);
    const auto coarse = split_points(hex, {"h/0000", "h/03e7", 1000}, SplitLimits{2, 3000, 64, {}});
    CHECK(coarse == expected("h/", "123456789abcdef"));
}

S3CONN_TEST(hexadecimal_keys_are_cut_at_every_hex_digit_seen_there) {
    KeyAlphabet alphabet;
    for (int i = 0; i < 4096; i += 7) alphabet.add(numbered("d/%04x", i), 2);  // 0000 ... 0ffc
    const auto points = split_points(alphabet, {"d/0000", "d/03f0", 585}, at_most(64, 2));
    // Position 3 varies (0 to 3); positions 3 and 4 have seen every hex digit,
    // position 2 only '0'; but digits and letters were seen side by side, so
    // any hex digit can follow there too.
    CHECK(points == concat({expected("d/0", "456789abcdef"), expected("d/", "123456789abcdef")}));
}

S3CONN_TEST(the_prefix_is_never_cut) {
    const KeyAlphabet alphabet = alphabet_of("p/sample-%06d", 1, 1000);
    const std::string prefix = "p/sample-00";
    const PageSeen page{"p/sample-000001", "p/sample-001000", 1000};
    CHECK(split_points(alphabet, page, at_most(64, prefix.size())) == expected("p/sample-00", "23456789"));
    CHECK(split_points(alphabet, page, at_most(64, 15)).empty());
    // With a size rule too: the first position it would cut at is in the
    // prefix, so it cuts just after it.
    CHECK(split_points(alphabet, page, SplitLimits{prefix.size(), 1'000'000, 64, std::nullopt}) ==
          expected("p/sample-00", "23456789"));
}

S3CONN_TEST(one_key_pages_and_empty_keys_give_no_nonsense) {
    KeyAlphabet alphabet;
    alphabet.add("key-1");  // no prefix: its letters count
    // A page of one key: nothing else seen, nothing to cut at.
    CHECK(split_points(alphabet, {"key-1", "key-1", 1}, at_most(64, 0)).empty());
    CHECK(split_points(alphabet, {"", "", 0}, at_most(64, 0)).empty());
    CHECK(split_points(alphabet, {"key-1", "key-1", 1}, at_most(0, 0)).empty());
    alphabet.add("key-2");
    CHECK(split_points(alphabet, {"key-1", "key-1", 1}, at_most(64, 0)) == std::vector<std::string>{"key-2"});
}

S3CONN_TEST(bytes_above_ascii_are_ordered_as_s3_orders_them_and_cut_only_between_characters) {
    // S3 orders keys by UTF-8 bytes: "é" (C3 A9) and "ü" (C3 BC) come after
    // "z". After "a": "z", seen there; not C3 alone, half a character (S3
    // takes start-after as a key); after "é": "ü", its last byte cut at.
    KeyAlphabet alphabet;
    for (const char* key : {"t/a", "t/z", "t/\xc3\xa9", "t/\xc3\xbc"}) alphabet.add(key, 2);
    CHECK(split_points(alphabet, {"t/a", "t/a", 1}, at_most(64, 2)) == std::vector<std::string>{"t/z"});
    CHECK(split_points(alphabet, {"t/\xc3\xa9", "t/\xc3\xa9", 1}, at_most(64, 2)) ==
          std::vector<std::string>{"t/\xc3\xbc"});

    // Digits where letters never were: no letter follows a digit, nor a
    // digit a letter.
    KeyAlphabet apart;
    for (const char* key : {"n/ab1", "n/ab2", "n/ac1"}) apart.add(key, 2);
    CHECK(split_points(apart, {"n/ab1", "n/ab1", 1}, at_most(64, 2)) ==
          (std::vector<std::string>{"n/ab2", "n/ac", "n/b", "n/c"}));
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
        for (const auto& key : keys) alphabet.add(key, prefix.size());
        const std::string& first = keys[random() % keys.size()];
        const std::string& last = std::max(first, keys[random() % keys.size()]);
        std::optional<std::string> upper;
        if (random() % 2 == 0) upper = last + characters[random() % characters.size()];
        const std::size_t max_points = random() % 40;
        const SplitLimits limits{prefix.size(), std::size_t{1} << (random() % 16), max_points, upper};
        const auto points = split_points(alphabet, {first, last, 1 + random() % 1000}, limits);
        CHECK(points.size() <= max_points);
        for (std::size_t i = 0; i < points.size(); ++i) {
            CHECK(points[i] > last);
            CHECK(!upper || points[i] < *upper);
            CHECK(i == 0 || points[i - 1] < points[i]);
            CHECK(points[i].compare(0, prefix.size(), prefix) == 0);
            CHECK(points[i].size() > prefix.size());
            CHECK(valid_utf8(points[i]));
        }
    }
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, false); }
