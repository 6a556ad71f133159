// Where to cut the rest of a listing so that its parts can be listed at once.
//
// ListObjectsV2 returns keys in order, a page at a time, each page a round
// trip: a prefix of 100,000 keys is 100 round trips in a row. Knowing nothing
// of the keys ahead, the pages already seen are the best guide: the first and
// last key of a page show which character positions vary (those after their
// common part), and the keys seen so far show which characters occur. The rest
// of the key space, after the page's last key, is cut where the next keys are
// likely to begin: at the position where the page's keys vary, then one and
// two positions before it, at each character that can follow there.
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
    void add(const std::string& key);

    bool seen(unsigned char c) const { return all_[c]; }
    bool seen_at(std::size_t position, unsigned char c) const { return position < at_.size() && at_[position][c]; }

private:
    std::bitset<256> all_;
    std::vector<std::bitset<256>> at_;
};

// Cut points for the keys after `last` (and up to `upper`, inclusive, when
// given), given a page that ran from `first` to `last`: strictly increasing,
// each greater than `last` and less than `upper`, at most `max_points`. A cut
// point p ends one range (keys <= p) and starts the next (keys > p, which is a
// ListObjectsV2 start-after). Positions before `prefix_length` (the listing's
// prefix) are never cut.
std::vector<std::string> split_points(const KeyAlphabet& alphabet, std::size_t prefix_length, const std::string& first,
                                      const std::string& last, const std::optional<std::string>& upper,
                                      std::size_t max_points);

}  // namespace s3conn::detail
