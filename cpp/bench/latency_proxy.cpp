// latency_proxy: a TCP proxy on loopback that makes a local S3 server answer
// like a remote one. Every request reaches the server a fixed (or lognormal)
// delay after the client sent it, so every response's first byte arrives that
// much later; bodies stream through unchanged, byte for byte, in both
// directions. One thread, epoll, no copies beyond one read and one write.
//
//   latency_proxy --upstream 127.0.0.1:9000 --delay-ms 30 [--sigma 0.5] [--port 0]
//
// Prints "PORT <n>" once listening. Commands on stdin, one per line:
//   stats          one JSON line: requests, rounds (times a request started with
//                  none outstanding: the serial round trips of a workload),
//                  max and time-weighted mean requests in flight, bytes each
//                  way, and the proxy's own CPU seconds
//   reset          zeroes the counters
//   delay MS SIGMA changes the delay of requests from now on
// It exits when stdin closes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double now_seconds() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

// Counters over all connections.
struct Stats {
    long requests = 0;
    long rounds = 0;
    int in_flight = 0;
    int max_in_flight = 0;
    double weighted_in_flight = 0;  // integral of in_flight over time
    double since = now_seconds();
    double last_change = since;
    long long bytes_up = 0;
    long long bytes_down = 0;
    double cpu_at_reset = cpu_seconds();

    static double cpu_seconds() {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    }

    void change_in_flight(int delta) {
        const double now = now_seconds();
        weighted_in_flight += in_flight * (now - last_change);
        last_change = now;
        if (delta > 0 && in_flight == 0) ++rounds;
        in_flight += delta;
        max_in_flight = std::max(max_in_flight, in_flight);
    }

    void reset() {
        const int keep = in_flight;
        *this = Stats();
        in_flight = max_in_flight = keep;
    }

    std::string json() {
        change_in_flight(0);
        const double cpu = cpu_seconds() - cpu_at_reset;
        const double elapsed = std::max(1e-9, last_change - since);
        char out[512];
        std::snprintf(out, sizeof out,
                      "{\"requests\": %ld, \"rounds\": %ld, \"max_in_flight\": %d, \"mean_in_flight\": %.3f, "
                      "\"bytes_up\": %lld, \"bytes_down\": %lld, \"cpu_seconds\": %.3f, \"seconds\": %.3f}",
                      requests, rounds, max_in_flight, weighted_in_flight / elapsed, bytes_up, bytes_down, cpu,
                      elapsed);
        return out;
    }
};

Stats g_stats;
double g_delay_ms = 0;
double g_sigma = 0;
std::mt19937_64 g_random(20261201);

double sample_delay() {
    if (g_sigma <= 0) return g_delay_ms / 1000.0;
    std::normal_distribution<double> normal(0.0, 1.0);
    return g_delay_ms / 1000.0 * std::exp(g_sigma * normal(g_random));
}

// Finds where one HTTP/1.1 response ends, to know when a request is over.
class ResponseFramer {
public:
    // Feeds bytes from the server; returns how many responses ended in them.
    int feed(const char* data, std::size_t size, bool head_request) {
        int ended = 0;
        std::size_t i = 0;
        while (i < size) {
            switch (state_) {
                case State::kHead: {
                    head_.push_back(data[i++]);
                    if (head_.size() >= 4 && head_.compare(head_.size() - 4, 4, "\r\n\r\n") == 0) {
                        if (start_body(head_request)) ++ended;
                        head_.clear();
                    }
                    break;
                }
                case State::kBody: {
                    const std::size_t n = std::min<std::size_t>(size - i, remaining_);
                    i += n;
                    remaining_ -= n;
                    if (remaining_ == 0) {
                        state_ = State::kHead;
                        ++ended;
                    }
                    break;
                }
                case State::kChunkSize: {
                    line_.push_back(data[i++]);
                    if (line_.size() >= 2 && line_.compare(line_.size() - 2, 2, "\r\n") == 0) {
                        remaining_ = std::strtoull(line_.c_str(), nullptr, 16);
                        line_.clear();
                        state_ = remaining_ == 0 ? State::kTrailer : State::kChunkData;
                        remaining_ += remaining_ == 0 ? 0 : 2;  // the chunk's CRLF
                    }
                    break;
                }
                case State::kChunkData: {
                    const std::size_t n = std::min<std::size_t>(size - i, remaining_);
                    i += n;
                    remaining_ -= n;
                    if (remaining_ == 0) state_ = State::kChunkSize;
                    break;
                }
                case State::kTrailer: {
                    line_.push_back(data[i++]);
                    if (line_.size() >= 2 && line_.compare(line_.size() - 2, 2, "\r\n") == 0) {
                        const bool last = line_ == "\r\n";
                        line_.clear();
                        if (last) {
                            state_ = State::kHead;
                            ++ended;
                        }
                    }
                    break;
                }
            }
        }
        return ended;
    }

private:
    enum class State { kHead, kBody, kChunkSize, kChunkData, kTrailer };

    // Returns true when the response has no body (it ends with its head).
    bool start_body(bool head_request) {
        const int status = std::atoi(head_.c_str() + std::min<std::size_t>(9, head_.size()));
        if (status >= 100 && status < 200) return false;  // interim: the real answer follows
        std::string lower = head_;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (head_request || status == 204 || status == 304) return true;
        if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
            state_ = State::kChunkSize;
            return false;
        }
        const auto at = lower.find("\r\ncontent-length:");
        remaining_ = at == std::string::npos ? 0 : std::strtoull(lower.c_str() + at + 17, nullptr, 10);
        if (remaining_ == 0) return true;
        state_ = State::kBody;
        return false;
    }

    State state_ = State::kHead;
    std::string head_;
    std::string line_;
    std::uint64_t remaining_ = 0;
};

struct Pending {
    double due;
    std::string bytes;
};

// Bytes waiting to be written, in the chunks they were read in: writing part
// of it never moves the rest.
class ByteQueue {
public:
    void push(std::string bytes) {
        size_ += bytes.size();
        chunks_.push_back(std::move(bytes));
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    const char* data() const { return chunks_.front().data() + offset_; }
    std::size_t front_size() const { return chunks_.front().size() - offset_; }
    void consume(std::size_t n) {
        size_ -= n;
        offset_ += n;
        if (offset_ == chunks_.front().size()) {
            chunks_.pop_front();
            offset_ = 0;
        }
    }

private:
    std::deque<std::string> chunks_;
    std::size_t offset_ = 0;
    std::size_t size_ = 0;
};

struct Pair {
    int client = -1;
    int server = -1;
    bool connected = false;
    std::deque<Pending> up;    // client bytes waiting for their time
    std::size_t up_bytes = 0;  // in `up`
    ByteQueue up_ready;        // due, waiting for the server to take them
    ByteQueue down;            // server bytes the client has not taken yet
    ResponseFramer framer;
    std::deque<bool> head_requests;  // requests sent, oldest first: HEAD or not
    bool idle = true;                // no request outstanding on this connection
    double request_due = 0;          // when the current request's bytes may go
};

int g_epoll = -1;
std::unordered_map<int, std::shared_ptr<Pair>> g_pairs;  // by either fd
sockaddr_in g_upstream{};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void watch(int fd, std::uint32_t events, bool add) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    epoll_ctl(g_epoll, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

void close_pair(const std::shared_ptr<Pair>& pair) {
    if (!pair->idle) g_stats.change_in_flight(-static_cast<int>(pair->head_requests.size()));
    for (int fd : {pair->client, pair->server}) {
        if (fd < 0) continue;
        epoll_ctl(g_epoll, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        g_pairs.erase(fd);
    }
}

// Writes what it can of `buffer` to `fd`; false on a fatal error.
bool flush(int fd, ByteQueue& buffer) {
    while (!buffer.empty()) {
        const ssize_t n = send(fd, buffer.data(), buffer.front_size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        buffer.consume(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads from a side only while the other side keeps up (bounded buffers).
constexpr std::size_t kMaxBuffered = 16u << 20;

std::size_t pending_up(const Pair& pair) { return pair.up_ready.size() + pair.up_bytes; }

void update_interest(const std::shared_ptr<Pair>& pair) {
    std::uint32_t client = pending_up(*pair) < kMaxBuffered ? EPOLLIN : 0u;
    if (!pair->down.empty()) client |= EPOLLOUT;
    watch(pair->client, client, false);
    if (pair->connected) {
        std::uint32_t server = pair->down.size() < kMaxBuffered ? EPOLLIN : 0u;
        if (!pair->up_ready.empty()) server |= EPOLLOUT;
        watch(pair->server, server, false);
    }
}

// Moves due client bytes to the server.
bool release_due(const std::shared_ptr<Pair>& pair, double now) {
    while (!pair->up.empty() && pair->up.front().due <= now) {
        pair->up_bytes -= pair->up.front().bytes.size();
        pair->up_ready.push(std::move(pair->up.front().bytes));
        pair->up.pop_front();
    }
    return !pair->connected || flush(pair->server, pair->up_ready);
}

void on_client_data(const std::shared_ptr<Pair>& pair) {
    char buffer[256 * 1024];
    while (pending_up(*pair) < kMaxBuffered) {
        const ssize_t n = recv(pair->client, buffer, sizeof buffer, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            close_pair(pair);
            return;
        }
        if (n < 0) break;
        const double now = now_seconds();
        if (pair->idle) {  // HTTP/1.1 without pipelining: a new request starts
            pair->idle = false;
            pair->request_due = now + sample_delay();
            pair->head_requests.push_back(n >= 5 && std::memcmp(buffer, "HEAD ", 5) == 0);
            ++g_stats.requests;
            g_stats.change_in_flight(+1);
        }
        g_stats.bytes_up += n;
        pair->up_bytes += static_cast<std::size_t>(n);
        pair->up.push_back({std::max(now, pair->request_due), std::string(buffer, static_cast<std::size_t>(n))});
    }
    if (!release_due(pair, now_seconds())) {
        close_pair(pair);
        return;
    }
    update_interest(pair);
}

void on_server_data(const std::shared_ptr<Pair>& pair) {
    static char buffer[256 * 1024];
    for (;;) {
        const ssize_t n = recv(pair->server, buffer, sizeof buffer, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            flush(pair->client, pair->down);
            close_pair(pair);
            return;
        }
        if (n < 0) break;
        g_stats.bytes_down += n;
        const bool head = !pair->head_requests.empty() && pair->head_requests.front();
        int ended = pair->framer.feed(buffer, static_cast<std::size_t>(n), head);
        for (; ended > 0 && !pair->head_requests.empty(); --ended) {
            pair->head_requests.pop_front();
            g_stats.change_in_flight(-1);
        }
        pair->idle = pair->head_requests.empty();
        std::size_t sent = 0;
        if (pair->down.empty()) {  // the usual case: straight through, no copy
            const ssize_t m = send(pair->client, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                close_pair(pair);
                return;
            }
            sent = m > 0 ? static_cast<std::size_t>(m) : 0;
        }
        if (sent < static_cast<std::size_t>(n)) {
            pair->down.push(std::string(buffer + sent, static_cast<std::size_t>(n) - sent));
        }
        if (!flush(pair->client, pair->down)) {
            close_pair(pair);
            return;
        }
        if (pair->down.size() >= kMaxBuffered) break;  // the client is slow: wait for EPOLLOUT
    }
    update_interest(pair);
}

void accept_all(int listener) {
    for (;;) {
        const int client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
        if (client < 0) return;
        const int server = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        no_delay(client);
        no_delay(server);
        auto pair = std::make_shared<Pair>();
        pair->client = client;
        pair->server = server;
        if (connect(server, reinterpret_cast<sockaddr*>(&g_upstream), sizeof g_upstream) == 0) {
            pair->connected = true;
        }
        g_pairs[client] = pair;
        g_pairs[server] = pair;
        watch(client, EPOLLIN, true);
        watch(server, pair->connected ? EPOLLIN : EPOLLOUT, true);
    }
}

void on_command(const std::string& line) {
    if (line == "stats") {
        std::printf("%s\n", g_stats.json().c_str());
    } else if (line == "reset") {
        g_stats.reset();
        std::printf("ok\n");
    } else if (line.rfind("delay ", 0) == 0) {
        std::sscanf(line.c_str() + 6, "%lf %lf", &g_delay_ms, &g_sigma);
        std::printf("ok\n");
    } else {
        std::printf("unknown command: %s\n", line.c_str());
    }
    std::fflush(stdout);
}

int usage() {
    std::fprintf(stderr, "usage: latency_proxy --upstream HOST:PORT [--delay-ms D] [--sigma S] [--port P]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string upstream;
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        if (name == "--upstream")
            upstream = argv[i + 1];
        else if (name == "--delay-ms")
            g_delay_ms = std::atof(argv[i + 1]);
        else if (name == "--sigma")
            g_sigma = std::atof(argv[i + 1]);
        else if (name == "--port")
            port = std::atoi(argv[i + 1]);
        else
            return usage();
    }
    const auto colon = upstream.rfind(':');
    if (colon == std::string::npos) return usage();
    g_upstream.sin_family = AF_INET;
    g_upstream.sin_port = htons(static_cast<std::uint16_t>(std::atoi(upstream.c_str() + colon + 1)));
    if (inet_pton(AF_INET, upstream.substr(0, colon).c_str(), &g_upstream.sin_addr) != 1) return usage();

    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1024) != 0) {
        std::perror("latency_proxy: listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    std::printf("PORT %d\n", ntohs(address.sin_port));
    std::fflush(stdout);

    g_epoll = epoll_create1(0);
    watch(listener, EPOLLIN, true);
    set_nonblocking(STDIN_FILENO);
    watch(STDIN_FILENO, EPOLLIN, true);
    std::string command;
    std::vector<epoll_event> events(256);
    for (;;) {
        // Sleep until the next pending client bytes are due, at most 50 ms.
        double next_due = now_seconds() + 0.05;
        for (const auto& [fd, pair] : g_pairs) {
            if (fd == pair->client && !pair->up.empty()) next_due = std::min(next_due, pair->up.front().due);
        }
        const int timeout_ms = std::max(0, static_cast<int>(std::ceil((next_due - now_seconds()) * 1000)));
        const int ready = epoll_wait(g_epoll, events.data(), static_cast<int>(events.size()), timeout_ms);
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                accept_all(listener);
                continue;
            }
            if (fd == STDIN_FILENO) {
                char buffer[256];
                const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
                if (n == 0) return 0;
                for (ssize_t j = 0; j < n; ++j) {
                    if (buffer[j] == '\n') {
                        on_command(command);
                        command.clear();
                    } else {
                        command += buffer[j];
                    }
                }
                continue;
            }
            auto found = g_pairs.find(fd);
            if (found == g_pairs.end()) continue;
            std::shared_ptr<Pair> pair = found->second;
            const std::uint32_t what = events[i].events;
            if (fd == pair->server && !pair->connected && (what & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int error = 0;
                socklen_t size = sizeof error;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error != 0) {
                    close_pair(pair);
                    continue;
                }
                pair->connected = true;
            }
            if (what & EPOLLOUT) {
                if (!flush(fd == pair->client ? pair->client : pair->server,
                           fd == pair->client ? pair->down : pair->up_ready)) {
                    close_pair(pair);
                    continue;
                }
            }
            if (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                if (fd == pair->client)
                    on_client_data(pair);
                else
                    on_server_data(pair);
                if (g_pairs.find(fd) == g_pairs.end()) continue;
            }
            update_interest(pair);
        }
        const double now = now_seconds();
        std::vector<std::shared_ptr<Pair>> due;
        for (const auto& [fd, pair] : g_pairs) {
            if (fd == pair->client && !pair->up.empty() && pair->up.front().due <= now) due.push_back(pair);
        }
        for (const auto& pair : due) {
            if (!release_due(pair, now)) {
                close_pair(pair);
                continue;
            }
            update_interest(pair);
        }
    }
}
