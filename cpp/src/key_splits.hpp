// Where to cut the rest of a listing so that its parts can be listed at once.
//
// ListObjectsV2 returns keys in order, a page at a time, each page a round
// trip: a prefix of 100,000 keys is 100 round trips in a row. Knowing nothing
// of the keys ahead, the pages already seen are the best guide: the first and
// last key of a page show which character positions vary (those after their
// common part), and the keys seen so far show which characters occur. The rest
// of the key space, after the page's last key, is cut where the next keys are
// likely to begin: at a position where one character's worth of keys (a unit)
// is likely to fill a few pages, then one and two positions before it, at
// each character that can occur there (one seen there, or one seen anywhere
// of a kind seen there: digits, lower and upper case letters and the rest are
// four kinds, and two kinds seen at one position, as digits and letters in
// hexadecimal names, are one). A unit's size
// is estimated from the page: at the position where its keys vary, the
// page's keys over the characters they span there; one position before, that
// times the characters that can occur at the position after.
//
// Why not cut finer: every range costs one request more than its keys need
// (its last page reaches into the next range, whose own request gets the same
// keys), so ranges of one page would double the requests.
//
// Keys that look nothing like the guess are still listed exactly once: cut
// points only divide the space into disjoint ranges, and a range that holds
// more than expected is cut again as it is listed (see parallel_listing.cpp).
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace s3conn::detail {

// The characters seen in keys, in all and at each position (bytes: S3 orders
// keys by their UTF-8 bytes).
class KeyAlphabet {
public:
    // Counts the characters of `key` from position `from` on (the listing's
    // prefix says nothing of the keys' alphabet).
    void add(const std::string& key, std::size_t from = 0);

    bool seen(unsigned char c) const { return all_[c]; }
    // Whether `a` and `b` are of one kind, or of two seen at one position.
    bool kin(unsigned char a, unsigned char b) const { return (kin_[kind_index(a)] & kind(b)) != 0; }
    bool seen_at(std::size_t position, unsigned char c) const { return position < at_.size() && at_[position][c]; }
    // How many of the characters in [low, high] were seen at `position`.
    std::size_t count_at(std::size_t position, unsigned char low, unsigned char high) const;

private:
    // The kind of a character (digit, lower or upper case letter, other): its
    // index, and its bit.
    static unsigned kind_index(unsigned char c);
    static unsigned kind(unsigned char c) { return 1u << kind_index(c); }

    std::bitset<256> all_;
    std::vector<std::bitset<256>> at_;
    std::vector<unsigned char> kinds_at_;                      // the kinds seen at each position
    unsigned char kin_[4] = {0b0001, 0b0010, 0b0100, 0b1000};  // by kind: the kinds akin to it
};

// A page of a listing, as far as cutting goes.
struct PageSeen {
    std::string first;  // its first and last key
    std::string last;
    std::size_t keys = 0;
};

struct SplitLimits {
    std::size_t prefix_length = 0;     // the listing's prefix, never cut
    std::size_t min_keys = 1;          // the fewest keys a unit should hold
    std::size_t max_points = 0;        // at most this many cut points
    std::optional<std::string> upper;  // the range's last key (inclusive), if any
};

// Cut points for the keys after `page.last` (up to `limits.upper`): strictly
// increasing, each greater than page.last and less than the upper bound, at
// most max_points, each valid UTF-8. A cut point p ends one range (keys <= p)
// and starts the next (keys > p, which is a ListObjectsV2 start-after).
std::vector<std::string> split_points(const KeyAlphabet& alphabet, const PageSeen& page, const SplitLimits& limits);

}  // namespace s3conn::detail
