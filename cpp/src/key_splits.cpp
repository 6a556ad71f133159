#include "key_splits.hpp"

#include <algorithm>

namespace s3conn::detail {
namespace {

// A character that never occurred at a position is still a likely successor
// there when it is of the same kind as the one that did: after "part-0..."
// comes "part-1...", after "a..." comes "b...".
enum class CharClass { kDigit, kLower, kUpper, kOther };

CharClass class_of(unsigned char c) {
    if (c >= '0' && c <= '9') return CharClass::kDigit;
    if (c >= 'a' && c <= 'z') return CharClass::kLower;
    if (c >= 'A' && c <= 'Z') return CharClass::kUpper;
    return CharClass::kOther;
}

// The position where a page's keys vary, and the two before it: cutting
// further back gives ranges so large that they are cut again anyway, and
// cutting at every position of a long key would send requests for ranges
// that are mostly empty.
constexpr std::size_t kPositions = 3;

}  // namespace

void KeyAlphabet::add(const std::string& key) {
    if (at_.size() < key.size()) at_.resize(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) {
        const auto c = static_cast<unsigned char>(key[i]);
        all_.set(c);
        at_[i].set(c);
    }
}

std::vector<std::string> split_points(const KeyAlphabet& alphabet, std::size_t prefix_length, const std::string& first,
                                      const std::string& last, const std::optional<std::string>& upper,
                                      std::size_t max_points) {
    std::vector<std::string> points;
    if (last.empty() || max_points == 0) return points;
    const auto varying = static_cast<std::size_t>(
        std::mismatch(first.begin(), first.end(), last.begin(), last.end()).second - last.begin());
    const std::size_t start = std::min(varying, last.size() - 1);
    // Points come out in increasing order: at one position by character, and
    // every point at a position is greater than all points at the next one.
    for (std::size_t step = 0; step < kPositions && start >= prefix_length + step; ++step) {
        const std::size_t position = start - step;
        const auto current = static_cast<unsigned char>(last[position]);
        for (unsigned c = current + 1u; c < 256u; ++c) {
            const auto next = static_cast<unsigned char>(c);
            if (!alphabet.seen(next)) continue;
            if (!alphabet.seen_at(position, next) && class_of(next) != class_of(current)) continue;
            std::string point = last.substr(0, position);
            point.push_back(static_cast<char>(next));
            if (upper && point >= *upper) return points;
            points.push_back(std::move(point));
            if (points.size() == max_points) return points;
        }
    }
    return points;
}

}  // namespace s3conn::detail
