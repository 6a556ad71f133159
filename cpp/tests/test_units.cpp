// Pure functions: addressing, encoding, XML parsing, configuration checks.
// No server needed.
#include "addressing.hpp"
#include "crt_errors.hpp"
#include "crt_logging.hpp"
#include "harness.hpp"
#include "list_parser.hpp"

using namespace s3conn;
using namespace s3conn::detail;

S3CONN_TEST(endpoint_parsing) {
    Endpoint e = parse_endpoint("http://127.0.0.1:9000", "us-east-1", false);
    CHECK_EQ(e.scheme, std::string("http"));
    CHECK_EQ(e.host, std::string("127.0.0.1"));
    CHECK_EQ(e.port, 9000);
    CHECK(e.path_style);  // an IP address cannot be a virtual host

    e = parse_endpoint("https://s3.example.com/", "eu-west-1", false);
    CHECK(e.is_tls());
    CHECK_EQ(e.port, 0);
    CHECK(!e.path_style);

    e = parse_endpoint("", "eu-west-1", false);
    CHECK_EQ(e.host, std::string("s3.eu-west-1.amazonaws.com"));

    e = parse_endpoint("http://[::1]:8080", "us-east-1", false);
    CHECK_EQ(e.host, std::string("::1"));
    CHECK_EQ(e.port, 8080);

    for (const char* bad : {"127.0.0.1:9000", "ftp://host", "http://host:0", "http://host:99999", "http://host/path",
                            "http://user:pw@host", "http://", "http://host:", "http://host:12ab"}) {
        bool threw = false;
        try {
            parse_endpoint(bad, "us-east-1", false);
        } catch (const std::invalid_argument& error) {
            threw = std::string(error.what()).find(bad) != std::string::npos;
        }
        if (!threw) harness::fail(__FILE__, __LINE__, std::string("accepted or unclear for ") + bad, false);
    }
}

S3CONN_TEST(targets) {
    Target t = target_for(parse_endpoint("http://127.0.0.1:9000", "r", false), "bkt", "a b/c+d");
    CHECK_EQ(t.host, std::string("127.0.0.1:9000"));
    CHECK_EQ(t.path, std::string("/bkt/a%20b/c%2Bd"));
    CHECK_EQ(t.endpoint_uri, std::string("http://127.0.0.1:9000"));

    t = target_for(parse_endpoint("", "us-west-2", false), "bkt", "k//x");
    CHECK_EQ(t.host, std::string("bkt.s3.us-west-2.amazonaws.com"));
    CHECK_EQ(t.path, std::string("/k//x"));

    t = target_for(parse_endpoint("", "us-west-2", false), "dotted.bucket", "k");
    CHECK_EQ(t.host, std::string("s3.us-west-2.amazonaws.com"));
    CHECK_EQ(t.path, std::string("/dotted.bucket/k"));

    t = target_for(parse_endpoint("http://127.0.0.1:9000", "r", false), "bkt", "");
    CHECK_EQ(t.path, std::string("/bkt"));
}

S3CONN_TEST(percent_encoding_round_trips) {
    CHECK_EQ(percent_encode("a-b_c.d~e/f g", true), std::string("a-b_c.d~e/f%20g"));
    CHECK_EQ(percent_encode("a/b", false), std::string("a%2Fb"));
    CHECK_EQ(percent_encode("\xc3\xa9", true), std::string("%C3%A9"));
    const std::string all = [] {
        std::string s;
        for (int c = 1; c < 256; ++c) s += static_cast<char>(c);
        return s;
    }();
    CHECK_EQ(percent_decode(percent_encode(all, true)), all);
    CHECK_EQ(percent_decode("100%"), std::string("100%"));
    CHECK_EQ(percent_decode("%zz%4"), std::string("%zz%4"));
    CHECK_EQ(percent_decode("a+b"), std::string("a+b"));
    CHECK_EQ(query_string({{"list-type", "2"}, {"prefix", "a b&c"}}), std::string("?list-type=2&prefix=a%20b%26c"));
}

S3CONN_TEST(list_result_parsing) {
    const char* xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>b</Name><Prefix>p%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
        "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</"
        "NextContinuationToken>"
        "<Contents><Key>p/a%20b</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>"
        "<ETag>&quot;abc&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>p/%C3%A9%26</Key><Size>0</Size><ETag>\"d\"</ETag></Contents>"
        "<CommonPrefixes><Prefix>p/dir%2B/</Prefix></CommonPrefixes>"
        "</ListBucketResult>";
    ListObjectsPage page;
    REQUIRE(parse_list_objects(xml, true, page));
    REQUIRE(page.objects.size() == 2);
    CHECK_EQ(page.objects[0].key, std::string("p/a b"));
    CHECK_EQ(page.objects[0].size, std::uint64_t{123});
    CHECK_EQ(page.objects[0].etag, std::string("abc"));
    CHECK_EQ(page.objects[0].last_modified, std::int64_t{1704164645});
    CHECK_EQ(page.objects[1].key, std::string("p/\xc3\xa9&"));
    REQUIRE(page.common_prefixes.size() == 1);
    CHECK_EQ(page.common_prefixes[0], std::string("p/dir+/"));
    CHECK(page.is_truncated);
    CHECK_EQ(page.next_continuation_token, std::string("tok+/="));

    // A server that ignores encoding-type=url (no <EncodingType>): as sent.
    ListObjectsPage raw;
    REQUIRE(
        parse_list_objects("<ListBucketResult><IsTruncated>false</IsTruncated>"
                           "<Contents><Key>p+q%20r</Key><Size>1</Size></Contents>"
                           "<CommonPrefixes><Prefix>d+/</Prefix></CommonPrefixes></ListBucketResult>",
                           true, raw));
    CHECK_EQ(raw.objects.at(0).key, std::string("p+q%20r"));
    CHECK_EQ(raw.common_prefixes.at(0), std::string("d+/"));

    ListObjectsPage other;
    CHECK(!parse_list_objects("<Error><Code>NoSuchBucket</Code></Error>", true, other));
    CHECK(!parse_list_objects("not xml at all", true, other));
    CHECK(!parse_list_objects("", true, other));
}

S3CONN_TEST(error_body_parsing) {
    ErrorDetails details;
    parse_error_body(
        "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The key &amp; more</Message>"
        "<RequestId>R1</RequestId></Error>",
        details);
    CHECK_EQ(details.code, std::string("NoSuchKey"));
    CHECK_EQ(details.request_id, std::string("R1"));
    CHECK(!details.message.empty());
    ErrorDetails untouched;
    parse_error_body("garbage", untouched);
    CHECK(untouched.code.empty());
    CHECK_EQ(code_for_status(404), std::string("NotFound"));
    CHECK_EQ(code_for_status(403), std::string("AccessDenied"));
    CHECK_EQ(code_for_status(599), std::string("HTTP599"));
}

S3CONN_TEST(error_messages_say_what_and_where) {
    ErrorDetails d;
    d.operation = "GetObject";
    d.bucket = "b";
    d.key = "k";
    d.code = "NoSuchBucket";
    d.http_status = 404;
    d.message = "The specified bucket does not exist";
    d.request_id = "REQ";
    S3Error error(d);
    const std::string what = error.what();
    for (const char* part : {"GetObject", "s3://b/k", "NoSuchBucket", "404", "does not exist", "REQ", "region"}) {
        if (what.find(part) == std::string::npos) harness::fail(__FILE__, __LINE__, what + " lacks " + part, false);
    }
    CHECK(error.is_not_found());
    CHECK(!error.is_access_denied());
}

S3CONN_TEST(config_validation) {
    auto rejects = [](ClientConfig c, const char* field) {
        try {
            validate(c);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what()).find(field) != std::string::npos;
        }
        return false;
    };
    ClientConfig c;
    validate(c);
    c.part_size = 5 * kMiB - 1;
    CHECK(rejects(c, "part_size"));
    c = {};
    c.part_size = 5 * kGiB + 1;
    CHECK(rejects(c, "part_size"));
    c = {};
    c.max_attempts = 0;
    CHECK(rejects(c, "max_attempts"));
    c = {};
    c.unsigned_requests = true;
    c.requester_pays = true;
    CHECK(rejects(c, "requester_pays"));
    c = {};
    c.throughput_target_gbps = 0;
    CHECK(rejects(c, "throughput_target_gbps"));
    c = {};
    c.endpoint = "localhost:9000";
    CHECK(rejects(c, "endpoint"));
    c = {};
    c.memory_limit_bytes = 1;
    CHECK(rejects(c, "memory_limit_bytes"));
    c = {};
    c.credentials = StaticCredentials{"AK", "", ""};
    CHECK(rejects(c, "credentials"));
    CHECK_THROWS_AS(Client(c), std::invalid_argument);
}

S3CONN_TEST(bucket_and_key_checks) {
    CHECK(check_bucket_name("ok-bucket.name_1").empty());
    CHECK(!check_bucket_name("").empty());
    CHECK(!check_bucket_name("a/b").empty());
    CHECK(!check_bucket_name("has space").empty());
    CHECK(check_key("k").empty());
    CHECK(!check_key("").empty());
    CHECK(!check_key(std::string(1025, 'x')).empty());
    CHECK(check_key(std::string(1024, 'x')).empty());
    Client client{ClientConfig{}};
    CHECK_THROWS_AS(client.head_object("", "k"), std::invalid_argument);
    CHECK_THROWS_AS(client.get_object({"b", "", std::nullopt, std::nullopt}), std::invalid_argument);
    CHECK_THROWS_AS(client.put_object({"b", std::string(2000, 'k'), "", ""}), std::invalid_argument);
    ListObjectsRequest list;
    list.bucket = "b";
    list.max_keys = 0;
    CHECK_THROWS_AS(client.list_objects(list), std::invalid_argument);
}

S3CONN_TEST(log_lines_lose_their_secrets) {
    std::string line =
        "canonical request\nx-amz-security-token:SESSIONTOKEN123\nhost:h\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=abcdef0123\n"
        "GET /k?X-Amz-Security-Token=QUERYTOKEN&X-Amz-Signature=99&x=1 X-AMZ-SECURITY-TOKEN: UPPER";
    redact_secrets(line);
    for (const char* secret : {"SESSIONTOKEN123", "abcdef0123", "QUERYTOKEN", "UPPER", "=99"}) {
        if (line.find(secret) != std::string::npos) harness::fail(__FILE__, __LINE__, line + " keeps " + secret, false);
    }
    CHECK(line.find("host:h") != std::string::npos);
    CHECK(line.find("x=1") != std::string::npos);
    CHECK(line.find("x-amz-security-token:<redacted>") != std::string::npos);
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, false); }
