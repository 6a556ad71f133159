// Process-wide CRT state: library initialisation, logging, and the
// interruptible wait every blocking call goes through.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

struct aws_allocator;

namespace s3conn::detail {

// The CRT allocator, after aws_s3_library_init has run (once per process).
aws_allocator* allocator();

// Runs the installed interrupt check, if any, and this thread's stop flag
// (StopScope). May throw.
void check_interrupt();

// Thrown by a wait whose thread's stop flag is set.
struct Stopped {};

// While alive, every interruptible wait of this thread also checks `flag`
// and throws Stopped once it is set, cancelling its request: how a call that
// spreads its work over threads of its own (list_all_objects) stops them all
// when one fails or the caller is interrupted. Only the thread's own waits
// see it, whatever other threads do.
class StopScope {
public:
    explicit StopScope(const std::atomic<bool>& flag);
    ~StopScope();
    StopScope(const StopScope&) = delete;
    StopScope& operator=(const StopScope&) = delete;

private:
    const std::atomic<bool>* previous_;
};

// The blocking hooks (s3conn/interrupt.hpp) around one wait: released on
// construction, reacquired on destruction with `lock` let go of meanwhile.
class BlockingRegion {
public:
    explicit BlockingRegion(std::unique_lock<std::mutex>& lock);
    ~BlockingRegion();
    BlockingRegion(const BlockingRegion&) = delete;
    BlockingRegion& operator=(const BlockingRegion&) = delete;

private:
    std::unique_lock<std::mutex>& lock_;
    void* token_;
};

// Waits on `cv` until `ready()` holds, running the interrupt check every
// ~100 ms with `lock` released. Whatever the check throws propagates, so the
// caller can cancel its operation and rethrow.
template <class Ready>
void wait_interruptibly(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Ready ready) {
    using namespace std::chrono_literals;
    if (ready()) return;
    BlockingRegion blocking(lock);
    while (!cv.wait_for(lock, 100ms, ready)) {
        lock.unlock();
        try {
            check_interrupt();
        } catch (...) {
            lock.lock();
            throw;
        }
        lock.lock();
    }
}

}  // namespace s3conn::detail
