#include "runtime.hpp"

#include <aws/common/logging.h>
#include <aws/s3/s3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "s3conn/interrupt.hpp"

namespace s3conn {
namespace {

InterruptCheck& interrupt_check() {
    static InterruptCheck check;
    return check;
}

// CRT logging is opt-in through the environment so that no caller has to wire
// it up: S3CONN_CRT_LOG_LEVEL=error|warn|info|debug|trace, and optionally
// S3CONN_CRT_LOG_FILE=path (stderr otherwise). The CRT writes from its own
// threads straight to the file; nothing calls back into the host language.
void start_logging(aws_allocator* alloc) {
    const char* level_name = std::getenv("S3CONN_CRT_LOG_LEVEL");
    if (level_name == nullptr || *level_name == '\0') {
        return;
    }
    aws_log_level level = AWS_LL_NONE;
    if (aws_string_to_log_level(level_name, &level) != AWS_OP_SUCCESS || level == AWS_LL_NONE) {
        std::fprintf(stderr, "s3conn: ignoring S3CONN_CRT_LOG_LEVEL=%s (use error, warn, info, debug or trace)\n",
                     level_name);
        return;
    }
    static aws_logger logger;
    aws_logger_standard_options options{};
    options.level = level;
    const char* file = std::getenv("S3CONN_CRT_LOG_FILE");
    if (file != nullptr && *file != '\0') {
        options.filename = file;
    } else {
        options.file = stderr;
    }
    if (aws_logger_init_standard(&logger, alloc, &options) == AWS_OP_SUCCESS) {
        aws_logger_set(&logger);
    }
}

}  // namespace

void set_interrupt_check(InterruptCheck check) { interrupt_check() = std::move(check); }

namespace detail {

aws_allocator* allocator() {
    // Never cleaned up: aws_s3_library_clean_up joins the CRT's managed threads
    // without a bound, which can hang a process at exit.
    static aws_allocator* const alloc = [] {
        aws_allocator* a = aws_default_allocator();
        aws_s3_library_init(a);
        start_logging(a);
        return a;
    }();
    return alloc;
}

void check_interrupt() {
    const InterruptCheck& check = interrupt_check();
    if (check) {
        check();
    }
}

}  // namespace detail
}  // namespace s3conn
