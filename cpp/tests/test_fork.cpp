// fork(): a child must be able to use a client it inherited while the parent
// has a download in flight, and must not touch the parent's CRT state.
#include <execinfo.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_util.hpp"

using harness::pattern;
using harness::run_prefix;
using harness::target;

namespace {
const std::uint64_t kPart = 5 * s3conn::kMiB;

// A child still running after 15 s prints where it is stuck, then exits 99.
void report_hung_child(int) {
    static const char kHeader[] = "child: hung; its stack:\n";
    (void)!::write(2, kHeader, sizeof kHeader - 1);
    void* frames[64];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), 2);
    ::_exit(99);
}
}  // namespace

S3CONN_TEST(child_reads_while_parent_downloads) {
    s3conn::Client client(harness::config());
    const std::string big = run_prefix() + "fork/big";
    const std::string small = run_prefix() + "fork/small";
    const auto big_data = pattern(4 * kPart, 1);
    const auto small_data = pattern(1000, 2);
    testutil::put(client, big, big_data);
    testutil::put(client, small, small_data);

    auto stream = client.get_object({target().bucket, big, std::nullopt, std::nullopt});
    testutil::Bytes received;
    auto first = stream.next();
    REQUIRE(first.has_value());
    received.insert(received.end(), first->data(), first->data() + first->size());

    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int status = 0;
        try {
            // The inherited stream belongs to the parent.
            bool refused = false;
            try {
                stream.next();
            } catch (const s3conn::S3Error& e) {
                refused = std::string(e.what()).find("fork") != std::string::npos;
            }
            if (!refused) status |= 1;
            // The inherited client builds a fresh CRT stack and works.
            if (testutil::get(client, small) != small_data) status |= 2;
            if (testutil::get(client, big, s3conn::ByteRange{kPart, kPart + 100}) !=
                testutil::Bytes(big_data.begin() + kPart, big_data.begin() + kPart + 100)) {
                status |= 4;
            }
            // The parent's chunk is still readable memory here.
            if (first->data()[0] != big_data[0]) status |= 8;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
            status |= 16;
        }
        ::_exit(status);  // never run the parent's destructors in the child
    }
    while (auto chunk = stream.next()) received.insert(received.end(), chunk->data(), chunk->data() + chunk->size());
    CHECK(received == big_data);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

// Forks while other threads keep the client's shared state busy (requests
// finishing on CRT threads record metrics; operations come and go): every
// child must find that state unlocked, use the client, and count only its own
// requests. Without the fork guard a child now and then hangs on a mutex that
// a thread of the parent held at fork time.
S3CONN_TEST(fork_while_other_threads_use_the_client) {
#if defined(__SANITIZE_ADDRESS__)
    // GCC 12's AddressSanitizer does not lock its own allocator around fork():
    // a child hangs in malloc when another thread was allocating (seen here
    // with gdb, inside __asan::Allocator). glibc's malloc is fork-safe; this
    // case runs in the plain build.
    std::fprintf(stderr, "skipped under AddressSanitizer (its allocator is not fork-safe)\n");
    return;
#endif
    s3conn::Client client(harness::config());
    const std::string key = run_prefix() + "fork/busy";
    const auto data = pattern(2000, 3);
    testutil::put(client, key, data);

    std::atomic<bool> stop{false};
    std::vector<std::thread> busy;
    for (int i = 0; i < 4; ++i) {
        busy.emplace_back([&] {
            while (!stop.load()) (void)testutil::get(client, key);
        });
    }
    int forks = 0;
    int failures = 0;
    for (; forks < 40; ++forks) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::signal(SIGALRM, report_hung_child);
            ::alarm(15);
            int status = 0;
            try {
                if (client.metrics().requests.count("GetObject") != 0) status |= 1;  // the parent's counts
                if (testutil::get(client, key) != data) status |= 2;
                const auto counted = client.metrics().requests;
                const auto gets = counted.find("GetObject");
                if (gets == counted.end() || gets->second != 1) status |= 4;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "child: %s\n", e.what());
                status |= 8;
            }
            ::_exit(status);
        }
        // A hung child is killed after 20 s and counts as a failure.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        int status = 0;
        pid_t done = 0;
        while ((done = ::waitpid(child, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (done == 0) {
            ::kill(child, SIGKILL);
            ::waitpid(child, &status, 0);
            std::fprintf(stderr, "fork %d: the child hung\n", forks);
            ++failures;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::fprintf(stderr, "fork %d: the child exited with status %d\n", forks, status);
            ++failures;
        }
    }
    stop = true;
    for (auto& thread : busy) thread.join();
    CHECK_EQ(failures, 0);
    CHECK(client.metrics().requests.at("GetObject") > 0);
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, true); }
