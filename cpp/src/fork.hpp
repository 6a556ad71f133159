// fork(): what a child inherits, and what it may use.
//
// A forked child inherits the parent's memory but only the thread that called
// fork(). Whatever another thread was doing is frozen half-done: a mutex it
// held stays held forever, and the data under it may be inconsistent. So
// libs3conn follows two rules, both kept here:
//
// * Objects bound to the CRT's threads (a CrtStack and all that hangs off it)
//   remember the process generation they were made in, and a child never
//   touches the ones it inherited: it builds its own.
// * State that outlives a CRT stack and that a child does use (a client's
//   state, its metrics, the registry of operations) is guarded by a
//   ForkSafeMutex. fork() waits until no thread holds one, so the child finds
//   each unlocked and the data under it whole.
// * The CRT's own process-wide locks, which a child's new stack takes too,
//   are only taken inside a CrtGlobalsScope, and fork() waits until no thread
//   is inside one. (aws_s3_client_new and aws_s3_client_make_meta_request
//   take aws-c-s3's platform-info lock: a child forked while another thread
//   was starting a request hung in its first aws_s3_client_new, 2 forks in
//   ~4,400 in test_fork, before this.)
#pragma once

#include <mutex>

namespace s3conn::detail {

// Which process this is, as a number that changes in every fork() child: a
// cheap stand-in for getpid() (a system call) on the per-request paths.
unsigned process_generation();

// A mutex that fork() never leaves locked in the child. A pthread_atfork
// prepare hook takes every live ForkSafeMutex in turn, and the parent and
// child hooks let them go. That cannot deadlock as long as no thread holds
// two at once, nor makes or destroys one while it holds one: keep it so.
//
// BasicLockable, for std::lock_guard and std::unique_lock (not for
// std::condition_variable, which wants a std::mutex: wait on those).
class ForkSafeMutex {
public:
    ForkSafeMutex();
    ~ForkSafeMutex();
    ForkSafeMutex(const ForkSafeMutex&) = delete;
    ForkSafeMutex& operator=(const ForkSafeMutex&) = delete;

    void lock() { mutex_.lock(); }
    void unlock() { mutex_.unlock(); }

private:
    friend struct ForkSafeMutexList;
    std::mutex mutex_;
    // The list of live ones, intrusive: making a client allocates nothing more.
    ForkSafeMutex* previous_ = nullptr;
    ForkSafeMutex* next_ = nullptr;
};

// Around a call into the CRT that may take one of its process-wide locks.
// Threads share it; fork() waits for them all to leave, after taking every
// ForkSafeMutex. So inside one, never take a ForkSafeMutex (the other way
// round is fine).
class CrtGlobalsScope {
public:
    CrtGlobalsScope();
    ~CrtGlobalsScope();
    CrtGlobalsScope(const CrtGlobalsScope&) = delete;
    CrtGlobalsScope& operator=(const CrtGlobalsScope&) = delete;
};

}  // namespace s3conn::detail
