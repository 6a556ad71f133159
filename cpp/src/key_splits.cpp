#include "key_splits.hpp"

#include <aws/common/encoding.h>

#include <algorithm>

namespace s3conn::detail {
namespace {

// The first position cut at, and the two before it: cutting further back
// gives ranges so large that they are cut again anyway, and cutting at every
// position of a long key would send requests for ranges that are mostly
// empty.
constexpr std::size_t kPositions = 3;

}  // namespace

unsigned KeyAlphabet::kind_index(unsigned char c) {
    if (c >= '0' && c <= '9') return 0;
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 'A' && c <= 'Z') return 2;
    return 3;
}

void KeyAlphabet::add(const std::string& key, std::size_t from) {
    if (at_.size() < key.size()) {
        at_.resize(key.size());
        kinds_at_.resize(key.size());
    }
    for (std::size_t i = from; i < key.size(); ++i) {
        const auto c = static_cast<unsigned char>(key[i]);
        all_.set(c);
        at_[i].set(c);
        if ((kinds_at_[i] & kind(c)) == 0) {
            kinds_at_[i] = static_cast<unsigned char>(kinds_at_[i] | kind(c));
            for (unsigned k = 0; k < 4; ++k) {
                if ((kinds_at_[i] >> k) & 1u) kin_[k] = static_cast<unsigned char>(kin_[k] | kinds_at_[i]);
            }
        }
    }
}

std::size_t KeyAlphabet::count_at(std::size_t position, unsigned char low, unsigned char high) const {
    std::size_t count = 0;
    for (unsigned c = low; c <= high; ++c) count += seen_at(position, static_cast<unsigned char>(c)) ? 1 : 0;
    return count;
}

namespace {

// Whether `c` is likely to occur at `position` of a key whose character there
// is `current`: it did there, or it is of a kind akin to `current`'s (after
// "part-0..." comes "part-1...", after "a..." comes "b...", and in hex names
// after "9..." comes "a...").
bool can_occur(const KeyAlphabet& alphabet, std::size_t position, unsigned char current, unsigned char c) {
    return alphabet.seen(c) && (alphabet.seen_at(position, c) || alphabet.kin(current, c));
}

// Whether `text` is valid UTF-8 (RFC 3629, by aws-c-common). S3 keys are,
// and a cut point is sent as a key (start-after): one that ends inside a
// character, a lead byte cut from its continuation, is not a key S3 can be
// asked about.
bool valid_utf8(const std::string& text) {
    return aws_decode_utf8(aws_byte_cursor_from_array(text.data(), text.size()), nullptr) == AWS_OP_SUCCESS;
}

// How many characters are likely at `position`.
std::size_t width(const KeyAlphabet& alphabet, std::size_t position, unsigned char current) {
    std::size_t count = 0;
    for (unsigned c = 0; c < 256u; ++c) count += can_occur(alphabet, position, current, static_cast<unsigned char>(c));
    return std::max<std::size_t>(count, 1);
}

// The position to cut at first: the one where the page's keys vary, or one
// before it, and so on, until a unit there is estimated to hold `min_keys`.
std::size_t first_cut_position(const KeyAlphabet& alphabet, const PageSeen& page, const SplitLimits& limits) {
    const std::string& first = page.first;
    const std::string& last = page.last;
    const auto varying = static_cast<std::size_t>(
        std::mismatch(first.begin(), first.end(), last.begin(), last.end()).second - last.begin());
    std::size_t position = std::min(varying, last.size() - 1);
    const auto low = position < first.size() ? static_cast<unsigned char>(first[position]) : 0;
    const std::size_t spanned = alphabet.count_at(position, low, static_cast<unsigned char>(last[position]));
    double unit = static_cast<double>(page.keys) / static_cast<double>(std::max<std::size_t>(spanned, 1));
    while (position > limits.prefix_length && unit < static_cast<double>(limits.min_keys)) {
        unit *= static_cast<double>(width(alphabet, position, static_cast<unsigned char>(last[position])));
        --position;
    }
    return position;
}

}  // namespace

std::vector<std::string> split_points(const KeyAlphabet& alphabet, const PageSeen& page, const SplitLimits& limits) {
    std::vector<std::string> points;
    const std::string& last = page.last;
    if (limits.max_points == 0 || last.size() <= limits.prefix_length) return points;
    const std::size_t start = first_cut_position(alphabet, page, limits);
    // Points come out in increasing order: at one position by character, and
    // every point at a position is greater than all points at the next one.
    for (std::size_t step = 0; step < kPositions && start >= limits.prefix_length + step; ++step) {
        const std::size_t position = start - step;
        const auto current = static_cast<unsigned char>(last[position]);
        for (unsigned c = current + 1u; c < 256u; ++c) {
            const auto next = static_cast<unsigned char>(c);
            if (!can_occur(alphabet, position, current, next)) continue;
            std::string point = last.substr(0, position);
            point.push_back(static_cast<char>(next));
            if (limits.upper && point >= *limits.upper) return points;
            if (!valid_utf8(point)) continue;  // every later point is still greater
            points.push_back(std::move(point));
            if (points.size() == limits.max_points) return points;
        }
    }
    return points;
}

}  // namespace s3conn::detail
