// Interrupting blocking calls.
//
// Every blocking call of libs3conn waits in slices of about 100 ms and, between
// slices, calls the interrupt check installed here (if any). If the check
// throws, the operation is cancelled and the exception propagates to the
// caller unchanged. Language bindings use this to turn Ctrl-C into a
// cancelled request; C++ programs can use it to enforce deadlines.
#pragma once

#include "s3conn/export.hpp"

#include <functional>

namespace s3conn {

using InterruptCheck = std::function<void()>;

// Installs the process-wide check (an empty function removes it). Not
// thread-safe with respect to concurrent waits; install it once at start-up.
S3CONN_API void set_interrupt_check(InterruptCheck check);

// Called around every wait of libs3conn that blocks the calling thread:
// `release` just before the thread blocks, `reacquire` once it is done
// waiting (with no libs3conn lock held), given what `release` returned.
// Language bindings release their interpreter lock here, so that a call made
// with it held (a short write) never holds it while waiting for the network.
// Install once at start-up.
struct BlockingHooks {
    void* (*release)() = nullptr;
    void (*reacquire)(void* token) = nullptr;
};
S3CONN_API void set_blocking_hooks(BlockingHooks hooks);

}  // namespace s3conn
