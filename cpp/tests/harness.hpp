// A deliberately small test harness: registration, checks, and the S3
// endpoint the tests run against (from S3CONN_ENDPOINT, S3CONN_REGION,
// S3CONN_BUCKET and the usual AWS credential variables).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3conn/s3conn.hpp"

namespace harness {

struct Case {
    const char* name;
    void (*fn)();
};

inline std::vector<Case>& cases() {
    static std::vector<Case> all;
    return all;
}

struct Registrar {
    Registrar(const char* name, void (*fn)()) { cases().push_back({name, fn}); }
};

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline int& failures() {
    static int count = 0;
    return count;
}

inline void fail(const char* file, int line, const std::string& what, bool fatal) {
    std::ostringstream out;
    out << file << ":" << line << ": " << what;
    if (fatal) throw Failure(out.str());
    std::cerr << "  FAILED " << out.str() << "\n";
    ++failures();
}

template <class A, class B>
std::string mismatch(const char* expr_a, const char* expr_b, const A& a, const B& b) {
    std::ostringstream out;
    out << expr_a << " == " << expr_b << " (" << a << " vs " << b << ")";
    return out.str();
}

// The endpoint under test; tests that need one skip when it is not set.
struct Target {
    std::string endpoint;
    std::string region;
    std::string bucket;
};

inline bool have_target() { return std::getenv("S3CONN_BUCKET") != nullptr; }

inline Target target() {
    auto env = [](const char* name, const char* fallback) {
        const char* v = std::getenv(name);
        return std::string(v != nullptr && *v != '\0' ? v : fallback);
    };
    return Target{env("S3CONN_ENDPOINT", ""), env("S3CONN_REGION", "us-east-1"), env("S3CONN_BUCKET", "")};
}

inline s3conn::ClientConfig config(std::uint64_t part_size = 5 * s3conn::kMiB) {
    const Target t = target();
    s3conn::ClientConfig c;
    c.endpoint = t.endpoint;
    c.region = t.region;
    c.force_path_style = !t.endpoint.empty();
    c.part_size = part_size;
    c.user_agent_prefix = "s3conn-cpp-tests";
    return c;
}

// A key prefix no other run shares.
inline const std::string& run_prefix() {
    static const std::string prefix = [] {
        std::random_device rd;
        std::ostringstream out;
        out << "cpp-tests/" << std::hex << rd() << rd() << "/";
        return out.str();
    }();
    return prefix;
}

inline std::vector<std::uint8_t> pattern(std::size_t size, std::uint32_t seed = 1) {
    std::vector<std::uint8_t> data(size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : data) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return data;
}

inline int run_all(int argc, char** argv, bool needs_target) {
    if (needs_target && !have_target()) {
        std::cerr << "no S3 endpoint: set S3CONN_BUCKET (and S3CONN_ENDPOINT), or run through "
                     "`python -m s3torchconnector.localserver run`\n";
        return 77;  // ctest SKIP_RETURN_CODE
    }
    const std::string filter = argc > 1 ? argv[1] : "";
    int ran = 0;
    for (const Case& c : cases()) {
        if (!filter.empty() && std::string(c.name).find(filter) == std::string::npos) continue;
        ++ran;
        const int before = failures();
        std::cerr << "[ RUN  ] " << c.name << "\n";
        try {
            c.fn();
        } catch (const Failure& f) {
            std::cerr << "  FAILED " << f.what() << "\n";
            ++failures();
        } catch (const std::exception& e) {
            std::cerr << "  FAILED with exception: " << e.what() << "\n";
            ++failures();
        }
        std::cerr << (failures() == before ? "[  OK  ] " : "[ FAIL ] ") << c.name << "\n";
    }
    std::cerr << ran << " cases, " << failures() << " failures\n";
    return failures() == 0 && ran > 0 ? 0 : 1;
}

}  // namespace harness

#define S3CONN_TEST(name)                                           \
    static void name();                                             \
    static const harness::Registrar name##_registrar(#name, &name); \
    static void name()

#define CHECK(cond) ((cond) ? (void)0 : harness::fail(__FILE__, __LINE__, "CHECK(" #cond ")", false))
#define REQUIRE(cond) ((cond) ? (void)0 : harness::fail(__FILE__, __LINE__, "REQUIRE(" #cond ")", true))
#define CHECK_EQ(a, b)                                                                               \
    do {                                                                                             \
        /* copies: `a` may be a reference into a temporary (metrics().requests.at(...)) */           \
        const auto check_a_ = (a);                                                                   \
        const auto check_b_ = (b);                                                                   \
        if (!(check_a_ == check_b_))                                                                 \
            harness::fail(__FILE__, __LINE__, harness::mismatch(#a, #b, check_a_, check_b_), false); \
    } while (0)
#define CHECK_THROWS_AS(expr, Type)                                                            \
    do {                                                                                       \
        bool thrown_ = false;                                                                  \
        try {                                                                                  \
            (void)(expr);                                                                      \
        } catch (const Type&) {                                                                \
            thrown_ = true;                                                                    \
        }                                                                                      \
        if (!thrown_) harness::fail(__FILE__, __LINE__, #expr " did not throw " #Type, false); \
    } while (0)
