"""Runs one workload in this interpreter and prints its result as JSON:

python -m benchmarks.worker WORKLOAD IMPL PARAMS_JSON
"""

from __future__ import annotations

import json
import sys

from .workloads import big_object, checkpoint, common, dcp, limit, small_objects

WORKLOADS = {
    "iterable": small_objects.run_iterable,
    "map": small_objects.run_map,
    "big_read": big_object.run,
    "checkpoint": checkpoint.run,
    "dcp": dcp.run,
    "limit_small": limit.run_small,
    "limit_big": limit.run_big,
    "limit_upload": limit.run_upload,
}


def main() -> int:
    workload, impl, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    metrics = WORKLOADS[workload](impl, params)
    print("RESULT " + json.dumps(metrics), flush=True)
    if common.WINDOWS:
        print("PROFILE " + json.dumps(common.WINDOWS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
