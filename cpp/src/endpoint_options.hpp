// A resolved configuration's choice among AWS's regional endpoints.
#pragma once

#include "addressing.hpp"
#include "s3conn/config.hpp"

namespace s3conn::detail {

inline AwsEndpointOptions aws_options(const ClientConfig& resolved) {
    return {resolved.use_fips_endpoint.value_or(false), resolved.use_dualstack_endpoint.value_or(false)};
}

}  // namespace s3conn::detail
