// What a Client holds: its configuration and, built lazily, the CRT stack of
// the current process.
#pragma once

#include <memory>
#include <string>

#include "crt_stack.hpp"
#include "fork.hpp"
#include "s3conn/config.hpp"

namespace s3conn::detail {

class ClientState {
public:
    explicit ClientState(ClientConfig config);

    const ClientConfig& config() const { return config_; }
    const ClientConfig& resolved() const { return resolved_; }

    // The stack for this process: built on first use, and again in a forked
    // child, which must not use the one it inherited.
    std::shared_ptr<CrtStack> stack();
    Metrics& metrics() { return *metrics_; }

private:
    ClientConfig config_;
    ClientConfig resolved_;
    ForkSafeMutex mutex_;
    std::shared_ptr<CrtStack> stack_;
    // Outlives the stacks; counts what this process did (fork resets it).
    std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
};

// Throws std::invalid_argument when the bucket or key cannot name an object.
void check_location(const char* operation, const std::string& bucket, const std::string& key);
void check_bucket(const char* operation, const std::string& bucket);

}  // namespace s3conn::detail
