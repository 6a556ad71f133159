// Umbrella header of libs3conn.
#pragma once

#include "s3conn/buckets.hpp"
#include "s3conn/chunk.hpp"
#include "s3conn/client.hpp"
#include "s3conn/config.hpp"
#include "s3conn/error.hpp"
#include "s3conn/get_object.hpp"
#include "s3conn/interrupt.hpp"
#include "s3conn/listing.hpp"
#include "s3conn/metrics.hpp"
#include "s3conn/objects.hpp"
#include "s3conn/put_object.hpp"
