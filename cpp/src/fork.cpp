#include "fork.hpp"

#include <pthread.h>

#include <atomic>
#include <shared_mutex>

namespace s3conn::detail {

namespace {
std::atomic<unsigned> g_generation{1};

// Never destroyed, like the list below. Replaced, not unlocked, in a fork
// child: glibc's rwlock knows its writer by thread id, and the child's one
// thread has a new id, so an unlock there would be taken for a reader's.
std::shared_mutex* g_crt_globals = nullptr;

std::shared_mutex& crt_globals() {
    static const bool made = (g_crt_globals = new std::shared_mutex(), true);
    (void)made;
    return *g_crt_globals;
}
}  // namespace

// Every live ForkSafeMutex, oldest first. Never destroyed: a mutex in an
// object that outlives the statics must still find it.
struct ForkSafeMutexList {
    std::mutex mutex;
    ForkSafeMutex* first = nullptr;
    ForkSafeMutex* last = nullptr;

    static ForkSafeMutexList& get() {
        static ForkSafeMutexList* const list = [] {
            auto* made = new ForkSafeMutexList();
            pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
            return made;
        }();
        return *list;
    }

    void add(ForkSafeMutex* m) {
        std::lock_guard lock(mutex);
        m->previous_ = last;
        (last != nullptr ? last->next_ : first) = m;
        last = m;
    }

    void remove(ForkSafeMutex* m) {
        std::lock_guard lock(mutex);
        (m->previous_ != nullptr ? m->previous_->next_ : first) = m->next_;
        (m->next_ != nullptr ? m->next_->previous_ : last) = m->previous_;
    }

    // Held from before_fork to the hook after it: no mutex comes or goes
    // meanwhile, and every one is locked by the forking thread. The CRT's
    // globals come last: a thread may enter a CrtGlobalsScope while it holds
    // a ForkSafeMutex (ClientState's, building a stack), never the reverse.
    static void before_fork() {
        ForkSafeMutexList& list = get();
        list.mutex.lock();
        for (ForkSafeMutex* m = list.first; m != nullptr; m = m->next_) m->mutex_.lock();
        crt_globals().lock();
    }

    static void unlock_all() {
        ForkSafeMutexList& list = get();
        for (ForkSafeMutex* m = list.last; m != nullptr; m = m->previous_) m->mutex_.unlock();
        list.mutex.unlock();
    }

    static void after_fork_in_parent() {
        crt_globals().unlock();
        unlock_all();
    }

    static void after_fork_in_child() {
        g_generation.fetch_add(1, std::memory_order_relaxed);
        g_crt_globals = new std::shared_mutex();  // the old one is leaked, write-locked
        unlock_all();
    }
};

unsigned process_generation() {
    // Makes sure the hooks are installed before anyone compares generations.
    static const bool hooks_installed = (ForkSafeMutexList::get(), true);
    (void)hooks_installed;
    return g_generation.load(std::memory_order_relaxed);
}

CrtGlobalsScope::CrtGlobalsScope() {
    (void)process_generation();  // the hooks are installed before the first scope
    crt_globals().lock_shared();
}

CrtGlobalsScope::~CrtGlobalsScope() { crt_globals().unlock_shared(); }

ForkSafeMutex::ForkSafeMutex() { ForkSafeMutexList::get().add(this); }

ForkSafeMutex::~ForkSafeMutex() { ForkSafeMutexList::get().remove(this); }

}  // namespace s3conn::detail
