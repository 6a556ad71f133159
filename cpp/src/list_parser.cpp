#include "list_parser.hpp"

#include "etag.hpp"

#include <aws/common/date_time.h>
#include <aws/common/error.h>
#include <aws/common/xml_parser.h>

#include <cstdlib>

#include "addressing.hpp"
#include "runtime.hpp"

namespace s3conn::detail {
namespace {

struct ParseState {
    ListObjectsPage* page;
    bool is_list_result = false;
    bool declares_url_encoding = false;  // <EncodingType>url</EncodingType>
    ObjectInfo* current = nullptr;
};

bool named(aws_xml_node* node, const char* name) {
    const aws_byte_cursor node_name = aws_xml_node_get_name(node);
    return aws_byte_cursor_eq_c_str(&node_name, name);
}

// Text of an element with XML entities (&amp; ...) resolved.
std::string text_of(aws_xml_node* node) {
    aws_byte_buf buf;
    aws_byte_buf_init(&buf, allocator(), 64);
    std::string out;
    if (aws_xml_node_as_body_unescaped(allocator(), node, &buf) == AWS_OP_SUCCESS) {
        out.assign(reinterpret_cast<const char*>(buf.buffer), buf.len);
    } else {
        aws_reset_error();
    }
    aws_byte_buf_clean_up(&buf);
    return out;
}

// With encoding-type=url S3 form-encodes keys: a space is '+', a plus %2B.
std::string form_decode(std::string text) {
    for (char& c : text) {
        if (c == '+') c = ' ';
    }
    return percent_decode(text);
}

int on_contents_child(aws_xml_node* node, void* user_data) {
    auto& state = *static_cast<ParseState*>(user_data);
    ObjectInfo& info = *state.current;
    if (named(node, "Key")) {
        info.key = text_of(node);
    } else if (named(node, "Size")) {
        info.size = std::strtoull(text_of(node).c_str(), nullptr, 10);
    } else if (named(node, "ETag")) {
        info.etag = normalize_etag(text_of(node));
    } else if (named(node, "LastModified")) {
        info.last_modified = parse_timestamp(text_of(node));
    } else if (named(node, "StorageClass")) {
        info.storage_class = text_of(node);
    }
    return AWS_OP_SUCCESS;
}

int on_prefix_child(aws_xml_node* node, void* user_data) {
    auto& state = *static_cast<ParseState*>(user_data);
    if (named(node, "Prefix")) state.page->common_prefixes.push_back(text_of(node));
    return AWS_OP_SUCCESS;
}

int on_result_child(aws_xml_node* node, void* user_data) {
    auto& state = *static_cast<ParseState*>(user_data);
    ListObjectsPage& page = *state.page;
    if (named(node, "Contents")) {
        page.objects.emplace_back();
        state.current = &page.objects.back();
        return aws_xml_node_traverse(node, on_contents_child, &state);
    }
    if (named(node, "CommonPrefixes")) return aws_xml_node_traverse(node, on_prefix_child, &state);
    if (named(node, "NextContinuationToken")) {
        page.next_continuation_token = text_of(node);
    } else if (named(node, "IsTruncated")) {
        page.is_truncated = text_of(node) == "true";
    } else if (named(node, "EncodingType")) {
        state.declares_url_encoding = text_of(node) == "url";
    }
    return AWS_OP_SUCCESS;
}

int on_root(aws_xml_node* node, void* user_data) {
    auto& state = *static_cast<ParseState*>(user_data);
    if (!named(node, "ListBucketResult")) return AWS_OP_SUCCESS;
    state.is_list_result = true;
    return aws_xml_node_traverse(node, on_result_child, &state);
}

}  // namespace

bool parse_list_objects(std::string_view xml, bool url_encoded, ListObjectsPage& page) {
    ParseState state{&page};
    aws_xml_parser_options options{};
    options.doc = aws_byte_cursor_from_array(xml.data(), xml.size());
    options.on_root_encountered = on_root;
    options.user_data = &state;
    if (aws_xml_parse(allocator(), &options) != AWS_OP_SUCCESS) {
        aws_reset_error();
        return false;
    }
    if (!page.is_truncated) page.next_continuation_token.clear();
    // Decoded only when the answer says it is encoded, as botocore does: some
    // servers ignore encoding-type=url, and their "p+q" is a plus, not a space.
    if (url_encoded && state.declares_url_encoding) {
        for (ObjectInfo& info : page.objects) info.key = form_decode(std::move(info.key));
        for (std::string& prefix : page.common_prefixes) prefix = form_decode(std::move(prefix));
    }
    return state.is_list_result;
}

std::int64_t parse_timestamp(std::string_view text) {
    if (text.empty()) return 0;
    const aws_byte_cursor cursor = aws_byte_cursor_from_array(text.data(), text.size());
    aws_date_time date;
    if (aws_date_time_init_from_str_cursor(&date, &cursor, AWS_DATE_FORMAT_AUTO_DETECT) != AWS_OP_SUCCESS) {
        aws_reset_error();
        return 0;
    }
    return static_cast<std::int64_t>(aws_date_time_as_epoch_secs(&date));
}

}  // namespace s3conn::detail
