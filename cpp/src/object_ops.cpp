// The request/response operations: HeadObject, ListObjectsV2, DeleteObject,
// CopyObject. Each is one DEFAULT meta request whose caller waits for the end.
#include <cstdlib>

#include "addressing.hpp"
#include "etag.hpp"
#include "client_state.hpp"
#include "list_parser.hpp"
#include "operation.hpp"
#include "s3conn/client.hpp"
#include "version_check.hpp"

namespace s3conn {
namespace {

using detail::HttpRequest;
using detail::Operation;

// Runs one request to the end; throws S3Error on failure.
std::shared_ptr<Operation> run(detail::ClientState& client, const char* operation, const HttpRequest& request,
                               std::string context_key, detail::Pool pool = detail::Pool::kDefault) {
    auto op = std::make_shared<Operation>(client.stack(),
                                          detail::ErrorContext{operation, request.bucket, std::move(context_key)});
    aws_s3_meta_request_options options{};
    options.type = AWS_S3_META_REQUEST_TYPE_DEFAULT;
    op->start(request, options, pool);
    struct Detach {
        Operation& op;
        ~Detach() { op.detach(); }
    } detach{*op};
    op->wait_finished();
    op->throw_if_failed();
    return op;
}

}  // namespace

ObjectInfo Client::head_object(const std::string& bucket, const std::string& key, std::shared_ptr<VersionPin> version) {
    detail::check_location("HeadObject", bucket, key);
    detail::VersionCheck check(version, std::nullopt);
    HttpRequest http{"HEAD", bucket, key, "", {}};
    if (std::string if_match = check.if_match(); !if_match.empty()) http.headers.emplace_back("If-Match", if_match);
    std::shared_ptr<Operation> op;
    try {
        op = run(*state_, "HeadObject", http, key);
    } catch (const S3Error& error) {
        ErrorDetails details = error.details();
        check.explain_precondition_failure(details);
        throw S3Error(std::move(details));
    }
    ObjectInfo info;
    info.key = key;
    info.size = std::strtoull(op->response_header("Content-Length").c_str(), nullptr, 10);
    info.etag = detail::normalize_etag(op->response_header("ETag"));
    detail::Attempt attempt;
    attempt.status = op->response_status();
    attempt.etag = info.etag;
    if (auto changed = check.check(op->context(), attempt)) throw S3Error(std::move(*changed));
    info.last_modified = detail::parse_timestamp(op->response_header("Last-Modified"));
    info.storage_class = op->response_header("x-amz-storage-class");
    if (info.storage_class.empty()) info.storage_class = "STANDARD";
    return info;
}

ListObjectsPage Client::list_objects(const ListObjectsRequest& request) {
    detail::check_bucket("ListObjectsV2", request.bucket);
    if (request.max_keys < 1 || request.max_keys > 1000) {
        throw std::invalid_argument("ListObjectsV2: max_keys must be between 1 and 1000, not " +
                                    std::to_string(request.max_keys));
    }
    std::vector<std::pair<std::string, std::string>> params = {{"list-type", "2"}, {"encoding-type", "url"}};
    if (!request.continuation_token.empty()) params.emplace_back("continuation-token", request.continuation_token);
    if (!request.delimiter.empty()) params.emplace_back("delimiter", request.delimiter);
    params.emplace_back("max-keys", std::to_string(request.max_keys));
    if (!request.prefix.empty()) params.emplace_back("prefix", request.prefix);
    if (!request.start_after.empty()) params.emplace_back("start-after", request.start_after);

    HttpRequest http{"GET", request.bucket, "", detail::query_string(params), {}};
    auto op = run(*state_, "ListObjectsV2", http, request.prefix);
    ListObjectsPage page;
    if (!detail::parse_list_objects(op->response_body(), true, page)) {
        ErrorDetails details;
        details.code = "InvalidResponse";
        details.operation = "ListObjectsV2";
        details.bucket = request.bucket;
        details.http_status = op->response_status();
        details.message = "the response is not a ListBucketResult document";
        throw S3Error(std::move(details));
    }
    return page;
}

void Client::delete_object(const std::string& bucket, const std::string& key) {
    detail::check_location("DeleteObject", bucket, key);
    run(*state_, "DeleteObject", HttpRequest{"DELETE", bucket, key, "", {}}, key);
}

void Client::copy_object(const std::string& source_bucket, const std::string& source_key,
                         const std::string& destination_bucket, const std::string& destination_key) {
    detail::check_location("CopyObject", source_bucket, source_key);
    detail::check_location("CopyObject", destination_bucket, destination_key);
    HttpRequest http{"PUT", destination_bucket, destination_key, "", {}};
    http.headers.emplace_back("x-amz-copy-source",
                              detail::percent_encode("/" + source_bucket + "/" + source_key, true));
    try {
        // A large copy can be silent for minutes before S3 answers.
        run(*state_, "CopyObject", http, destination_key, detail::Pool::kUploads);
    } catch (const S3Error& error) {
        // S3 reports a missing source as NoSuchKey on the copy's own request;
        // the object that is missing is the source, so name it.
        if (error.code() != "NoSuchKey") throw;
        ErrorDetails details = error.details();
        details.bucket = source_bucket;
        details.key = source_key;
        details.message =
            "the source of the copy (to s3://" + destination_bucket + "/" + destination_key + ") does not exist";
        throw S3Error(std::move(details));
    }
}

}  // namespace s3conn
