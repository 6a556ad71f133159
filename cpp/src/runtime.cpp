#include "runtime.hpp"

#include <aws/s3/s3.h>

#include "crt_logging.hpp"
#include "s3conn/interrupt.hpp"

namespace s3conn {
namespace {

// Never destroyed: a thread still waiting while the process exits must not
// find it gone.
InterruptCheck& interrupt_check() {
    static InterruptCheck* const check = new InterruptCheck();
    return *check;
}

BlockingHooks& blocking_hooks() {
    static BlockingHooks hooks;
    return hooks;
}

}  // namespace

void set_interrupt_check(InterruptCheck check) { interrupt_check() = std::move(check); }

void set_blocking_hooks(BlockingHooks hooks) { blocking_hooks() = hooks; }

namespace detail {

BlockingRegion::BlockingRegion(std::unique_lock<std::mutex>& lock)
    : lock_(lock), token_(blocking_hooks().release != nullptr ? blocking_hooks().release() : nullptr) {}

BlockingRegion::~BlockingRegion() {
    if (token_ == nullptr || blocking_hooks().reacquire == nullptr) return;
    // Taking the interpreter's lock while holding ours could deadlock with a
    // thread that holds the interpreter's and wants ours.
    lock_.unlock();
    blocking_hooks().reacquire(token_);
    lock_.lock();
}

aws_allocator* allocator() {
    // Never cleaned up: aws_s3_library_clean_up joins the CRT's managed threads
    // without a bound, which can hang a process at exit.
    static aws_allocator* const alloc = [] {
        aws_allocator* a = aws_default_allocator();
        aws_s3_library_init(a);
        start_crt_logging_from_environment(a);
        return a;
    }();
    return alloc;
}

namespace {
thread_local const std::atomic<bool>* t_stop_flag = nullptr;
}  // namespace

StopScope::StopScope(const std::atomic<bool>& flag) : previous_(t_stop_flag) { t_stop_flag = &flag; }

StopScope::~StopScope() { t_stop_flag = previous_; }

void check_interrupt() {
    if (t_stop_flag != nullptr && t_stop_flag->load(std::memory_order_relaxed)) throw Stopped{};
    const InterruptCheck& check = interrupt_check();
    if (check) {
        check();
    }
}

}  // namespace detail
}  // namespace s3conn
