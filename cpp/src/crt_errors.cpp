#include "crt_errors.hpp"

#include <aws/common/error.h>
#include <aws/common/xml_parser.h>
#include <aws/http/request_response.h>
#include <aws/s3/s3.h>
#include <aws/s3/s3_client.h>

#include "runtime.hpp"

namespace s3conn::detail {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::string code_for_crt_error(int error_code) {
    switch (error_code) {
        case AWS_ERROR_S3_CANCELED:
            return "Cancelled";
        case AWS_ERROR_S3_SLOW_DOWN:
            return "SlowDown";
        case AWS_ERROR_S3_INTERNAL_ERROR:
            return "InternalError";
        case AWS_ERROR_S3_RESPONSE_CHECKSUM_MISMATCH:
            return "ChecksumMismatch";
        case AWS_ERROR_S3_REQUEST_TIMEOUT:
            return "Timeout";
        case AWS_ERROR_S3_REQUEST_TIME_TOO_SKEWED:
            return "RequestTimeTooSkewed";
        case AWS_ERROR_S3_OBJECT_MODIFIED:
            return "ObjectChanged";
        case AWS_ERROR_S3_INCORRECT_CONTENT_LENGTH:
            return "IncompleteBody";
        default:
            break;
    }
    const std::string_view name = aws_error_name(error_code);
    if (name == "AWS_IO_SOCKET_CONNECTION_REFUSED") return "ConnectionRefused";
    if (starts_with(name, "AWS_IO_DNS")) return "DnsError";
    if (starts_with(name, "AWS_IO_TLS")) return "TlsError";
    if (contains(name, "TIMEOUT")) return "Timeout";
    if (starts_with(name, "AWS_IO_SOCKET") || starts_with(name, "AWS_ERROR_HTTP")) return "NetworkError";
    if (starts_with(name, "AWS_AUTH")) return "CredentialsError";
    return "ClientError";
}

struct ErrorXml {
    ErrorDetails* details;
};

int on_error_child(aws_xml_node* node, void* user_data) {
    auto* out = static_cast<ErrorXml*>(user_data)->details;
    const aws_byte_cursor name = aws_xml_node_get_name(node);
    aws_byte_cursor body{};
    if (aws_xml_node_as_body(node, &body) != AWS_OP_SUCCESS) return AWS_OP_SUCCESS;
    const std::string value(reinterpret_cast<const char*>(body.ptr), body.len);
    if (aws_byte_cursor_eq_c_str(&name, "Code")) {
        out->code = value;
    } else if (aws_byte_cursor_eq_c_str(&name, "Message")) {
        out->message = value;
    } else if (aws_byte_cursor_eq_c_str(&name, "RequestId") && out->request_id.empty()) {
        out->request_id = value;
    }
    return AWS_OP_SUCCESS;
}

int on_error_root(aws_xml_node* node, void* user_data) {
    const aws_byte_cursor name = aws_xml_node_get_name(node);
    if (!aws_byte_cursor_eq_c_str(&name, "Error")) return AWS_OP_SUCCESS;
    return aws_xml_node_traverse(node, on_error_child, user_data);
}

std::string header_value(const aws_http_headers* headers, const char* name) {
    if (headers == nullptr) return {};
    aws_byte_cursor value{};
    if (aws_http_headers_get(headers, aws_byte_cursor_from_c_str(name), &value) != AWS_OP_SUCCESS) return {};
    return std::string(reinterpret_cast<const char*>(value.ptr), value.len);
}

}  // namespace

bool is_tls_failure(int error_code) { return starts_with(aws_error_name(error_code), "AWS_IO_TLS"); }

std::string code_for_status(int status) {
    switch (status) {
        case 301:
            return "PermanentRedirect";
        case 304:
            return "NotModified";
        case 400:
            return "BadRequest";
        case 403:
            return "AccessDenied";
        case 404:
            return "NotFound";
        case 405:
            return "MethodNotAllowed";
        case 409:
            return "Conflict";
        case 412:
            return "PreconditionFailed";
        case 416:
            return "InvalidRange";
        case 429:
            return "TooManyRequests";
        case 500:
            return "InternalError";
        case 501:
            return "NotImplemented";
        case 503:
            return "SlowDown";
        default:
            return "HTTP" + std::to_string(status);
    }
}

void parse_error_body(std::string_view body, ErrorDetails& details) {
    if (body.empty()) return;
    ErrorXml state{&details};
    aws_xml_parser_options options{};
    options.doc = aws_byte_cursor_from_array(body.data(), body.size());
    options.on_root_encountered = on_error_root;
    options.user_data = &state;
    if (aws_xml_parse(allocator(), &options) != AWS_OP_SUCCESS) aws_reset_error();
}

ErrorDetails from_crt_error(const ErrorContext& context, int error_code) {
    ErrorDetails details;
    details.operation = context.operation;
    details.bucket = context.bucket;
    details.key = context.key;
    details.endpoint = context.endpoint;
    details.crt_error_code = error_code;
    details.crt_error = aws_error_name(error_code);
    details.code = code_for_crt_error(error_code);
    details.message = aws_error_str(error_code);
    return details;
}

ErrorDetails from_meta_request_result(const ErrorContext& context, const aws_s3_meta_request_result& result,
                                      int last_status, const std::string& last_request_id) {
    ErrorDetails details = from_crt_error(context, result.error_code);
    const int status = result.response_status != 0 ? result.response_status : last_status;
    if (result.error_code == AWS_ERROR_S3_INVALID_RESPONSE_STATUS || status >= 300) {
        details.http_status = status;
        details.code = code_for_status(status);
        details.message.clear();
        if (result.error_response_body != nullptr) {
            parse_error_body(std::string_view(reinterpret_cast<const char*>(result.error_response_body->buffer),
                                              result.error_response_body->len),
                             details);
        }
        if (details.message.empty() && result.error_code != AWS_ERROR_S3_INVALID_RESPONSE_STATUS) {
            details.message = aws_error_str(result.error_code);
        }
    }
    std::string request_id = header_value(result.error_response_headers, "x-amz-request-id");
    if (!request_id.empty()) {
        details.request_id = request_id;
    } else if (details.request_id.empty()) {
        details.request_id = last_request_id;
    }
    return details;
}

void throw_crt_error(const ErrorContext& context, int crt_error_code) {
    throw S3Error(from_crt_error(context, crt_error_code));
}

}  // namespace s3conn::detail
