"""Why the cache does not evict what the job has used (``_cache/store.py``):
hit rates of that policy and of LRU over epochs that read a little more data
than the cache holds, with and without a shuffle. A simulation of the policy
rules, object by object (no I/O): the figures depend only on the sizes.

    python -m benchmarks.cache_policy
"""

from __future__ import annotations

import argparse
import random
from collections import OrderedDict


def lru_hits(orders: list[list[int]], capacity: int) -> list[int]:
    cache: OrderedDict[int, None] = OrderedDict()
    hits = []
    for order in orders:
        epoch_hits = 0
        for item in order:
            if item in cache:
                cache.move_to_end(item)
                epoch_hits += 1
            else:
                cache[item] = None
                if len(cache) > capacity:
                    cache.popitem(last=False)
        hits.append(epoch_hits)
    return hits


def keep_used_hits(orders: list[list[int]], capacity: int) -> list[int]:
    """The library's rule within one job: admit while there is room, never
    evict what the job has used."""
    cache: set[int] = set()
    hits = []
    for order in orders:
        epoch_hits = 0
        for item in order:
            if item in cache:
                epoch_hits += 1
            elif len(cache) < capacity:
                cache.add(item)
        hits.append(epoch_hits)
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    print("| data / cache | order | LRU hit rate, epochs 2+ | keep-used hit rate, epochs 2+ | cache / data |")
    print("|---|---|---|---|---|")
    for ratio in (1.05, 1.25, 2.0, 4.0):
        capacity = int(args.objects / ratio)
        for shuffled in (False, True):
            rng = random.Random(7)
            orders = []
            for _ in range(args.epochs):
                order = list(range(args.objects))
                if shuffled:
                    rng.shuffle(order)
                orders.append(order)
            reads = args.objects * (args.epochs - 1)
            lru = sum(lru_hits(orders, capacity)[1:]) / reads
            kept = sum(keep_used_hits(orders, capacity)[1:]) / reads
            label = "shuffled each epoch" if shuffled else "same order"
            print(f"| {ratio:.2f} | {label} | {lru:.1%} | {kept:.1%} | {capacity / args.objects:.1%} |")


if __name__ == "__main__":
    main()
