// list_all_objects: a prefix listed over key ranges at once.
//
// The key space after the prefix starts as one range, listed by the calling
// thread. Each page it gets shows where the next keys probably are
// (key_splits.hpp): the rest of its range is cut there, and the new ranges go
// to a queue that up to max_requests_in_flight threads (the caller among
// them) take from. Every range is listed page by page with start-after and
// continuation tokens, and cut again as it goes while the queue is short, so
// a guess that was too coarse is refined by the next page.
//
// The first error (or the caller's Ctrl-C) stops the listing: every other
// thread's request is cancelled within ~100 ms (StopScope), and the caller
// rethrows it once all have returned.
//
// A range ends with a page that is not truncated or that reaches past its
// upper bound. Such a page usually holds the next range's first keys: if that
// range has not started, the page's owner takes it over and lists on, so the
// page is not wasted.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "key_splits.hpp"
#include "runtime.hpp"
#include "s3conn/buckets.hpp"
#include "s3conn/client.hpp"
#include "s3conn/listing.hpp"

namespace s3conn {
namespace {

constexpr std::uint32_t kMaxRequestsInFlight = 128;

// The keys a range should hold, in pages, for the request its end wastes
// (key_splits.hpp) to cost a third of its requests at most.
constexpr std::size_t kPagesPerRange = 3;

// The server's keys are not in S3's order, or it ignored start-after: such a
// listing cannot be cut into ranges, and is listed again page by page.
struct Unordered {};

std::vector<ObjectInfo> list_page_by_page(Client& client, const std::string& bucket, const std::string& prefix,
                                          std::uint32_t page_size) {
    ListObjectsPaginator pages(client, ListObjectsRequest{bucket, prefix, "", page_size, "", ""});
    std::vector<ObjectInfo> objects;
    while (std::optional<ListObjectsPage> page = pages.next()) {
        std::move(page->objects.begin(), page->objects.end(), std::back_inserter(objects));
    }
    return objects;
}

bool by_key(const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; }

// A directory bucket lists only prefixes that end in "/", in no particular
// order.
std::vector<ObjectInfo> list_directory_bucket(Client& client, const std::string& bucket, const std::string& prefix,
                                              std::uint32_t page_size) {
    const std::string directory = prefix.substr(0, prefix.rfind('/') + 1);
    std::vector<ObjectInfo> objects = list_page_by_page(client, bucket, directory, page_size);
    objects.erase(std::remove_if(objects.begin(), objects.end(),
                                 [&](const ObjectInfo& o) { return o.key.compare(0, prefix.size(), prefix) != 0; }),
                  objects.end());
    std::sort(objects.begin(), objects.end(), by_key);
    return objects;
}

// Keys greater than the range's key in the map, and at most `upto` (to the
// end of the listing when unset).
struct Range {
    std::optional<std::string> upto;
    bool started = false;
};

class ParallelListing {
public:
    ParallelListing(Client& client, std::string bucket, std::string prefix, const ListAllOptions& options)
        : client_(client),
          bucket_(std::move(bucket)),
          prefix_(std::move(prefix)),
          page_size_(options.page_size),
          max_in_flight_(options.max_requests_in_flight) {}

    ~ParallelListing() { join(); }

    ParallelListing(const ParallelListing&) = delete;
    ParallelListing& operator=(const ParallelListing&) = delete;

    // Every object, sorted; throws Unordered, or the listing's first error.
    std::vector<ObjectInfo> run() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            add_range("", std::nullopt);
        }
        work(/*caller=*/true);
        join();
        if (unordered_) throw Unordered{};
        if (error_) std::rethrow_exception(error_);
        std::sort(objects_.begin(), objects_.end(), by_key);
        return std::move(objects_);
    }

private:
    using Ranges = std::map<std::string, Range>;

    void work(bool caller) noexcept {
        detail::StopScope stop_scope(stop_);  // a stopped listing cancels this thread's request
        try {
            Ranges::iterator range;
            while (take(range, caller)) {
                list(range);
                std::lock_guard<std::mutex> lock(mutex_);
                ranges_.erase(range);
                --active_;
                cv_.notify_all();
            }
        } catch (const Unordered&) {
            stop_with(nullptr);
        } catch (const detail::Stopped&) {
            // Another thread stopped the listing and said why.
        } catch (...) {
            stop_with(std::current_exception());
        }
    }

    void stop_with(std::exception_ptr error) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (error == nullptr) {
            unordered_ = true;
        } else if (error_ == nullptr) {
            error_ = error;
        }
        stop_.store(true);
        cv_.notify_all();
    }

    bool stopping() const { return unordered_ || error_ != nullptr; }

    // The next range to list, marked started; false when every range is done
    // or the listing stops.
    bool take(Ranges::iterator& range, bool caller) {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            if (stopping()) return false;
            while (!queue_.empty()) {
                const std::string after = std::move(queue_.front());
                queue_.pop_front();
                auto found = ranges_.find(after);
                if (found == ranges_.end() || found->second.started) continue;  // taken over meanwhile
                found->second.started = true;
                --waiting_;
                ++active_;
                range = found;
                return true;
            }
            if (active_ == 0) return false;
            auto ready = [this] { return stopping() || !queue_.empty() || active_ == 0; };
            if (caller) {
                detail::wait_interruptibly(lock, cv_, ready);  // Ctrl-C reaches the caller here
            } else {
                cv_.wait(lock, ready);
            }
        }
    }

    // Lists `range` to its end, cutting it and taking over its successor as
    // it goes.
    void list(Ranges::iterator range) {
        const std::string& after = range->first;
        ListObjectsPaginator pages(client_, ListObjectsRequest{bucket_, prefix_, "", page_size_, "", after});
        std::string previous = after;
        while (std::optional<ListObjectsPage> page = pages.next()) {
            std::vector<ObjectInfo>& objects = page->objects;
            for (const ObjectInfo& object : objects) {
                if (object.key <= previous) throw Unordered{};
                previous = object.key;
            }
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping()) return;
            std::size_t kept = in_range(objects, range->second);
            while (kept < objects.size() && take_over_successor(range)) kept = in_range(objects, range->second);
            for (std::size_t i = 0; i < kept; ++i) alphabet_.add(objects[i].key, prefix_.size());
            if (kept > 0 && kept == objects.size() && page->is_truncated) {
                cut(range, objects);
            }
            std::move(objects.begin(), objects.begin() + static_cast<std::ptrdiff_t>(kept),
                      std::back_inserter(objects_));
            if (kept < objects.size() || !page->is_truncated) return;
        }
    }

    static std::size_t in_range(const std::vector<ObjectInfo>& sorted, const Range& range) {
        if (!range.upto) return sorted.size();
        const std::string& upto = *range.upto;
        return static_cast<std::size_t>(
            std::upper_bound(sorted.begin(), sorted.end(), upto,
                             [](const std::string& key, const ObjectInfo& o) { return key < o.key; }) -
            sorted.begin());
    }

    // Under the lock: the range after `range`, if nobody has started it,
    // becomes part of `range`.
    bool take_over_successor(Ranges::iterator range) {
        auto next = std::next(range);
        if (next == ranges_.end() || next->second.started || !range->second.upto ||
            next->first != *range->second.upto) {
            return false;
        }
        range->second.upto = std::move(next->second.upto);
        ranges_.erase(next);
        --waiting_;
        return true;
    }

    // Under the lock: cuts the rest of `range` after `page`, while fewer
    // ranges wait than requests may be in flight.
    void cut(Ranges::iterator range, const std::vector<ObjectInfo>& page) {
        if (max_in_flight_ <= 1 || waiting_ >= max_in_flight_) return;
        const detail::SplitLimits limits{prefix_.size(), kPagesPerRange * std::size_t{page_size_},
                                         max_in_flight_ - waiting_, range->second.upto};
        std::vector<std::string> points =
            detail::split_points(alphabet_, {page.front().key, page.back().key, page.size()}, limits);
        if (points.empty()) return;
        std::optional<std::string> end = std::move(range->second.upto);
        range->second.upto = points.front();
        for (std::size_t i = 0; i < points.size(); ++i) {
            add_range(points[i], i + 1 < points.size() ? std::optional<std::string>(points[i + 1]) : end);
        }
        start_workers();
        cv_.notify_all();
    }

    void add_range(const std::string& after, std::optional<std::string> upto) {
        ranges_.emplace(after, Range{std::move(upto), false});
        queue_.push_back(after);
        ++waiting_;
    }

    // Under the lock: threads for the waiting ranges, the caller being one.
    void start_workers() {
        while (workers_.size() + 1 < max_in_flight_ && workers_.size() < waiting_ + active_) {
            try {
                workers_.emplace_back([this] { work(/*caller=*/false); });
            } catch (const std::system_error&) {
                return;  // fewer threads list the same ranges
            }
        }
    }

    void join() {
        for (std::thread& worker : workers_) {
            if (worker.joinable()) worker.join();
        }
        workers_.clear();
    }

    Client& client_;
    const std::string bucket_;
    const std::string prefix_;
    const std::uint32_t page_size_;
    const std::uint32_t max_in_flight_;

    std::mutex mutex_;
    std::condition_variable cv_;
    Ranges ranges_;                  // the ranges not yet done, in key order
    std::deque<std::string> queue_;  // the keys of waiting ranges, some stale
    std::size_t waiting_ = 0;        // ranges not started
    std::size_t active_ = 0;         // ranges being listed
    std::vector<ObjectInfo> objects_;
    detail::KeyAlphabet alphabet_;
    std::exception_ptr error_;
    bool unordered_ = false;
    std::atomic<bool> stop_{false};  // set with error_ or unordered_, read without the lock
    std::vector<std::thread> workers_;
};

}  // namespace

std::vector<ObjectInfo> list_all_objects(Client& client, const std::string& bucket, const std::string& prefix,
                                         const ListAllOptions& options) {
    if (options.max_requests_in_flight < 1 || options.max_requests_in_flight > kMaxRequestsInFlight) {
        throw std::invalid_argument("list_all_objects: max_requests_in_flight must be between 1 and " +
                                    std::to_string(kMaxRequestsInFlight) + ", not " +
                                    std::to_string(options.max_requests_in_flight));
    }
    if (is_directory_bucket(bucket)) return list_directory_bucket(client, bucket, prefix, options.page_size);
    try {
        ParallelListing listing(client, bucket, prefix, options);
        return listing.run();
    } catch (const Unordered&) {
        return list_page_by_page(client, bucket, prefix, options.page_size);
    }
}

}  // namespace s3conn
