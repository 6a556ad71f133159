// AWS's own host names: partitions, FIPS and dual-stack regional endpoints,
// access points and the zonal endpoints of directory buckets. Pure string
// functions, checked against the forms AWS documents (cpp/tests/test_units.cpp).
#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>

#include "addressing.hpp"
#include "s3conn/buckets.hpp"

namespace s3conn::detail {
namespace {

struct Partition {
    std::string_view region_prefix;  // regions named "<prefix><area>-<n>"
    std::string_view name;
    std::string_view dns_suffix;
    bool fips;       // whether the partition has FIPS endpoints
    bool dualstack;  // whether it has dual-stack ones
};

// Longest prefixes first: "us-isob-" before "us-iso-". Regions of no prefix
// here are in the commercial partition.
constexpr Partition kPartitions[] = {
    {"us-isob-", "aws-iso-b", "sc2s.sgov.gov", true, false}, {"us-isof-", "aws-iso-f", "csp.hci.ic.gov", true, false},
    {"us-iso-", "aws-iso", "c2s.ic.gov", true, false},       {"eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", true, false},
    {"us-gov-", "aws-us-gov", "amazonaws.com", true, true},  {"cn-", "aws-cn", "amazonaws.com.cn", false, true},
    {"eusc-", "aws-eusc", "amazonaws.eu", true, true},
};
constexpr Partition kCommercial = {"", "aws", "amazonaws.com", true, true};

const Partition& partition_of(std::string_view region) {
    for (const Partition& p : kPartitions) {
        if (region.substr(0, p.region_prefix.size()) == p.region_prefix) return p;
    }
    return kCommercial;
}

bool is_lower_alnum_or_dash(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
            return false;
        }
    }
    return true;
}

[[noreturn]] void bad_arn(std::string_view arn, const std::string& why) {
    throw std::invalid_argument("'" + std::string(arn) + "' is not an access point ARN: " + why +
                                " (expected arn:aws:s3:<region>:<account>:accesspoint/<name>)");
}

// s3[-fips][.dualstack] and the like: the service label with its options.
std::string labels(std::string_view service, const AwsEndpointOptions& options) {
    std::string out(service);
    if (options.fips) out += "-fips";
    if (options.dualstack) out += ".dualstack";
    return out;
}

}  // namespace

std::string partition_dns_suffix(std::string_view region) { return std::string(partition_of(region).dns_suffix); }

std::string partition_name(std::string_view region) { return std::string(partition_of(region).name); }

void check_aws_endpoint_options(std::string_view region, const AwsEndpointOptions& options) {
    const Partition& partition = partition_of(region);
    if (options.fips && !partition.fips) {
        throw std::invalid_argument("use_fips_endpoint: the " + std::string(partition.name) + " partition (region " +
                                    std::string(region) + ") has no FIPS endpoints");
    }
    if (options.dualstack && !partition.dualstack) {
        throw std::invalid_argument("use_dualstack_endpoint: the " + std::string(partition.name) +
                                    " partition (region " + std::string(region) + ") has no dual-stack endpoints");
    }
}

std::string aws_regional_host(std::string_view region, const AwsEndpointOptions& options) {
    return labels("s3", options) + "." + std::string(region) + "." + partition_dns_suffix(region);
}

bool is_arn(std::string_view bucket) { return bucket.substr(0, 4) == "arn:"; }

AccessPointArn parse_access_point_arn(std::string_view arn) {
    // arn : partition : service : region : account : resource
    std::string_view fields[6];
    std::string_view rest = arn;
    for (int i = 0; i < 5; ++i) {
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) bad_arn(arn, "too few fields");
        fields[i] = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
    }
    fields[5] = rest;
    if (fields[0] != "arn") bad_arn(arn, "it does not start with arn:");
    if (fields[2] != "s3") {
        bad_arn(arn, "the service is '" + std::string(fields[2]) + "'; only s3 access points are supported");
    }
    AccessPointArn out{std::string(fields[1]), std::string(fields[3]), std::string(fields[4]), ""};
    if (!is_lower_alnum_or_dash(out.partition)) bad_arn(arn, "no partition");
    if (!is_lower_alnum_or_dash(out.region)) bad_arn(arn, "no region");
    if (out.account.size() != 12 || out.account.find_first_not_of("0123456789") != std::string::npos) {
        bad_arn(arn, "the account is not 12 digits");
    }
    const std::string_view resource = fields[5];
    constexpr std::string_view kType = "accesspoint";
    if (resource.substr(0, kType.size()) != kType || resource.size() <= kType.size() + 1 ||
        (resource[kType.size()] != '/' && resource[kType.size()] != ':')) {
        bad_arn(arn, "the resource is not accesspoint/<name>");
    }
    out.name = std::string(resource.substr(kType.size() + 1));
    if (!is_lower_alnum_or_dash(out.name)) {
        bad_arn(arn, "the access point name '" + out.name + "' is not lower-case letters, digits and '-'");
    }
    if (out.partition != partition_name(out.region)) {
        bad_arn(arn, "region " + out.region + " is not in partition " + out.partition);
    }
    return out;
}

std::string directory_bucket_zone(std::string_view bucket) {
    constexpr std::string_view kSuffix = "--x-s3";
    if (bucket.size() <= kSuffix.size() || bucket.substr(bucket.size() - kSuffix.size()) != kSuffix) return {};
    const std::string_view head = bucket.substr(0, bucket.size() - kSuffix.size());
    const auto separator = head.rfind("--");
    if (separator == std::string_view::npos || separator == 0) return {};
    const std::string_view zone = head.substr(separator + 2);
    return is_lower_alnum_or_dash(zone) ? std::string(zone) : std::string();
}

std::string aws_bucket_host(const Endpoint& endpoint, std::string_view bucket) {
    if (is_arn(bucket)) {
        const AccessPointArn arn = parse_access_point_arn(bucket);
        if (arn.region != endpoint.region) {
            throw std::invalid_argument("the access point " + std::string(bucket) + " is in " + arn.region +
                                        " and the client in " + endpoint.region + ": create the client with region '" +
                                        arn.region + "'");
        }
        return arn.name + "-" + arn.account + "." + labels("s3-accesspoint", endpoint.options) + "." + arn.region +
               "." + endpoint.dns_suffix;
    }
    if (const std::string zone = directory_bucket_zone(bucket); !zone.empty()) {
        // The options sit around the zone: s3express[-fips]-<zone>[.dualstack].
        return std::string(bucket) + ".s3express-" + (endpoint.options.fips ? "fips-" : "") + zone +
               (endpoint.options.dualstack ? ".dualstack." : ".") + endpoint.region + "." + endpoint.dns_suffix;
    }
    return {};
}

}  // namespace s3conn::detail

namespace s3conn {

bool is_directory_bucket(std::string_view bucket) { return !detail::directory_bucket_zone(bucket).empty(); }

}  // namespace s3conn
