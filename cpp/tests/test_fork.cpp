// fork(): a child must be able to use a client it inherited while the parent
// has a download in flight, and must not touch the parent's CRT state.
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.hpp"

using harness::pattern;
using harness::run_prefix;
using harness::target;

namespace {
const std::uint64_t kPart = 5 * s3conn::kMiB;
}

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

int main(int argc, char** argv) { return harness::run_all(argc, argv, true); }
