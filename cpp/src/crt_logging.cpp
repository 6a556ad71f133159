#include "crt_logging.hpp"

#include <strings.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include <aws/common/logging.h>
#include <aws/common/thread.h>

namespace s3conn::detail {
namespace {

struct RedactingLogger {
    aws_logger logger{};
    FILE* file = nullptr;
    bool owns_file = false;
    aws_log_level level = AWS_LL_NONE;
    std::mutex mutex;
};

// Markers after which a secret value follows, up to a delimiter.
constexpr const char* kSecretMarkers[] = {
    "x-amz-security-token:",  // canonical request and header dumps
    "x-amz-security-token=",  // presigned query strings
    "signature=",             // Authorization header, presigned query strings
    "aws_secret_access_key",  // a profile file's contents, were it ever logged
};

bool is_delimiter(char c) { return c == '\n' || c == '\r' || c == '&' || c == ',' || c == '"' || c == '\''; }

int s_log(aws_logger* logger, aws_log_level level, aws_log_subject_t subject, const char* format, ...) {
    auto* self = static_cast<RedactingLogger*>(logger->p_impl);
    va_list args;
    va_start(args, format);
    va_list sizing;
    va_copy(sizing, args);
    const int length = std::vsnprintf(nullptr, 0, format, sizing);
    va_end(sizing);
    std::string message(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
    if (length > 0) std::vsnprintf(message.data(), message.size() + 1, format, args);
    va_end(args);
    redact_secrets(message);

    char when[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    char thread[AWS_THREAD_ID_T_REPR_BUFSZ];
    aws_thread_id_t_to_string(aws_thread_current_thread_id(), thread, sizeof thread);
    const char* level_name = "?";
    aws_log_level_to_string(level, &level_name);

    std::lock_guard lock(self->mutex);
    std::fprintf(self->file, "[%s] [%s] [%s] [%s] - %s\n", level_name, when, thread, aws_log_subject_name(subject),
                 message.c_str());
    std::fflush(self->file);
    return AWS_OP_SUCCESS;
}

aws_log_level s_get_level(aws_logger* logger, aws_log_subject_t) {
    return static_cast<RedactingLogger*>(logger->p_impl)->level;
}

void s_clean_up(aws_logger* logger) {
    auto* self = static_cast<RedactingLogger*>(logger->p_impl);
    if (self->owns_file) std::fclose(self->file);
    self->file = nullptr;
}

int s_set_level(aws_logger* logger, aws_log_level level) {
    static_cast<RedactingLogger*>(logger->p_impl)->level = level;
    return AWS_OP_SUCCESS;
}

aws_logger_vtable g_vtable = {s_log, s_get_level, s_clean_up, s_set_level};

}  // namespace

void redact_secrets(std::string& text) {
    for (const char* marker : kSecretMarkers) {
        const std::size_t marker_length = std::char_traits<char>::length(marker);
        for (std::size_t at = 0; at + marker_length <= text.size();) {
            if (strncasecmp(text.c_str() + at, marker, marker_length) != 0) {
                ++at;
                continue;
            }
            std::size_t start = at + marker_length;
            while (start < text.size() && (text[start] == ' ' || text[start] == '=' || text[start] == ':')) ++start;
            std::size_t end = start;
            while (end < text.size() && !is_delimiter(text[end])) ++end;
            static const std::string kRedacted = "<redacted>";
            text.replace(start, end - start, kRedacted);
            at = start + kRedacted.size();
        }
    }
}

void start_crt_logging_from_environment(aws_allocator* allocator) {
    const char* level_name = std::getenv("S3CONN_CRT_LOG_LEVEL");
    if (level_name == nullptr || *level_name == '\0') return;
    aws_log_level level = AWS_LL_NONE;
    if (aws_string_to_log_level(level_name, &level) != AWS_OP_SUCCESS || level == AWS_LL_NONE) {
        std::fprintf(stderr, "s3conn: ignoring S3CONN_CRT_LOG_LEVEL=%s (use error, warn, info, debug or trace)\n",
                     level_name);
        return;
    }
    // Lives as long as the process: CRT threads may log until the very end.
    auto* self = new RedactingLogger();
    const char* path = std::getenv("S3CONN_CRT_LOG_FILE");
    if (path != nullptr && *path != '\0') {
        self->file = std::fopen(path, "a");
        self->owns_file = self->file != nullptr;
        if (self->file == nullptr) std::fprintf(stderr, "s3conn: cannot open S3CONN_CRT_LOG_FILE=%s\n", path);
    }
    if (self->file == nullptr) self->file = stderr;
    self->level = level;
    self->logger.vtable = &g_vtable;
    self->logger.allocator = allocator;
    self->logger.p_impl = self;
    aws_logger_set(&self->logger);
}

}  // namespace s3conn::detail
