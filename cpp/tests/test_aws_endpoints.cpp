// AWS's host names for every endpoint form, as AWS documents them:
// regional endpoints (docs.aws.amazon.com/general/latest/gr/s3.html), FIPS and
// dual-stack (AmazonS3/latest/userguide/dual-stack-endpoints.html), the China
// regions (amazonaws.com.cn), access points (creating-access-points.html:
// <name>-<account>.s3-accesspoint.<region>.amazonaws.com) and directory
// buckets (s3-express-networking.html: <bucket>.s3express-<zone-id>.<region>
// .amazonaws.com, and s3express-<zone-id>.dualstack.<region>... for IPv6).
// FIPS with dual-stack for access points is the form of AWS's endpoint rule
// tests (<name>-<account>.s3-accesspoint-fips.dualstack.<region>...), and
// for zones s3express-fips-<zone-id>.dualstack.<region>. No server needed.
#include <string>

#include "addressing.hpp"
#include "harness.hpp"

using namespace s3conn::detail;

namespace {

struct Row {
    const char* region;
    bool fips;
    bool dualstack;
    const char* bucket;
    const char* host;  // the Host header of GET <bucket>/key
    const char* path;
};

constexpr const char* kArn = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap";

const Row kRows[] = {
    // Regional endpoints of each partition.
    {"us-east-1", false, false, "bkt", "bkt.s3.us-east-1.amazonaws.com", "/k"},
    {"eu-central-1", false, false, "bkt", "bkt.s3.eu-central-1.amazonaws.com", "/k"},
    {"cn-north-1", false, false, "bkt", "bkt.s3.cn-north-1.amazonaws.com.cn", "/k"},
    {"cn-northwest-1", false, true, "bkt", "bkt.s3.dualstack.cn-northwest-1.amazonaws.com.cn", "/k"},
    {"us-gov-west-1", false, false, "bkt", "bkt.s3.us-gov-west-1.amazonaws.com", "/k"},
    {"us-gov-west-1", true, false, "bkt", "bkt.s3-fips.us-gov-west-1.amazonaws.com", "/k"},
    {"us-gov-east-1", true, true, "bkt", "bkt.s3-fips.dualstack.us-gov-east-1.amazonaws.com", "/k"},
    {"us-iso-east-1", false, false, "bkt", "bkt.s3.us-iso-east-1.c2s.ic.gov", "/k"},
    {"us-isob-east-1", false, false, "bkt", "bkt.s3.us-isob-east-1.sc2s.sgov.gov", "/k"},
    // FIPS and dual-stack in the commercial partition.
    {"us-east-2", true, false, "bkt", "bkt.s3-fips.us-east-2.amazonaws.com", "/k"},
    {"us-west-2", false, true, "bkt", "bkt.s3.dualstack.us-west-2.amazonaws.com", "/k"},
    {"us-west-2", true, true, "bkt", "bkt.s3-fips.dualstack.us-west-2.amazonaws.com", "/k"},
    // A dotted bucket stays path style over TLS, with every option.
    {"us-west-2", true, true, "my.bucket", "s3-fips.dualstack.us-west-2.amazonaws.com", "/my.bucket/k"},
    // Access points: their own virtual host, the key as the whole path.
    {"us-west-2", false, false, kArn, "my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com", "/k"},
    {"us-west-2", true, false, kArn, "my-ap-123456789012.s3-accesspoint-fips.us-west-2.amazonaws.com", "/k"},
    {"us-west-2", false, true, kArn, "my-ap-123456789012.s3-accesspoint.dualstack.us-west-2.amazonaws.com", "/k"},
    {"us-west-2", true, true, kArn, "my-ap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com", "/k"},
    {"cn-north-1", false, false, "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:ap1",
     "ap1-123456789012.s3-accesspoint.cn-north-1.amazonaws.com.cn", "/k"},
    // Directory buckets: the zone's endpoint, always virtual-hosted.
    {"us-west-2", false, false, "my-data--usw2-az1--x-s3",
     "my-data--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com", "/k"},
    {"us-east-1", false, false, "a-b--use1-az4--x-s3", "a-b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com",
     "/k"},
    {"us-west-2", true, false, "d--usw2-az1--x-s3", "d--usw2-az1--x-s3.s3express-fips-usw2-az1.us-west-2.amazonaws.com",
     "/k"},
    {"us-east-2", false, true, "d--use2-az1--x-s3",
     "d--use2-az1--x-s3.s3express-use2-az1.dualstack.us-east-2.amazonaws.com", "/k"},
    {"us-east-1", true, true, "d--use1-az4--x-s3",
     "d--use1-az4--x-s3.s3express-fips-use1-az4.dualstack.us-east-1.amazonaws.com", "/k"},
    {"us-west-2", false, false, "b--usw2-lax1-az1--x-s3",
     "b--usw2-lax1-az1--x-s3.s3express-usw2-lax1-az1.us-west-2.amazonaws.com", "/k"},
    // Not directory buckets: the suffix alone, or no zone.
    {"us-west-2", false, false, "x-s3", "x-s3.s3.us-west-2.amazonaws.com", "/k"},
    {"us-west-2", false, false, "--usw2-az1--x-s3", "--usw2-az1--x-s3.s3.us-west-2.amazonaws.com", "/k"},
};

bool throws_mentioning(const std::string& words, void (*call)(void*), void* context) {
    try {
        call(context);
    } catch (const std::invalid_argument& error) {
        return std::string(error.what()).find(words) != std::string::npos;
    }
    return false;
}

}  // namespace

S3CONN_TEST(every_endpoint_form_has_the_host_aws_documents) {
    for (const Row& row : kRows) {
        const Endpoint endpoint = parse_endpoint("", row.region, false, {row.fips, row.dualstack});
        const Target target = target_for(endpoint, row.bucket, "k");
        CHECK_EQ(target.host, std::string(row.host));
        CHECK_EQ(target.path, std::string(row.path));
        CHECK_EQ(target.endpoint_uri, "https://" + target.host);
    }
}

S3CONN_TEST(a_custom_endpoint_addresses_every_bucket_alike) {
    // The loopback stand-in for a zonal endpoint: a directory bucket is an
    // ordinary bucket there.
    const Endpoint local = parse_endpoint("http://127.0.0.1:9000", "us-west-2", false);
    const Target target = target_for(local, "my-data--usw2-az1--x-s3", "k");
    CHECK_EQ(target.host, std::string("127.0.0.1:9000"));
    CHECK_EQ(target.path, std::string("/my-data--usw2-az1--x-s3/k"));
}

S3CONN_TEST(partitions) {
    CHECK_EQ(partition_name("us-east-1"), std::string("aws"));
    CHECK_EQ(partition_name("cn-northwest-1"), std::string("aws-cn"));
    CHECK_EQ(partition_name("us-gov-west-1"), std::string("aws-us-gov"));
    CHECK_EQ(partition_name("us-isob-east-1"), std::string("aws-iso-b"));
    CHECK_EQ(partition_dns_suffix("eu-isoe-west-1"), std::string("cloud.adc-e.uk"));
    CHECK_EQ(directory_bucket_zone("b--usw2-az1--x-s3"), std::string("usw2-az1"));
    CHECK_EQ(directory_bucket_zone("b--usw2-lax1-az1--x-s3"), std::string("usw2-lax1-az1"));
    CHECK_EQ(directory_bucket_zone("plain-bucket"), std::string());
}

S3CONN_TEST(forms_that_cannot_be_reached_say_why) {
    struct Case {
        const char* words;
        void (*call)(void*);
    };
    const Case cases[] = {
        {"has no FIPS endpoints",
         [](void*) {
             parse_endpoint("", "cn-north-1", false, {true, false});
         }},
        {"has no dual-stack endpoints",
         [](void*) {
             parse_endpoint("", "us-iso-east-1", false, {false, true});
         }},
        {"create the client with region 'us-west-2'",
         [](void*) { target_for(parse_endpoint("", "us-east-1", false), kArn, "k"); }},
        {"needs AWS's endpoints",
         [](void*) { target_for(parse_endpoint("http://127.0.0.1:9000", "us-west-2", false), kArn, "k"); }},
        {"only s3 access points",
         [](void*) { parse_access_point_arn("arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/x"); }},
        {"not 12 digits", [](void*) { parse_access_point_arn("arn:aws:s3:us-west-2:1234:accesspoint/x"); }},
        {"not accesspoint/<name>", [](void*) { parse_access_point_arn("arn:aws:s3:us-west-2:123456789012:bucket/x"); }},
        {"is not in partition aws-cn",
         [](void*) { parse_access_point_arn("arn:aws-cn:s3:us-west-2:123456789012:accesspoint/x"); }},
        {"too few fields", [](void*) { parse_access_point_arn("arn:aws:s3"); }},
    };
    for (const Case& c : cases) {
        if (!throws_mentioning(c.words, c.call, nullptr)) {
            harness::fail(__FILE__, __LINE__, std::string("no error saying: ") + c.words, false);
        }
    }
    CHECK(check_bucket_name(kArn).empty());
    CHECK(!check_bucket_name("arn:aws:s3:us-west-2:123:accesspoint/x").empty());
}

int main(int argc, char** argv) { return harness::run_all(argc, argv, false); }
